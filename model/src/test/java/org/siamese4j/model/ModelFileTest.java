package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.io.ContainerWriter;
import org.siamese4j.model.io.Mutations;

/** Model and checkpoint files: bit-exact round trips, exact resume, and every kind of corruption refused clearly. */
class ModelFileTest {
    static final Architecture TINY = new Architecture("tiny", 12, 12, LayerSpec.parseList(
            "conv 3x3 4 pad=1 bn relu; pool 2; conv 3x3 4 relu; dense 8 sigmoid"));
    static final Preprocessing PRE = Preprocessing.plain(12, 12).withNormalization(true, 0.1, 0.3);

    static Kernels kernels() {
        return Backend.kernels("simd", 2);
    }

    static SiameseNet trained(long seed, int steps, SgdMomentum[] optOut) {
        SiameseNet net = SiameseNet.create(TINY, kernels(), true);
        Initializer.HE.initialize(net, seed);
        SgdMomentum opt = new SgdMomentum(net, SgdMomentum.uniform(net, 0.05, 1e-3, 0.9), SgdMomentum.Schedule.koch(5));
        train(net, opt, steps, 0);
        if (optOut != null) {
            optOut[0] = opt;
        }
        return net;
    }

    /** Steps on data that depends only on the step number, so runs can be split and compared. */
    static void train(SiameseNet net, SgdMomentum opt, int steps, int firstStep) {
        for (int s = firstStep; s < firstStep + steps; s++) {
            SplittableRandom r = new SplittableRandom(1000 + s);
            float[] x = new float[8 * net.inputSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
            }
            PairBatch pairs = PairBatch.koch(new boolean[] {true, false, true, false});
            net.params().zeroGrads();
            net.forwardBackward(x, 8, pairs, opt.l2PerGroup());
            opt.update();
        }
    }

    @Test
    void modelRoundTripsBitExactly(@TempDir Path dir) {
        SiameseNet net = trained(3, 5, null);
        Path f = dir.resolve("m.s4j");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("data", "somewhere/with spaces");
        meta.put("note", "line one\nline two \\ backslash");
        String sha = ModelFile.save(f, net, PRE, 0.731, meta);
        ModelFile.Loaded l = ModelFile.load(f, kernels());
        assertArrayEquals(net.params().values(), l.net().params().values());
        assertEquals(PRE, l.preprocessing());
        assertEquals(0.731, l.threshold());
        assertEquals(meta, l.metadata());
        assertEquals(sha, l.sha256());
        assertEquals(TINY, l.net().architecture());
    }

    @Test
    void anOpenSetCalibrationRoundTripsAndOlderFilesHaveNone(@TempDir Path dir) {
        SiameseNet net = trained(3, 5, null);
        double[] logits = new double[200];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = Math.sin(i) * 5;
        }
        OpenSetCalibration c = new OpenSetCalibration(40, new int[] {1, 10}, new long[] {200, 200},
                new double[][] {OpenSetCalibration.quantileTable(logits, 11), OpenSetCalibration.quantileTable(logits, 11)});
        Path calibrated = dir.resolve("c.s4j");
        ModelFile.save(calibrated, net, PRE, 0.5, Map.of(), c);
        ModelFile.Loaded l = ModelFile.load(calibrated, kernels());
        assertArrayEquals(c.toDoubles(), l.openSet().orElseThrow().toDoubles());
        Path plain = dir.resolve("p.s4j");
        ModelFile.save(plain, net, PRE, 0.5, Map.of());
        assertTrue(ModelFile.load(plain, kernels()).openSet().isEmpty());
    }

    @Test
    void aHalfPrecisionModelLoadsTheNearestHalfOfEachWeightInHalfTheSpace(@TempDir Path dir) throws java.io.IOException {
        SiameseNet net = trained(3, 5, null);
        Path full = dir.resolve("full.s4j");
        Path half = dir.resolve("half.s4j");
        ModelFile.save(full, net, PRE, 0.6, Map.of("k", "v"));
        ModelFile.save(half, net, PRE, 0.6, Map.of("k", "v"), null, true);
        ModelFile.Loaded l = ModelFile.load(half, kernels());
        float[] w = net.params().values();
        float[] loaded = l.net().params().values();
        for (int i = 0; i < w.length; i++) {
            assertEquals(org.siamese4j.model.io.HalfFloats.toFloat(org.siamese4j.model.io.HalfFloats.fromFloat(w[i])), loaded[i]);
        }
        assertEquals(0.6, l.threshold());
        assertEquals(Map.of("k", "v"), l.metadata());
        long weights = 4L * w.length;
        assertTrue(java.nio.file.Files.size(full) - java.nio.file.Files.size(half) >= weights / 2 - 64,
                java.nio.file.Files.size(full) + " vs " + java.nio.file.Files.size(half));
    }

    @Test
    void aMalformedOpenSetCalibrationIsRefusedWithOneLine() {
        ContainerWriter w = validContainer();
        w.putDoubles("open-set", new double[] {1, 40, 1, 3, 1, 10, 3, 2, 1}); // descending quantiles
        refused(w.toBytes(ModelFile.MODEL.magic(), 1), "invalid open-set calibration");
    }

    /** A valid one-layer model's sections, to add a hostile one to. */
    private static ContainerWriter validContainer() {
        SiameseNet net = trained(1, 1, null);
        Path f;
        try {
            f = java.nio.file.Files.createTempFile("valid", ".s4j");
            ModelFile.save(f, net, PRE, 0.5, Map.of());
            try (org.siamese4j.model.io.Container c = org.siamese4j.model.io.ContainerReader.read(f, ModelFile.MODEL, 1 << 30)) {
                ContainerWriter w = new ContainerWriter();
                for (String name : java.util.List.of("architecture", "preprocessing", "metadata", "layout")) {
                    w.putText(name, c.text(name));
                }
                w.putDoubles("threshold", c.doubles("threshold"));
                w.putFloats("params", c.floats("params"));
                return w;
            } finally {
                java.nio.file.Files.deleteIfExists(f);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void weightsLoadInPlaceOnlyIntoTheSameArchitecture(@TempDir Path dir) {
        SiameseNet saved = trained(3, 5, null);
        Path f = dir.resolve("m.s4j");
        ModelFile.save(f, saved, PRE, 0.5, Map.of());
        SiameseNet other = trained(8, 2, null);
        float[] buffer = other.params().values();
        ModelFile.loadWeightsInto(f, other);
        assertArrayEquals(saved.params().values(), other.params().values());
        assertTrue(buffer == other.params().values(), "read into the network's own buffer");

        SiameseNet compact = SiameseNet.create(Architecture.compact(), kernels(), false);
        float[] before = compact.params().values().clone();
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.loadWeightsInto(f, compact));
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
        assertArrayEquals(before, compact.params().values(), "a refused file leaves the weights alone");
    }

    @Test
    void checkpointResumesBitExactly(@TempDir Path dir) {
        SgdMomentum[] opt = new SgdMomentum[1];
        SiameseNet straight = trained(4, 12, null);
        SiameseNet first = trained(4, 7, opt);
        Path f = dir.resolve("c.s4j");
        ModelFile.saveCheckpoint(f, first, PRE, 0.5, Map.of(), opt[0], Map.of("k", "v"));
        ModelFile.Checkpoint c = ModelFile.loadCheckpoint(f, kernels());
        assertEquals(7, c.optimizer().step());
        assertEquals("v", c.trainerState().get("k"));
        train(c.model().net(), c.optimizer(), 5, 7);
        assertArrayEquals(straight.params().values(), c.model().net().params().values());
    }

    @Test
    void checkpointKeepsTheCosineHorizon(@TempDir Path dir) {
        SiameseNet net = SiameseNet.create(TINY, kernels(), true);
        Initializer.HE.initialize(net, 2);
        SgdMomentum.Schedule cosine = new SgdMomentum.Schedule(5, 0.5, 2, 0.99, 40);
        SgdMomentum opt = new SgdMomentum(net, SgdMomentum.uniform(net, 0.05, 1e-3, 0.9), cosine);
        train(net, opt, 3, 0);
        Path f = dir.resolve("c.s4j");
        ModelFile.saveCheckpoint(f, net, PRE, 0.5, Map.of(), opt, Map.of());
        SgdMomentum back = ModelFile.loadCheckpoint(f, kernels()).optimizer();
        assertEquals(cosine, back.schedule());
        assertEquals(opt.learningRate(0), back.learningRate(0));
    }

    @Test
    void sameSeedSameThreadsGivesBitIdenticalWeights() {
        assertArrayEquals(trained(9, 10, null).params().values(), trained(9, 10, null).params().values());
    }

    @Test
    void aSmallTrainingRunLowersTheLossOfBothPresets() {
        for (Architecture a : new Architecture[] {Architecture.compact(), Architecture.koch()}) {
            SiameseNet net = SiameseNet.create(a, kernels(), true);
            Initializer.HE.initialize(net, 1);
            SgdMomentum opt = new SgdMomentum(net, SgdMomentum.uniform(net, 0.01, 1e-4, 0.9), SgdMomentum.Schedule.koch(100));
            int n = 4;
            SplittableRandom r = new SplittableRandom(5);
            float[] x = new float[2 * n * net.inputSize()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-1, 1);
            }
            PairBatch pairs = PairBatch.koch(new boolean[] {true, false, true, false});
            double first = Double.NaN;
            double last = Double.NaN;
            for (int s = 0; s < 6; s++) {
                net.params().zeroGrads();
                LossParts l = net.forwardBackward(x, 2 * n, pairs, opt.l2PerGroup());
                opt.update();
                if (s == 0) {
                    first = l.pairLoss();
                }
                last = l.pairLoss();
            }
            assertTrue(last < first, a.name() + ": loss " + first + " -> " + last);
        }
    }

    // ------------------------------------------------------------------ corruption

    private static byte[] bytesOf(Path f) throws Exception {
        return Files.readAllBytes(f);
    }

    private static void refused(byte[] data, String... fragments) {
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.load(data, "model.s4j", kernels()));
        assertTrue(e.getMessage().startsWith("model.s4j"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().toLowerCase().contains(f), "'" + e.getMessage() + "' should mention " + f);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyTruncationAndBitFlipIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.s4j");
        ModelFile.save(f, trained(5, 1, null), PRE, 0.5, Map.of("data", "x"));
        byte[] good = bytesOf(f);
        for (int len = 0; len < good.length; len += (len < 400 ? 1 : 37)) {
            refused(Arrays.copyOf(good, len));
        }
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 400; i++) {
            refused(Mutations.flipBit(good, r.nextLong(good.length * 8L)));
        }
        refused(Arrays.copyOf(good, good.length + 1));
    }

    @Test
    void wrongMagicUnknownVersionAndOtherKindsAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.s4j");
        ModelFile.save(f, trained(5, 1, null), PRE, 0.5, Map.of());
        byte[] good = bytesOf(f);
        byte[] magic = good.clone();
        magic[0] = 'X';
        refused(Mutations.withValidChecksum(magic), "not a");
        byte[] version = good.clone();
        version[8] = 7;
        refused(Mutations.withValidChecksum(version), "version 7");
        // a checkpoint is not a model, and vice versa
        SgdMomentum[] opt = new SgdMomentum[1];
        SiameseNet net = trained(5, 1, opt);
        Path c = dir.resolve("c.s4j");
        ModelFile.saveCheckpoint(c, net, PRE, 0.5, Map.of(), opt[0], Map.of());
        BadInputException e = assertThrows(BadInputException.class, () -> ModelFile.load(c, kernels()));
        assertTrue(e.getMessage().contains(c.toString()), e.getMessage());
        assertThrows(BadInputException.class, () -> ModelFile.loadCheckpoint(f, kernels()));
    }

    /** Valid checksums around lying contents: the bounds checks, not the checksum, must catch these. */
    @Test
    void hostileContentsBehindAValidChecksumAreRefusedBeforeAllocating() {
        String arch = "name=evil\ninput-height=4096\ninput-width=4096\ntower=conv 3x3 65536 relu; dense 65536 relu\n";
        refused(model(arch, validPre(4096), "0"), "invalid model description");
        // an architecture that needs 2^31 floats
        refused(model("name=big\ninput-height=2048\ninput-width=2048\ntower=dense 2048 relu; dense 2048 relu\n",
                validPre(2048), "0"), "too large");
        // the weights section disagrees with the architecture
        refused(model("name=t\ninput-height=12\ninput-width=12\ntower=dense 4 relu\n", validPre(12), "3"), "weights");
        refused(model("name=t\ninput-height=12\ninput-width=12\ntower=dense -4 relu\n", validPre(12), "0"), "invalid");
        refused(model("name=t\ninput-height=-12\ninput-width=12\ntower=dense 4 relu\n", validPre(12), "0"), "invalid");
        refused(model("garbage without equals\n", validPre(12), "0"), "invalid");
        refused(model("name=t\ninput-height=12\ninput-width=12\ntower=dense 4 relu\n", "width=12\n", "0"), "invalid");
    }

    private static String validPre(int size) {
        return KeyValues.format(Preprocessing.plain(size, size).toMap());
    }

    private static byte[] model(String arch, String pre, String weightsCount) {
        ContainerWriter w = new ContainerWriter();
        w.putText("architecture", arch);
        w.putText("preprocessing", pre);
        w.putDoubles("threshold", new double[] {0.5});
        w.putText("metadata", "");
        w.putText("layout", "");
        w.putFloats("params", new float[Integer.parseInt(weightsCount)]);
        return w.toBytes(ModelFile.MODEL.magic(), 1);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fuzzedModelFilesGiveAModelOrOneClearError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.s4j");
        ModelFile.save(f, trained(6, 1, null), PRE, 0.5, Map.of("data", "x"));
        byte[] good = bytesOf(f);
        Mutations m = new Mutations(2026);
        long t0 = System.nanoTime();
        int loaded = 0;
        for (int i = 0; i < 2500; i++) {
            byte[] data = i % 2 == 0 ? m.mutate(good) : m.mutateWithValidChecksum(good);
            try {
                ModelFile.load(data, "model.s4j", kernels());
                loaded++;
            } catch (BadInputException expected) {
                assertFalse(expected.getMessage().contains("\n"));
            } catch (Throwable t) {
                fail("mutation " + i + " gave " + t, t);
            }
        }
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "fuzzing took too long");
        assertTrue(loaded < 2500);
    }

    @Test
    void textSectionsAreStrict() {
        assertEquals(Map.of("a", "1"), KeyValues.parse("a=1\n"));
        assertThrows(IllegalArgumentException.class, () -> KeyValues.parse("a=1\na=2\n"));
        assertThrows(IllegalArgumentException.class, () -> KeyValues.parse("=1\n"));
        assertThrows(IllegalArgumentException.class, () -> KeyValues.parse("a b=1\n"));
        assertThrows(IllegalArgumentException.class, () -> KeyValues.parse("a=\\"));
        assertEquals("x\ny", KeyValues.parse(KeyValues.format(Map.of("k", "x\ny"))).get("k"));
        assertEquals(List.of("k"), List.copyOf(KeyValues.parse("k=v\n").keySet()));
        assertTrue(new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).length() == 1);
    }
}
