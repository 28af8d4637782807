package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Main;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.OpenSetCalibration;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.SyntheticGlyphs;

/** train and eval through the real command line: JSON output, files written, exit codes, bad input. */
class TrainEvalCommandsTest {
    static final String TOWER = "conv 3x3 6 pad=1 bn relu; pool 2; conv 3x3 8 pad=1 bn relu; pool 2; dense 16 sigmoid";
    @TempDir
    static Path dir;
    static Path data;
    static Path model;
    static List<String> classes;
    static List<String> groups;

    /** A two-level dataset on disk: 4 alphabets x 6 glyphs x 5 drawers, 20x20 PNGs. */
    @BeforeAll
    static void data() throws Exception {
        data = dir.resolve("glyphs");
        LoadedDataset glyphs = SyntheticGlyphs.generate(5, 4, 6, 5, 20);
        classes = glyphs.classes().stream().map(LoadedDataset.LoadedClass::name).toList();
        groups = glyphs.groups();
        for (LoadedDataset.LoadedClass c : glyphs.classes()) {
            Path folder = data.resolve(c.name());
            Files.createDirectories(folder);
            for (int i = 0; i < c.size(); i++) {
                BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY);
                float[] px = c.images().get(i);
                for (int p = 0; p < px.length; p++) {
                    img.getRaster().setSample(p % 20, p / 20, 0, Math.round(px[p]));
                }
                ImageIO.write(img, "png", folder.resolve(String.format(Locale.ROOT, "%02d.png", i)).toFile());
            }
        }
        CliResult r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "30",
                "--eval-every", "10", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6",
                "--val-trials", "50", "--test-trials", "100", "--threads", "2", "--out", dir.resolve("run").toString(), "--json");
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Object> j = r.json();
        model = Path.of((String) j.get("model"));
        assertEquals(30L, ((Number) j.get("steps")).longValue());
        Map<?, ?> test = (Map<?, ?>) j.get("test");
        assertEquals(5L, ((Number) test.get("way")).longValue());
        assertTrue(test.containsKey("pixel_nn") && test.containsKey("ci95"), j.toString());
        for (String f : List.of("model.s4j", "checkpoint.s4j", "log.csv", "chart.png", "trials.png", "report.json")) {
            assertTrue(Files.exists(dir.resolve("run").resolve(f)), f);
        }
    }

    static CliResult run(String... args) {
        return CliResult.inProcess(Main.commands(), args);
    }

    @Test
    void trainingEndsWithAnOpenSetCalibrationOfItsValidationClasses() {
        ModelFile.Loaded m = ModelFile.load(model, FaceFixtures.kernels());
        OpenSetCalibration c = m.openSet().orElseThrow(() -> new AssertionError("no open-set calibration in " + model));
        assertEquals(6, c.people(), "the 6 glyphs of the validation alphabet");
    }

    @Test
    void calibrateWritesACalibratedCopyAndNeverOverwritesTheModel() throws IOException {
        Path out = dir.resolve("calibrated-half.s4j");
        CliResult r = run("calibrate", "--model", model.toString(), "--data", data.toString(), "--out", out.toString(),
                "--half", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        ModelFile.Loaded calibrated = ModelFile.load(out, FaceFixtures.kernels());
        assertTrue(calibrated.openSet().isPresent());
        assertEquals(ModelFile.load(model, FaceFixtures.kernels()).sha256(), calibrated.metadata().get("open-set-calibrated-from"));
        assertTrue(Files.size(out) < Files.size(model), "half precision weights: " + Files.size(out) + " bytes");
        CliResult same = run("calibrate", "--model", model.toString(), "--data", data.toString(), "--out", model.toString());
        assertEquals(ExitCode.USAGE, same.exitCode(), same.toString());
        same.assertOneMessage("--out must be a new file");
    }

    @Test
    void evalOpenSetReportsRankOneAndTheCalibratedRuleOnTheTestClasses() {
        CliResult r = run("eval", "--model", model.toString(), "--data", data.toString(), "--open-set",
                "--gallery-sizes", "2,all", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Object> j = r.json();
        assertEquals("open-set", j.get("task"));
        assertEquals(Boolean.TRUE, j.get("calibrated"));
        List<?> rows = (List<?>) j.get("galleries");
        assertEquals(2, rows.size());
        Map<?, ?> all = (Map<?, ?>) rows.get(1);
        assertEquals(6L, ((Number) all.get("gallery_size")).longValue(), "the 6 glyphs of the test alphabet");
        assertEquals(24L, ((Number) all.get("mated_searches")).longValue(), "4 more drawers of each glyph");
        assertTrue(((Map<?, ?>) all.get("rank1")).containsKey("ci95"), all.toString());
        Map<?, ?> two = (Map<?, ?>) rows.get(0);
        assertTrue(((Number) two.get("non_mated_searches")).longValue() > 0, "left-out glyphs search as strangers");
        assertTrue(two.get("fpir_at_calibrated") != null, two.toString());
    }

    @Test
    void evalOneShotOnTheModelsOwnTestClasses() {
        CliResult r = run("eval", "--model", model.toString(), "--data", data.toString(), "--way", "5", "--trials", "200",
                "--eigenfaces", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Object> j = r.json();
        assertEquals("one-shot", j.get("task"));
        assertEquals(200L, ((Number) j.get("trials")).longValue());
        assertEquals(6L, ((Number) j.get("classes")).longValue(), "one held-out group of 6 classes");
        assertTrue(j.containsKey("eigenfaces") && j.containsKey("pixel_nn"));
    }

    @Test
    void evalAveragesEmbeddingsOverDistortedCopiesWhenAsked() {
        CliResult plain = run("eval", "--model", model.toString(), "--data", data.toString(), "--way", "5", "--trials", "200",
                "--json");
        CliResult tta = run("eval", "--model", model.toString(), "--data", data.toString(), "--way", "5", "--trials", "200",
                "--tta", "4", "--json");
        assertEquals(0, tta.exitCode(), tta.toString());
        assertEquals(1L, ((Number) plain.json().get("tta")).longValue());
        assertEquals(4L, ((Number) tta.json().get("tta")).longValue());
        // the same trials: the pixel baseline is unchanged, the network's accuracy is measured again
        assertEquals(((Map<?, ?>) plain.json().get("pixel_nn")).get("accuracy"), ((Map<?, ?>) tta.json().get("pixel_nn")).get("accuracy"));
        CliResult bad = run("eval", "--model", model.toString(), "--data", data.toString(), "--tta", "0");
        assertEquals(2, bad.exitCode(), bad.toString());
        bad.assertOneMessage("--tta");
    }

    @Test
    void evalEnsemblesAverageModelsWithTheirOwnCropAndRefuseOnesThatSawTheClasses() {
        String[] trial = {"eval", "--model", model.toString(), "--data", data.toString(), "--way", "5", "--trials", "300", "--json"};
        CliResult plain = run(trial);
        // a model averaged with itself picks exactly what it picks alone
        CliResult twice = run(concat(trial, "--ensemble", model.toString()));
        assertEquals(0, twice.exitCode(), twice.toString());
        assertEquals(2L, ((Number) twice.json().get("ensemble")).longValue());
        assertEquals(plain.json().get("accuracy"), twice.json().get("accuracy"));

        // another crop and size, the same split: each member reads the images through its own preprocessing
        Path other = dir.resolve("other-crop");
        CliResult r = run("train", "--data", data.toString(), "--size", "16", "--crop", "0.05,0.05,0.9,0.9", "--tower", TOWER,
                "--steps", "10", "--eval-every", "10", "--way", "5", "--val-groups", "1", "--test-groups", "1",
                "--classes-per-batch", "6", "--val-trials", "20", "--no-test", "--out", other.toString());
        assertEquals(0, r.exitCode(), r.toString());
        CliResult mixed = run(concat(trial, "--ensemble", other.resolve("model.s4j").toString()));
        assertEquals(0, mixed.exitCode(), mixed.toString());
        assertEquals(2L, ((Number) mixed.json().get("ensemble")).longValue());
        assertEquals(((Map<?, ?>) plain.json().get("pixel_nn")).get("accuracy"), ((Map<?, ?>) mixed.json().get("pixel_nn")).get("accuracy"),
                "the same trials");
        assertTrue(mixed.err().contains("siamese x2"), mixed.toString());

        // a member trained on another split has seen some of the test classes: refused
        Path leaky = dir.resolve("leaky");
        r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "2", "--eval-every", "2",
                "--way", "5", "--val-groups", "1", "--test-groups", "1", "--split-seed", "11", "--classes-per-batch", "6",
                "--val-trials", "10", "--no-test", "--out", leaky.toString());
        assertEquals(0, r.exitCode(), r.toString());
        CliResult refused = run(concat(trial, "--ensemble", leaky.resolve("model.s4j").toString()));
        assertEquals(2, refused.exitCode(), refused.toString());
        lastMessage(refused, "was trained on");
        CliResult missing = run(concat(trial, "--ensemble", dir.resolve("nope.s4j").toString()));
        assertEquals(2, missing.exitCode(), missing.toString());
        lastMessage(missing, "nope.s4j");
        assertFalse(missing.err().contains("reading"), "a missing member fails before any data is read: " + missing);
        CliResult faces = run("eval", "--model", model.toString(), "--identification", data.toString(), "--ensemble", model.toString());
        assertEquals(2, faces.exitCode(), faces.toString());
        lastMessage(faces, "--ensemble works with one-shot trials, --pairs and --lake-runs");
    }

    @Test
    void evalLakeRunsAlsoTakesAnEnsemble() throws Exception {
        // one run in Lake's layout, from the glyphs: training/classKK is drawer 0 of glyph K, test/itemKK drawer 1 of another
        Path runs = dir.resolve("lake");
        Path run = runs.resolve("run01");
        Files.createDirectories(run.resolve("training"));
        Files.createDirectories(run.resolve("test"));
        StringBuilder labels = new StringBuilder();
        for (int k = 1; k <= 5; k++) {
            int truth = (k * 3) % 5 + 1;
            String cls = String.format(Locale.ROOT, "class%02d.png", k);
            String item = String.format(Locale.ROOT, "item%02d.png", k);
            Files.copy(data.resolve(classes.get(k - 1)).resolve("00.png"), run.resolve("training").resolve(cls));
            Files.copy(data.resolve(classes.get(truth - 1)).resolve("01.png"), run.resolve("test").resolve(item));
            labels.append("run01/test/").append(item).append(" run01/training/")
                    .append(String.format(Locale.ROOT, "class%02d.png", truth)).append('\n');
        }
        Files.writeString(run.resolve("class_labels.txt"), labels.toString());
        CliResult alone = run("eval", "--model", model.toString(), "--lake-runs", runs.toString(), "--json");
        assertEquals(0, alone.exitCode(), alone.toString());
        CliResult twice = run("eval", "--model", model.toString(), "--lake-runs", runs.toString(), "--ensemble", model.toString(),
                "--json");
        assertEquals(0, twice.exitCode(), twice.toString());
        assertEquals(5L, ((Number) twice.json().get("trials")).longValue());
        assertEquals(2L, ((Number) twice.json().get("ensemble")).longValue());
        assertEquals(alone.json().get("accuracy"), twice.json().get("accuracy"), "a model averaged with itself picks the same");
        assertTrue(twice.err().contains("siamese x2"), twice.toString());
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void evalVerificationOnAPairsFile() throws Exception {
        // 2 folds of 2 same and 2 different pairs over the glyph classes' images (named NN.png, so fake LFW names)
        Path lfw = dir.resolve("lfwlike");
        for (String person : List.of("Ann", "Bob", "Cid", "Dee")) {
            Files.createDirectories(lfw.resolve(person));
            for (int i = 1; i <= 3; i++) {
                Files.copy(data.resolve(classes.get("ABCD".indexOf(person.charAt(0)))).resolve("0" + i + ".png"),
                        lfw.resolve(person).resolve(person + "_000" + i + ".jpg"));
            }
        }
        Path pairs = dir.resolve("pairs.txt");
        Files.writeString(pairs, "2\t2\nAnn\t1\t2\nBob\t1\t3\nAnn\t1\tCid\t1\nBob\t2\tDee\t3\n"
                + "Cid\t1\t2\nDee\t2\t3\nAnn\t3\tDee\t1\nBob\t1\tCid\t3\n");
        CliResult r = run("eval", "--model", model.toString(), "--data", lfw.toString(), "--pairs", pairs.toString(),
                "--folds", "2", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Object> j = r.json();
        assertEquals(4L, ((Number) j.get("pairs")).longValue());
        assertTrue(((Map<?, ?>) j.get("siamese")).containsKey("auc"), j.toString());
        CliResult tta = run("eval", "--model", model.toString(), "--data", lfw.toString(), "--pairs", pairs.toString(),
                "--folds", "2", "--tta", "3", "--tta-augment", "faces", "--json");
        assertEquals(0, tta.exitCode(), tta.toString());
        assertEquals(3L, ((Number) tta.json().get("tta")).longValue());
        assertEquals(4L, ((Number) tta.json().get("pairs")).longValue());
        CliResult both = run("eval", "--model", model.toString(), "--data", lfw.toString(), "--pairs", pairs.toString(),
                "--folds", "2", "--ensemble", model.toString(), "--json");
        assertEquals(0, both.exitCode(), both.toString());
        Map<?, ?> ensembled = (Map<?, ?>) both.json().get("siamese");
        assertEquals(2L, ((Number) both.json().get("ensemble")).longValue());
        assertEquals(((Map<?, ?>) j.get("siamese")).get("auc"), ensembled.get("auc"), "a model averaged with itself scores the same");
        assertFalse(ensembled.containsKey("accuracy_at_threshold"), "an ensemble has no calibrated threshold");
        CliResult bad = run("eval", "--model", model.toString(), "--data", lfw.toString(), "--pairs", pairs.toString(), "--folds", "3");
        assertEquals(2, bad.exitCode(), bad.toString());
        bad.assertOneMessage("--folds", "3");
    }

    @Test
    void theFaceBoxIsRecordedOnlyWhenGiven() {
        assertFalse(org.siamese4j.model.ModelFile.load(model, org.siamese4j.engine.Backend.kernels("scalar", 1))
                .metadata().containsKey("face-box"), "no face box unless told");
        Path out = dir.resolve("facebox");
        CliResult r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "2",
                "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6",
                "--val-trials", "10", "--no-test", "--crop", "0,0.1,1,0.8", "--face-box", "0.1,0.2,0.8,0.6",
                "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.toString());
        var m = org.siamese4j.model.ModelFile.load(out.resolve("model.s4j"), org.siamese4j.engine.Backend.kernels("scalar", 1));
        assertEquals("0.1000,0.2000,0.8000,0.6000", m.metadata().get("face-box"));
        r = run("train", "--data", data.toString(), "--steps", "2", "--face-box", "0.5,0.5,0.8,0.8", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
    }

    @Test
    void groupsTrainOnTheNamedAlphabetsOnly() {
        Path out = dir.resolve("groups");
        CliResult r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "2",
                "--eval-every", "2", "--way", "5", "--groups", groups.get(0) + "," + groups.get(1), "--val-groups", "1",
                "--test-groups", "1", "--classes-per-batch", "6", "--val-trials", "10", "--no-test", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("classes: 12 training, 6 validation, 6 test"), r.err());
        var m = org.siamese4j.model.ModelFile.load(out.resolve("model.s4j"), org.siamese4j.engine.Backend.kernels("scalar", 1));
        assertEquals(groups.get(0) + "\t" + groups.get(1), m.metadata().get("split.train-groups"));
        r = run("train", "--data", data.toString(), "--steps", "2", "--groups", "Klingon", "--out", out.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.toString());
        List<String> lines = r.messages();
        assertTrue(lines.get(lines.size() - 1).contains("--groups: the data has no group 'Klingon'"), r.toString());
        r.assertNoStackTrace();
    }

    @Test
    void rotationsAndMirrorsMultiplyTheTrainingClassesOnlyAndAreKeptForResume() {
        Path out = dir.resolve("mirrors");
        CliResult r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "2",
                "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6",
                "--val-trials", "10", "--no-test", "--mirrors", "--out", out.resolve("m").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("mirrors: 24 training classes"), r.err());
        r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "2",
                "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6",
                "--val-trials", "10", "--no-test", "--rotations", "--mirrors", "--out", out.resolve("rm").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("classes: 12 training, 6 validation, 6 test"), r.err());
        assertTrue(r.err().contains("rotations and mirrors: 96 training classes"), r.err());
        var m = org.siamese4j.model.ModelFile.load(out.resolve("rm").resolve("model.s4j"),
                org.siamese4j.engine.Backend.kernels("scalar", 1));
        assertEquals("true", m.metadata().get("mirrors"));
        r = run("train", "--resume", out.resolve("rm").resolve("checkpoint.s4j").toString(), "--data", data.toString(),
                "--steps", "4", "--no-test");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("rotations and mirrors: 96 training classes"), r.err());
    }

    @Test
    void cosineScheduleAnnealsOverTheStepsAndIsKeptInTheCheckpoint() {
        Path out = dir.resolve("cosine");
        CliResult r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "4",
                "--lr-schedule", "cosine", "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1",
                "--classes-per-batch", "6", "--val-trials", "10", "--no-test", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        var c = org.siamese4j.model.ModelFile.loadCheckpoint(out.resolve("checkpoint.s4j"), org.siamese4j.engine.Backend.kernels("scalar", 1));
        assertEquals(4, c.optimizer().schedule().cosineSteps());
        assertEquals(0.0, c.optimizer().learningRate(0), 1e-12, "annealed to 0 at the last step");
        r = run("train", "--data", data.toString(), "--time-limit", "1m", "--lr-schedule", "cosine", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--lr-schedule cosine needs --steps"), r.toString());
    }

    @Test
    void softmaxLossTrainsAndIsKeptForResume() {
        Path out = dir.resolve("softmax");
        CliResult r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "3",
                "--loss", "bce+softmax", "--eval-every", "3", "--way", "5", "--val-groups", "1", "--test-groups", "1",
                "--classes-per-batch", "6", "--val-trials", "10", "--no-test", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.toString());
        var c = org.siamese4j.model.ModelFile.loadCheckpoint(out.resolve("checkpoint.s4j"), org.siamese4j.engine.Backend.kernels("scalar", 1));
        assertEquals("bce+softmax", c.trainerState().get("loss"));
        r = run("train", "--data", data.toString(), "--steps", "3", "--loss", "bce+softmax", "--sampling", "pairs",
                "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("needs --sampling classes"), r.toString());
    }

    @Test
    void startFromFineTunesAModelOnOtherClassesAndRecordsIt() {
        Path out = dir.resolve("tuned");
        // another split of the same glyphs: the new run's own data, split and settings, the model's network
        CliResult r = run("train", "--data", data.toString(), "--start-from", model.toString(), "--steps", "4",
                "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--split-seed", "7",
                "--classes-per-batch", "6", "--val-trials", "10", "--lr", "0.01", "--no-test", "--out", out.toString(),
                "--json");
        assertEquals(0, r.exitCode(), r.toString());
        var kernels = org.siamese4j.engine.Backend.kernels("scalar", 1);
        var source = org.siamese4j.model.ModelFile.load(model, kernels);
        var tuned = org.siamese4j.model.ModelFile.load(out.resolve("model.s4j"), kernels);
        assertEquals(source.net().architecture(), tuned.net().architecture());
        assertEquals(model.toAbsolutePath() + " sha256:" + source.sha256(), tuned.metadata().get("started-from"));
        assertTrue(r.err().contains("starting from " + model), r.toString());

        // a cropped source: its crop and face box carry over unless --crop is given
        Path cropped = dir.resolve("cropped");
        r = run("train", "--data", data.toString(), "--size", "20", "--tower", TOWER, "--steps", "2", "--eval-every", "2",
                "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6", "--val-trials", "10",
                "--crop", "0.1,0.1,0.8,0.8", "--face-box", "0.2,0.2,0.6,0.6", "--no-test", "--out", cropped.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path kept = dir.resolve("kept");
        r = run("train", "--data", data.toString(), "--start-from", cropped.resolve("model.s4j").toString(), "--steps", "2",
                "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6",
                "--val-trials", "10", "--no-test", "--out", kept.toString());
        assertEquals(0, r.exitCode(), r.toString());
        var keptModel = org.siamese4j.model.ModelFile.load(kept.resolve("model.s4j"), kernels);
        assertEquals(0.8, keptModel.preprocessing().cropWidth(), 1e-9);
        assertEquals(0.1, keptModel.preprocessing().cropLeft(), 1e-9);
        assertEquals("0.2000,0.2000,0.6000,0.6000", keptModel.metadata().get("face-box"));
        Path reset = dir.resolve("reset");
        r = run("train", "--data", data.toString(), "--start-from", cropped.resolve("model.s4j").toString(), "--steps", "2",
                "--eval-every", "2", "--way", "5", "--val-groups", "1", "--test-groups", "1", "--classes-per-batch", "6",
                "--val-trials", "10", "--crop", "0,0,1,1", "--no-test", "--out", reset.toString());
        assertEquals(0, r.exitCode(), r.toString());
        var resetModel = org.siamese4j.model.ModelFile.load(reset.resolve("model.s4j"), kernels);
        assertFalse(resetModel.preprocessing().crops());
        assertFalse(resetModel.metadata().containsKey("face-box"), "a new crop drops the source's face box");

        r = run("train", "--data", data.toString(), "--start-from", model.toString(), "--size", "24", "--steps", "2",
                "--out", dir.resolve("tuned2").toString());
        assertEquals(2, r.exitCode(), r.toString());
        lastMessage(r, "--size: the network comes from --start-from");
        r = run("train", "--start-from", model.toString(), "--resume", out.resolve("checkpoint.s4j").toString(),
                "--steps", "6");
        assertEquals(2, r.exitCode(), r.toString());
        lastMessage(r, "use one of them");
        r = run("train", "--data", data.toString(), "--start-from", data.resolve(classes.get(0)).resolve("00.png").toString(),
                "--steps", "2", "--out", dir.resolve("tuned3").toString());
        assertEquals(2, r.exitCode(), r.toString());
        lastMessage(r, "00.png");
        r = run("train", "--data", data.toString(), "--start-from", out.resolve("checkpoint.s4j").toString(), "--steps", "2",
                "--out", dir.resolve("tuned4").toString());
        assertEquals(2, r.exitCode(), r.toString());
        lastMessage(r, "checkpoint.s4j: not a siamese4j model (magic \"S4JCKPT1\"");
    }

    @Test
    void evalIdentificationProtocol() {
        CliResult r = run("eval", "--model", model.toString(), "--identification", data.resolve(groups.get(1)).toString(),
                "--enrol", "1", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, Object> j = r.json();
        assertEquals(6L, ((Number) j.get("people")).longValue());
        assertEquals(24L, ((Number) j.get("queries")).longValue());
        double sum = ((Number) j.get("accuracy")).doubleValue() + ((Number) j.get("wrong_rate")).doubleValue()
                + ((Number) j.get("unknown_rate")).doubleValue();
        assertEquals(1.0, sum, 1e-9);
    }

    /** Progress lines may come first; the error is the last line, and there is no stack trace. */
    private static void lastMessage(CliResult r, String fragment) {
        List<String> m = r.messages();
        assertTrue(!m.isEmpty() && m.get(m.size() - 1).startsWith("siamese: ") && m.get(m.size() - 1).contains(fragment), r.toString());
        r.assertNoStackTrace();
    }

    @Test
    void badInputGivesOneLineAndExitTwo() {
        CliResult r = run("train", "--data", data.toString(), "--steps", "5", "--way", "50", "--size", "20", "--tower", TOWER,
                "--out", dir.resolve("bad").toString());
        assertEquals(2, r.exitCode(), r.toString());
        lastMessage(r, "--way 50");
        r = run("train", "--data", dir.resolve("missing").toString(), "--steps", "5");
        assertEquals(2, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        r = run("train", "--data", data.toString(), "--size", "20");
        assertEquals(2, r.exitCode(), r.toString());
        lastMessage(r, "--time-limit");
        r = run("eval", "--model", model.toString(), "--data", data.toString(), "--way", "9");
        assertEquals(2, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        r = run("train", "--steps", "0");
        assertEquals(2, r.exitCode(), r.toString());
        r.assertOneMessage("--steps");
    }
}
