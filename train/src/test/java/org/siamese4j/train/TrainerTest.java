package org.siamese4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.layer.Param;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.ClassSplit;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.SyntheticGlyphs;
import org.siamese4j.train.image.PixelAugmenter;

/** The training loop on the built-in synthetic glyphs: it learns, resumes exactly, and stops cleanly on NaN. */
class TrainerTest {
    static final Architecture ARCH = new Architecture("test", 20, 20, LayerSpec.parseList(
            "conv 3x3 8 pad=1 bn relu; pool 2; conv 3x3 16 pad=1 bn relu; pool 2; dense 32 sigmoid"));
    static final Preprocessing PRE = Preprocessing.plain(20, 20).withNormalization(true, 0, 1);
    static LoadedDataset train;
    static LoadedDataset validation;

    @BeforeAll
    static void data() {
        LoadedDataset all = SyntheticGlyphs.generate(7, 6, 12, 6, 20);
        List<String> valGroups = ClassSplit.chooseGroups(all.classes(), 1, 2);
        var split = ClassSplit.byGroups(all.classes(), valGroups);
        validation = LoadedDataset.of(split.selected());
        train = LoadedDataset.of(split.rest());
    }

    static TrainOptions options(long steps) {
        TrainOptions o = new TrainOptions();
        o.seed = 5;
        o.classesPerBatch = 8;
        o.imagesPerClass = 2;
        o.maxSteps = steps;
        o.evalEvery = 20;
        o.checkpointEvery = 10;
        o.valWay = 5;
        o.valTrials = 200;
        o.calibrationPairs = 200;
        o.learningRate = 0.05;
        return o;
    }

    static Kernels kernels() {
        return Backend.kernels("simd", 2);
    }

    @Test
    void aRunStoppedByItsTimeLimitAnnealsToALearningRateOfZero(@TempDir Path dir) {
        TrainOptions o = options(100_000);
        o.cosineSteps = 100_000;
        o.timeLimit = java.time.Duration.ofSeconds(20);
        o.evalEvery = 1_000_000;
        o.checkpointEvery = 1_000_000;
        Trainer t = TrainingRun.start(o, ARCH, PRE, kernels(), train, validation, dir, Map.of("data", "synthetic"),
                new PrintStream(new ByteArrayOutputStream()), false);
        long[] now = {0};
        t.useClock(() -> now[0] += 250); // a fake clock: every look at it is a quarter of a second later
        double start = t.optimizer().learningRate(0);
        Trainer.Result r = t.run();
        assertTrue(r.stopReason().contains("time limit"), r.stopReason());
        assertTrue(r.steps() < 1000, "the time limit, not the 100,000 steps, ended it: " + r.steps());
        assertEquals(0.05, start, 1e-12);
        assertEquals(0.0, t.optimizer().learningRate(0), "the cosine ran on the time budget, which ran out");
    }

    @Test
    void learnsSomethingOnSyntheticGlyphs(@TempDir Path dir) {
        Trainer t = TrainingRun.start(options(150), ARCH, PRE, kernels(), train, validation, dir, Map.of("data", "synthetic"),
                new PrintStream(new ByteArrayOutputStream()), false);
        Trainer.Result r = t.run();
        assertEquals(150, r.steps());
        assertTrue(r.bestAccuracy() > 0.4, "5-way validation accuracy after 150 steps: " + r.bestAccuracy());
        assertTrue(r.log().get(0).loss() > r.log().get(r.log().size() - 1).loss(), "loss decreases");
        assertTrue(Files.exists(dir.resolve("model.s4j")) && Files.exists(dir.resolve("checkpoint.s4j")));
        assertTrue(Files.exists(dir.resolve("log.csv")) && Files.exists(dir.resolve("chart.png")) && Files.exists(dir.resolve("trials.png")));
        ModelFile.Loaded m = ModelFile.load(dir.resolve("model.s4j"), kernels());
        assertTrue(m.threshold() > 0 && m.threshold() < 1, "calibrated threshold " + m.threshold());
        assertEquals("synthetic", m.metadata().get("data"));
    }

    @Test
    void resumeContinuesExactly(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path straight = dir.resolve("straight");
        TrainingRun.start(options(40), ARCH, PRE, kernels(), train, validation, straight, Map.of(), quiet, false).run();
        Path split = dir.resolve("split");
        TrainingRun.start(options(20), ARCH, PRE, kernels(), train, validation, split, Map.of(), quiet, false).run();
        Trainer resumed = TrainingRun.resume(split.resolve("checkpoint.s4j"), options(40), kernels(), train, validation, split,
                quiet, false);
        Trainer.Result r = resumed.run();
        assertEquals(40, r.steps());
        float[] a = ModelFile.loadCheckpoint(straight.resolve("checkpoint.s4j"), kernels()).model().net().params().values();
        float[] b = ModelFile.loadCheckpoint(split.resolve("checkpoint.s4j"), kernels()).model().net().params().values();
        assertArrayEquals(a, b, "resumed weights are bit-identical to an uninterrupted run");
        // the resumed run's log carries the history of the part before the checkpoint
        assertEquals(logSteps(straight), logSteps(split));
        assertEquals(20, r.log().get(0).step(), "the first validation, from before the resume, is in the log");
        assertEquals(r.log().get(0).valAccuracy(), Reports.readCsv(straight.resolve("log.csv"), 20).get(0).valAccuracy(), 1e-4);
    }

    /** The augmentation strength is part of the trajectory: a resumed run takes it from its checkpoint. */
    @Test
    void resumeKeepsTheAugmentationStrength(@TempDir Path dir) throws Exception {
        assertResumeKeeps(dir, o -> o.augmentStrength = 2, "strength");
    }

    /** So are the pixel augmentations (contrast and brightness jitter, random erasing). */
    @Test
    void resumeKeepsThePixelAugmentation(@TempDir Path dir) throws Exception {
        assertResumeKeeps(dir, o -> o.pixelAugment = new PixelAugmenter.Params(0.3, 0.5), "pixel augmentation");
    }

    /** A run changed by {@code change}, stopped halfway and resumed with plain options, ends as if never stopped. */
    private void assertResumeKeeps(Path dir, Consumer<TrainOptions> change, String what) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        TrainOptions changed = options(40);
        change.accept(changed);
        Path straight = dir.resolve("straight");
        TrainingRun.start(changed, ARCH, PRE, kernels(), train, validation, straight, Map.of(), quiet, false).run();
        TrainOptions changedHalf = options(20);
        change.accept(changedHalf);
        Path split = dir.resolve("split");
        TrainingRun.start(changedHalf, ARCH, PRE, kernels(), train, validation, split, Map.of(), quiet, false).run();
        TrainingRun.resume(split.resolve("checkpoint.s4j"), options(40), kernels(), train, validation, split, quiet, false).run();
        Path plain = dir.resolve("plain");
        TrainingRun.start(options(40), ARCH, PRE, kernels(), train, validation, plain, Map.of(), quiet, false).run();
        float[] a = ModelFile.loadCheckpoint(straight.resolve("checkpoint.s4j"), kernels()).model().net().params().values();
        float[] b = ModelFile.loadCheckpoint(split.resolve("checkpoint.s4j"), kernels()).model().net().params().values();
        float[] c = ModelFile.loadCheckpoint(plain.resolve("checkpoint.s4j"), kernels()).model().net().params().values();
        assertArrayEquals(a, b, "resumed with the checkpoint's " + what);
        assertFalse(java.util.Arrays.equals(a, c), "the " + what + " changes the run");
    }

    static List<String> logSteps(Path run) throws Exception {
        return Files.readAllLines(run.resolve("log.csv")).stream().map(line -> line.split(",")[0]).toList();
    }

    /**
     * A loss that turns NaN stops the run and keeps the last good checkpoint: the one written at the last multiple of
     * the checkpoint interval before the divergence, not one rewritten afterwards (which would hold a later step, or
     * weights that no longer load).
     */
    @Test
    void aDivergingRunKeepsTheLastCheckpointWrittenBeforeTheLossTurnedNaN(@TempDir Path dir) {
        TrainOptions o = options(200);
        o.learningRate = 1e6;
        o.checkpointEvery = 5;
        Trainer t = TrainingRun.start(o, ARCH, PRE, kernels(), train, validation, dir, Map.of(), new PrintStream(new ByteArrayOutputStream()), false);
        Trainer.Result r = t.run();
        assertTrue(r.diverged(), r.stopReason());
        assertTrue(r.stopReason().contains("NaN") || r.stopReason().contains("infinite"), r.stopReason());
        assertEquals(dir.resolve("checkpoint.s4j"), r.checkpoint());
        // the checkpoint loads (its weights are finite), is the one the message names, and is the last one written
        // before the divergence: none was skipped, and none was written at or after the step that diverged
        ModelFile.Checkpoint c = ModelFile.loadCheckpoint(dir.resolve("checkpoint.s4j"), kernels());
        long kept = c.optimizer().step();
        assertTrue(r.stopReason().endsWith("kept the last good checkpoint (step " + kept + ")"), r.stopReason());
        assertTrue(kept > 0 && kept % o.checkpointEvery == 0 && kept < r.steps() && kept >= r.steps() - o.checkpointEvery,
                "checkpoint of step " + kept + " for a run that diverged at step " + r.steps());
    }

    /**
     * The same when the loss turns NaN while the weights are still finite (a NaN image in a batch): the checkpoint
     * written before stays, and the weights of the step that gave the NaN are not written over it.
     */
    @Test
    void aNaNLossWithFiniteWeightsKeepsTheEarlierCheckpoint(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        // no batch norm: its running statistics would take the NaN in, and the weights must stay finite
        Architecture arch = new Architecture("test", 20, 20, LayerSpec.parseList(
                "conv 3x3 8 pad=1 relu; pool 2; conv 3x3 16 pad=1 relu; pool 2; dense 32 sigmoid"));
        // poison a class whose images are first drawn at step 3 or later, so that a checkpoint comes before it
        for (int poisoned = 0; poisoned < train.classCount(); poisoned++) {
            List<LoadedDataset.LoadedClass> classes = new java.util.ArrayList<>(train.classes());
            LoadedDataset.LoadedClass c = classes.get(poisoned);
            float[] nan = new float[c.images().get(0).length];
            java.util.Arrays.fill(nan, Float.NaN);
            classes.set(poisoned, new LoadedDataset.LoadedClass(c.name(), c.group(), c.imageNames(),
                    java.util.Collections.nCopies(c.size(), nan)));
            LoadedDataset data = LoadedDataset.of(classes);
            long first = firstStepDrawingNaN(TrainingRun.start(options(100), arch, PRE, kernels(), data, validation,
                    dir.resolve("probe" + poisoned), Map.of(), quiet, false).sampler(), 100);
            if (first < 3) {
                continue;
            }
            TrainOptions o = options(100);
            o.checkpointEvery = (int) first - 1;
            o.evalEvery = 1000;
            Path out = dir.resolve("run" + poisoned);
            Trainer.Result r = TrainingRun.start(o, arch, PRE, kernels(), data, validation, out, Map.of(), quiet, false).run();
            assertTrue(r.diverged(), r.stopReason());
            assertEquals(first, r.steps(), r.stopReason());
            assertEquals("the loss became NaN at step " + first + "; kept the last good checkpoint (step " + (first - 1) + ")",
                    r.stopReason());
            assertTrue(r.model() == null && !Files.exists(out.resolve("model.s4j")), "no step was validated, no model kept");
            assertEquals(first - 1, ModelFile.loadCheckpoint(out.resolve("checkpoint.s4j"), kernels()).optimizer().step(),
                    "the checkpoint was written over after the loss turned NaN");
            return;
        }
        throw new AssertionError("no class is first drawn at step 3 or later");
    }

    private static long firstStepDrawingNaN(BatchSampler sampler, long steps) {
        BatchSampler.Batch b = new BatchSampler.Batch();
        for (long step = 0; step < steps; step++) {
            sampler.fill(step, b);
            for (int i = 0; i < b.count() * ARCH.inputHeight() * ARCH.inputWidth(); i++) {
                if (Float.isNaN(b.images()[i])) {
                    return step;
                }
            }
        }
        return steps;
    }

    /** A run that diverges before its first checkpoint says so, and names no checkpoint and no model. */
    @Test
    void aRunThatDivergesBeforeItsFirstCheckpointSaysNoneWasKept(@TempDir Path dir) {
        TrainOptions o = options(200);
        o.learningRate = 1e6;
        o.checkpointEvery = 100;
        o.evalEvery = 100;
        Trainer.Result r = TrainingRun.start(o, ARCH, PRE, kernels(), train, validation, dir, Map.of(),
                new PrintStream(new ByteArrayOutputStream()), false).run();
        assertTrue(r.diverged() && r.steps() < 100, r.stopReason());
        assertTrue(r.stopReason().endsWith("no checkpoint was written before it (the first was due at step 100)"), r.stopReason());
        assertEquals(null, r.checkpoint());
        assertEquals(null, r.model());
        assertTrue(!Files.exists(dir.resolve("checkpoint.s4j")) && !Files.exists(dir.resolve("model.s4j")));
    }

    @Test
    void aRunStartedFromAModelBeginsWithItsWeights(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Path first = dir.resolve("first");
        Trainer.Result trained = TrainingRun.start(options(60), ARCH, PRE, kernels(), train, validation, first, Map.of(), quiet,
                false).run();
        Path source = first.resolve("model.s4j");

        // one step at a negligible rate: the trained weights come back all but unchanged
        TrainOptions o = options(1);
        o.learningRate = 1e-9;
        o.evalEvery = 1;
        Path tuned = dir.resolve("tuned");
        Trainer.Result r = TrainingRun.start(o, ARCH, PRE, kernels(), source, train, validation, tuned, Map.of(), quiet, false).run();
        // validated before the first step: the starting model scores what it scored when it was kept
        assertEquals(0, r.log().get(0).step());
        assertEquals(trained.bestAccuracy(), r.log().get(0).valAccuracy(), 1e-12);
        // no step taken yet: the loss fields of that row are empty, and the row reads back as such
        String row = readLines(tuned.resolve("log.csv")).get(1);
        assertTrue(row.startsWith("0,0.0000,,,,"), row);
        Trainer.LogRow back = Reports.readCsv(tuned.resolve("log.csv"), 0).get(0);
        assertTrue(Double.isNaN(back.loss()) && Double.isNaN(back.pairLoss()), back.toString());
        assertEquals(r.log().get(0).valAccuracy(), back.valAccuracy(), 1e-4);
        SiameseNet a = ModelFile.load(source, kernels()).net();
        SiameseNet b = ModelFile.load(tuned.resolve("model.s4j"), kernels()).net();
        SiameseNet fresh = SiameseNet.create(ARCH, kernels(), false);
        o.init.initialize(fresh, o.seed);
        for (Param p : a.params().params()) {
            if (p.role().trained()) {
                int at = a.params().offsetOf(p);
                float[] expected = java.util.Arrays.copyOfRange(a.params().values(), at, at + p.size());
                float[] got = java.util.Arrays.copyOfRange(b.params().values(), at, at + p.size());
                float[] init = java.util.Arrays.copyOfRange(fresh.params().values(), at, at + p.size());
                assertArrayEquals(expected, got, 1e-6f, p.name());
                if (p.role() == Param.Role.WEIGHT) {
                    assertTrue(maxDifference(expected, init) > 1e-3, p.name() + " differs from a fresh initialisation");
                }
            }
        }
    }

    /**
     * "keeps the starting weights if no step beats them": steps at a learning rate high enough to move every
     * weight far (and to validate worse than the start), so a model written from the last steps' weights, or
     * from any step's, cannot pass for the starting one; the model must hold the starting weights exactly.
     */
    @Test
    void aFineTuneThatNoStepImprovesKeepsTheStartingWeightsExactly(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Trainer.Result trained = TrainingRun.start(options(60), ARCH, PRE, kernels(), train, validation, dir.resolve("first"),
                Map.of(), quiet, false).run();
        Path source = dir.resolve("first").resolve("model.s4j");
        float[] start = ModelFile.load(source, kernels()).net().params().values();

        TrainOptions o = options(4);
        o.learningRate = 20;
        o.evalEvery = 2;
        o.checkpointEvery = 2;
        Path tuned = dir.resolve("tuned");
        Trainer.Result r = TrainingRun.start(o, ARCH, PRE, kernels(), source, train, validation, tuned, Map.of(), quiet, false).run();
        assertTrue(!r.diverged(), r.stopReason());
        assertEquals(4, r.steps());
        // the steps moved the weights far and validated worse than the start
        float[] last = ModelFile.loadCheckpoint(tuned.resolve("checkpoint.s4j"), kernels()).model().net().params().values();
        assertTrue(maxDifference(start, last) > 0.1, "the steps changed the weights by " + maxDifference(start, last));
        assertEquals(trained.bestAccuracy(), r.log().get(0).valAccuracy(), 1e-12);
        for (Trainer.LogRow row : r.log().subList(1, r.log().size())) {
            assertTrue(Double.isNaN(row.valAccuracy()) || row.valAccuracy() < trained.bestAccuracy(),
                    "step " + row.step() + " validated at " + row.valAccuracy() + ", the start at " + trained.bestAccuracy());
        }
        assertEquals(0, r.bestStep());
        ModelFile.Loaded kept = ModelFile.load(tuned.resolve("model.s4j"), kernels());
        assertArrayEquals(start, kept.net().params().values(), "the model holds the starting weights, bit for bit");
        assertEquals("0", kept.metadata().get("steps"));
    }

    @Test
    void aModelOfAnotherArchitectureIsRefusedByName(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        TrainingRun.start(options(20), ARCH, PRE, kernels(), train, validation, dir.resolve("a"), Map.of(), quiet, false).run();
        Architecture wider = new Architecture("wider", 20, 20, LayerSpec.parseList(
                "conv 3x3 12 pad=1 bn relu; pool 2; conv 3x3 16 pad=1 bn relu; pool 2; dense 32 sigmoid"));
        Path source = dir.resolve("a").resolve("model.s4j");
        BadInputException e = assertThrows(BadInputException.class, () -> TrainingRun.start(options(5), wider, PRE, kernels(),
                source, train, validation, dir.resolve("b"), Map.of(), quiet, false));
        assertTrue(e.getMessage().contains(source.toString()) && e.getMessage().contains("architecture"), e.getMessage());
    }

    static double maxDifference(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static java.util.List<String> readLines(Path file) {
        try {
            return java.nio.file.Files.readAllLines(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
