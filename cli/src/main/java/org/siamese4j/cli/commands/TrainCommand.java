package org.siamese4j.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.UsageException;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.PairLoss;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.BatchSampler;
import org.siamese4j.train.DataSplits;
import org.siamese4j.train.TrainOptions;
import org.siamese4j.train.Trainer;
import org.siamese4j.train.TrainingRun;
import org.siamese4j.train.image.PixelAugmenter;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.SyntheticGlyphs;
import org.siamese4j.train.eval.Baselines;
import org.siamese4j.train.eval.EmbeddingTable;
import org.siamese4j.train.eval.OneShot;
import org.siamese4j.train.eval.PairList;
import org.siamese4j.faces.FaceAligner;
import org.siamese4j.faces.FaceCropper;
import org.siamese4j.faces.FaceFraming;
import org.siamese4j.train.data.DataSources;

/** {@code siamese train}: trains a Siamese network on a class-per-folder dataset, or on built-in glyphs. */
public final class TrainCommand implements Command {
    static final Option<List<Path>> DATA = Option.value("data", "PATH[,PATH...]", ValueParser.paths(),
            "class-per-folder images, a folder or a .zip; several sources separated by commas keep their classes"
                    + " apart as SOURCE/CLASS (default: built-in synthetic glyphs)");
    /** Model metadata: the training images were framed by the face detector. */
    static final String DETECT_KEY = "detect";
    static final Option<Boolean> DETECT = Option.flag("detect",
            "frame each training image's face with the face detector, as the face commands frame faces in photos"
                    + " (--crop and --face-box place the crop around the detection); images with no face or several"
                    + " are left out and counted");
    static final Option<Boolean> UPRIGHT = Option.flag("upright",
            "with --detect, turn each face upright (its in-plane turn found by the built-in frontal-face cascade) before"
                    + " cropping; recorded in the model, so the face commands turn faces in photos the same way");
    static final Option<String> PRESET = Option.value("preset", "NAME", ValueParser.oneOf("compact", "koch", "small28"),
            "network preset: compact, koch or small28").defaultValue("compact");
    static final Option<String> TOWER = Option.value("tower", "SPEC", ValueParser.text(),
            "a custom tower, e.g. 'conv 3x3 64 pad=1 bn relu; pool 2; dense 128 sigmoid'");
    static final Option<Integer> SIZE = Option.value("size", "PX", ValueParser.positiveInt(Architecture.MAX_INPUT),
            "input size in pixels (square), overriding the preset's");
    static final Option<double[]> CROP = Option.value("crop", "L,T,W,H", ValueParser.box(),
            "crop each image to this box (fractions) before resizing, e.g. 0.264,0.264,0.488,0.488 for LFW faces");
    static final Option<double[]> FACE_BOX = Option.value("face-box", "L,T,W,H", ValueParser.box(),
            "where the face detector finds the face in the training images (fractions), stored in the model so"
                    + " that the face commands crop detected faces the same way (default for the face commands:"
                    + " LFW's 0.264,0.264,0.488,0.488)");
    static final Option<String> INVERT = Option.value("invert", "MODE", ValueParser.oneOf("auto", "yes", "no"),
            "invert pixel values (auto: for dark strokes on white)").defaultValue("auto");
    static final Option<Path> OUT = Option.value("out", "DIR", ValueParser.path(), "output folder (default runs/<data name>)");
    static final Option<Path> RESUME = Option.value("resume", "CHECKPOINT", ValueParser.path(),
            "continue exactly from a checkpoint (its data split and settings are kept)");
    static final Option<Path> START_FROM = Option.value("start-from", "MODEL", ValueParser.path(),
            "start from the weights of a trained model (fine-tuning), with a fresh optimizer; the network is the"
                    + " model's, so --preset, --tower, --size and --init do not apply; without --crop, its crop and"
                    + " face box are kept");
    static final Option<Long> STEPS = Option.value("steps", "N", ValueParser.positiveLong(), "stop after N steps");
    static final Option<Double> EPOCHS = Option.value("epochs", "E", ValueParser.positiveDouble(), "stop after E epochs");
    static final Option<Duration> TIME = Option.value("time-limit", "T", ValueParser.duration(),
            "stop after this much time, e.g. 90s, 10m, 1h (resumed runs count the earlier time)");
    static final Option<Integer> PATIENCE = Option.value("patience", "N", ValueParser.nonNegativeInt(),
            "stop after N validations without improvement (0: never)").defaultValue(0);
    static final Option<Integer> EVAL_EVERY = Option.value("eval-every", "STEPS", ValueParser.positiveInt(),
            "validate every this many steps").defaultValue(500);
    static final Option<Integer> CHECKPOINT_EVERY = Option.value("checkpoint-every", "STEPS", ValueParser.positiveInt(),
            "write a checkpoint every this many steps").defaultValue(500);
    static final Option<String> SAMPLING = Option.value("sampling", "SCHEME", ValueParser.oneOf("classes", "pairs"),
            "classes: P classes x K images, every pair scored; pairs: Koch's same/different pairs").defaultValue("classes");
    static final Option<Integer> BATCH = Option.value("batch", "PAIRS", ValueParser.positiveInt(4096),
            "pairs per step with --sampling pairs").defaultValue(64);
    static final Option<Integer> CLASSES = Option.value("classes-per-batch", "P", ValueParser.positiveInt(4096),
            "classes per step with --sampling classes").defaultValue(32);
    static final Option<Integer> PER_CLASS = Option.value("images-per-class", "K", ValueParser.positiveInt(64),
            "images per class per step with --sampling classes").defaultValue(2);
    static final Option<Boolean> ACROSS = Option.flag("across-groups",
            "draw negatives from any class instead of the same group (alphabet)");
    static final Option<String> AUGMENT = Option.value("augment", "NAME", ValueParser.oneOf("koch", "flip", "faces", "none"),
            "augmentation: Koch's affine distortions, plus flips, milder for faces, or none").defaultValue("koch");
    static final Option<Double> AUGMENT_STRENGTH = Option.value("augment-strength", "S",
            ValueParser.doubleIn(0, org.siamese4j.train.image.AffineAugmenter.Params.MAX_STRENGTH),
            "multiply every range of --augment (rotation, shear, scale, shift) by S").defaultValue(1.0);
    static final Option<Double> AUGMENT_INTENSITY = Option.value("augment-intensity", "S",
            ValueParser.doubleIn(0, PixelAugmenter.Params.MAX_INTENSITY),
            "after --augment, scale contrast by 1-S..1+S and shift brightness by up to S*64 levels").defaultValue(0.0);
    static final Option<Double> AUGMENT_ERASE = Option.value("augment-erase", "P", ValueParser.probability(),
            "after --augment, erase a random rectangle (2-40 % of the image) with probability P").defaultValue(0.0);
    static final Option<Double> LR = Option.value("lr", "RATE", ValueParser.positiveDouble(), "learning rate").defaultValue(0.05);
    static final Option<Double> L2 = Option.value("l2", "LAMBDA", ValueParser.nonNegativeDouble(), "L2 weight decay").defaultValue(1e-4);
    static final Option<Double> MOMENTUM = Option.value("momentum", "MU", ValueParser.probability(),
            "final momentum (starts at 0.5)").defaultValue(0.9);
    static final Option<Double> DECAY = Option.value("lr-decay", "FACTOR", ValueParser.probability(),
            "learning-rate factor per epoch").defaultValue(0.99);
    static final Option<String> LR_SCHEDULE = Option.value("lr-schedule", "NAME", ValueParser.oneOf("decay", "cosine"),
            "decay: --lr-decay per epoch (Koch); cosine: from --lr down to 0 over --steps, or over --time-limit when that ends first").defaultValue("decay");
    static final Option<String> LOSS = Option.value("loss", "NAME",
            ValueParser.oneOf(java.util.Arrays.stream(PairLoss.values()).map(PairLoss::cliName).toArray(String[]::new)),
            "bce: binary cross-entropy per pair (Koch); bce+softmax: plus, for each image, the cross-entropy of"
                    + " ranking its own class first among all its pairs in the batch (needs --sampling classes)")
            .defaultValue("bce");
    static final Option<Initializer> INIT = Option.value("init", "SCHEME", ValueParser.enumOf(Initializer.class),
            "weight initialisation: he or paper (Koch et al.)").defaultValue(Initializer.HE);
    static final Option<Long> SEED = Option.value("seed", "N", ValueParser.anyLong(), "random seed").defaultValue(1L);
    static final Option<Integer> WAY = Option.value("way", "N", ValueParser.intRange(2, 1000),
            "N-way one-shot for validation and the final test").defaultValue(20);
    static final Option<Integer> VAL_TRIALS = Option.value("val-trials", "N", ValueParser.positiveInt(100_000),
            "one-shot trials per validation").defaultValue(1000);
    static final Option<Integer> TEST_TRIALS = Option.value("test-trials", "N", ValueParser.positiveInt(1_000_000),
            "one-shot trials of the final test").defaultValue(2000);
    static final Option<List<String>> GROUPS = Option.value("groups", "LIST", ValueParser.list(),
            "train on these groups (alphabets) only, e.g. Lake's small 1: Balinese,Early_Aramaic,Greek,Korean,Latin;"
                    + " validation and test groups come from the others");
    static final Option<Integer> VAL_GROUPS = Option.value("val-groups", "N", ValueParser.nonNegativeInt(),
            "hold out N groups (alphabets) for validation (default 5 when the data has groups)");
    static final Option<Integer> TEST_GROUPS = Option.value("test-groups", "N", ValueParser.nonNegativeInt(),
            "hold out N groups (alphabets) for the final test (default 5 when the data has groups)");
    static final Option<List<String>> VAL_CLASSES = Option.value("val-classes", "LIST", ValueParser.list(),
            "hold out these classes for validation (names, or ranges like s26..s30)");
    static final Option<List<String>> TEST_CLASSES = Option.value("test-classes", "LIST", ValueParser.list(),
            "hold out these classes for the final test (names, or ranges like s31..s40)");
    static final Option<Double> VAL_FRACTION = Option.value("val-fraction", "F", ValueParser.probability(),
            "hold out this fraction of classes for validation when no groups or list are given").defaultValue(0.1);
    static final Option<Path> EXCLUDE_PAIRS = Option.value("exclude-pairs", "PAIRS.TXT", ValueParser.path(),
            "an LFW-style pairs file whose --exclude-folds people are held out as the test set");
    static final Option<List<String>> EXCLUDE_FOLDS = Option.value("exclude-folds", "LIST", ValueParser.list(),
            "folds of --exclude-pairs to hold out, e.g. 5");
    static final Option<Long> SPLIT_SEED = Option.value("split-seed", "N", ValueParser.anyLong(),
            "seed of the class split").defaultValue(2026L);
    static final Option<Boolean> BASELINES = Option.flag("eigenfaces", "also report the Eigenfaces baseline on the test trials");
    static final Option<Boolean> ROTATIONS = Option.flag("rotations",
            "also train on every class rotated by 90, 180 and 270 degrees as new classes (characters)");
    static final Option<Boolean> MIRRORS = Option.flag("mirrors",
            "also train on every class (and, with --rotations, every rotation) mirrored left to right as new classes (characters)");
    static final Option<Boolean> NO_TEST = Option.flag("no-test",
            "do not run the final test (while tuning: look only at validation, never at the test classes)");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a Siamese network on images (or on built-in synthetic glyphs) and test it on unseen classes";
    }

    @Override
    public String details() {
        return """
                Trains the twin-tower network on pairs from a class-per-folder dataset (a folder or a .zip; the class
                is the folder that holds the images, its parent folder a group such as an Omniglot alphabet). Classes
                are split, never images: validation classes drive early stopping and the decision threshold, test
                classes are only used for the final N-way one-shot test, next to the pixel nearest-neighbour baseline.
                Without --data it trains on built-in procedurally drawn glyphs for about 90 seconds. Several --data
                sources (comma-separated) keep their classes apart as SOURCE/CLASS. --detect frames every training image
                with the face detector, as the face commands frame faces in photos; --upright turns each face upright
                first, and the face commands then do the same for the model.

                --start-from MODEL fine-tunes a trained model on new data (e.g. the LFW face model on your own
                people): its network and weights, a fresh optimizer, and this run's own data and split. Without
                --crop the model's crop and face box carry over (photos framed the same way); with it, neither does.

                Writes to --out: model.s4j (best by validation, with its calibrated threshold), checkpoint.s4j
                (resume with --resume), log.csv, chart.png and trials.png. Ctrl-C saves a checkpoint and stops.

                Exit codes: 0 trained; 1 the loss diverged (the last good checkpoint and the best model so far are
                kept; JSON's checkpoint or model is null when there was none yet); 2 bad input, or the --out folder is
                in use by another training run (a run holds its folder until it ends; one that was killed is taken over).
                JSON: {model, checkpoint, out, steps, epochs, seconds, stop_reason, best_val_accuracy, threshold,
                       images_per_second, pairs_per_second, data{...}, test{way, trials, accuracy, ci95, pixel_nn{...}}}

                examples:
                  siamese train
                  siamese train --data images_background.zip --time-limit 60m --out runs/omniglot
                  siamese train --data att_faces --test-classes s31..s40 --val-classes s26..s30 --way 10 --time-limit 10m
                  siamese train --data lfw-train.zip --exclude-pairs pairs.txt --exclude-folds 5 --crop 0.25,0.25,0.5,0.5 \\
                      --face-box 0.264,0.264,0.488,0.488 --augment faces --lr 0.2 --time-limit 55m
                  siamese train --data lfw-train.zip,celeba-10k.zip,celeba-photos.zip --detect --exclude-pairs pairs.txt \\
                      --exclude-folds 5 --crop 0.25,0.25,0.5,0.5 --augment faces --lr 0.2 --lr-schedule cosine \\
                      --loss bce+softmax --classes-per-batch 16 --images-per-class 4 --steps 36000
                  siamese train --data images_background.zip --groups Balinese,Early_Aramaic,Greek,Korean,Latin""";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> all = new java.util.ArrayList<>(List.of(DATA, DETECT, UPRIGHT));
        all.addAll(FaceOptions.DETECTOR);
        all.addAll(List.of(PRESET, TOWER, SIZE, CROP, FACE_BOX, INVERT, OUT, RESUME, START_FROM, STEPS, EPOCHS, TIME, PATIENCE, EVAL_EVERY,
                CHECKPOINT_EVERY, SAMPLING, BATCH, CLASSES, PER_CLASS, ACROSS, AUGMENT, AUGMENT_STRENGTH,
                AUGMENT_INTENSITY, AUGMENT_ERASE, LR, L2, MOMENTUM, DECAY, LR_SCHEDULE, LOSS, INIT, SEED,
                WAY, VAL_TRIALS, TEST_TRIALS, GROUPS, VAL_GROUPS, TEST_GROUPS, VAL_CLASSES, TEST_CLASSES, VAL_FRACTION,
                EXCLUDE_PAIRS, EXCLUDE_FOLDS, SPLIT_SEED, BASELINES, ROTATIONS, MIRRORS, NO_TEST));
        return all;
    }

    @Override
    public int run(Invocation inv) throws Exception {
        // the run holds its output folder from here to its end: a second train or --resume on it stops at once
        Path out = outputFolder(inv);
        try (RunFolderLock claim = RunFolderLock.claim(out, inv::progress)) {
            return runIn(inv, out);
        }
    }

    /** Where a run writes: --out, else a resumed checkpoint's folder, else runs/DATA-NAME. */
    static Path outputFolder(Invocation inv) {
        List<Path> data = inv.get(DATA);
        return inv.get(OUT) != null ? inv.get(OUT)
                : inv.get(RESUME) != null ? resumedRunFolder(inv.get(RESUME))
                : Path.of("runs", data == null ? "synthetic" : String.join("+", DataSources.labels(data)));
    }

    private int runIn(Invocation inv, Path out) throws Exception {
        List<Path> data = inv.get(DATA);
        boolean synthetic = data == null && !inv.has(RESUME);
        Path resume = inv.get(RESUME);
        ModelFile.Checkpoint checkpoint = null;
        if (resume != null) {
            checkpoint = ModelFile.loadCheckpoint(resume, inv.kernels());
            inv.progress("resuming from step " + checkpoint.optimizer().step() + " of " + resume);
            if (data == null) {
                String recorded = checkpoint.model().metadata().getOrDefault("data", "");
                if (recorded.equals("synthetic")) {
                    synthetic = true;
                } else if (recorded.isEmpty()) {
                    throw new UsageException("the checkpoint records no data path: pass --data");
                } else {
                    data = DataSources.parse(recorded);
                }
            }
        }
        Path startFrom = inv.get(START_FROM);
        ModelFile.Loaded source = null;
        double[] sourceCrop = null;
        String sourceFaceBox = null;
        Architecture arch;
        Preprocessing pre;
        if (checkpoint != null) {
            if (startFrom != null) {
                throw new UsageException("--start-from begins a new run; --resume continues one: use one of them");
            }
            arch = checkpoint.model().net().architecture();
            pre = checkpoint.model().preprocessing();
        } else {
            if (startFrom != null) {
                for (Option<?> fixed : List.of(PRESET, TOWER, SIZE, INIT)) {
                    if (inv.has(fixed)) {
                        throw new UsageException("--" + fixed.name() + ": the network comes from --start-from " + startFrom);
                    }
                }
                // read once, as the network this run trains on
                source = ModelFile.loadTrainable(startFrom, inv.kernels());
                arch = source.net().architecture();
                inv.progress("starting from " + startFrom + " (" + arch.name() + ", trained on "
                        + source.metadata().getOrDefault("data", "unrecorded data") + ")");
                // photos framed like the source's keep its crop and face box unless told otherwise
                Preprocessing sp = source.preprocessing();
                if (inv.get(CROP) == null && sp.crops()) {
                    sourceCrop = new double[] {sp.cropLeft(), sp.cropTop(), sp.cropWidth(), sp.cropHeight()};
                    inv.progress(String.format(Locale.ROOT, "crop %.4f,%.4f,%.4f,%.4f from %s (--crop 0,0,1,1 for none)",
                            sourceCrop[0], sourceCrop[1], sourceCrop[2], sourceCrop[3], startFrom));
                }
                sourceFaceBox = source.metadata().get(FaceCropper.METADATA_KEY);
            } else {
                arch = architecture(inv);
            }
            pre = Preprocessing.plain(arch.inputWidth(), arch.inputHeight());
            double[] crop = inv.get(CROP) != null ? inv.get(CROP) : sourceCrop;
            if (crop != null) {
                pre = pre.withCrop(crop[0], crop[1], crop[2], crop[3]);
            }
        }
        boolean detect = checkpoint != null
                ? Boolean.parseBoolean(checkpoint.model().metadata().getOrDefault(DETECT_KEY, "false")) : inv.get(DETECT);
        if (detect && synthetic) {
            throw new UsageException("--detect frames faces in --data images: give --data");
        }
        boolean upright = checkpoint != null
                ? FaceCropper.UPRIGHT.equals(checkpoint.model().metadata().get(FaceCropper.ALIGN_KEY)) : inv.get(UPRIGHT);
        if (upright && !detect) {
            throw new UsageException("--upright turns the faces --detect finds: give --detect too");
        }
        FaceCropper.Reference reference = faceBox(inv, checkpoint, sourceFaceBox);
        LoadedDataset all = synthetic
                ? SyntheticGlyphs.generate(inv.get(SEED) + 1000, 24, 20, 10, arch.inputWidth())
                : detect ? TrainingData.loadFaces(inv, TrainingData.Sources.of(data), new FaceFraming(
                        FaceOptions.detector(inv), new FaceCropper(pre, reference, upright ? FaceAligner.standard() : null)))
                : TrainingData.load(inv, TrainingData.Sources.of(data), pre);
        if (synthetic && arch.inputWidth() != arch.inputHeight()) {
            throw new UsageException("the built-in glyphs are square: use a square --size");
        }
        // invert and normalise: stroke images become bright strokes on zero, photos keep their polarity
        double meanPixel = TrainingData.meanPixel(all);
        float fill = TrainingData.backgroundFill(meanPixel);
        if (checkpoint == null) {
            String mode = inv.get(INVERT);
            boolean invert = mode.equals("yes") || (mode.equals("auto") && TrainingData.lightBackground(meanPixel));
            double[] stats = TrainingData.inputStatistics(all, invert);
            pre = pre.withNormalization(invert, stats[0], stats[1]);
        }

        DataSplits.Splits splits = checkpoint != null ? recordedSplits(all, checkpoint.model().metadata())
                : split(inv, all, synthetic ? List.of() : data);
        inv.progress(String.format(Locale.ROOT, "classes: %d training, %d validation, %d test", splits.train().classCount(),
                splits.validation() == null ? 0 : splits.validation().classCount(),
                splits.test() == null ? 0 : splits.test().classCount()));

        boolean rotations = checkpoint != null
                ? Boolean.parseBoolean(checkpoint.model().metadata().getOrDefault("rotations", "false")) : inv.get(ROTATIONS);
        boolean mirrors = checkpoint != null
                ? Boolean.parseBoolean(checkpoint.model().metadata().getOrDefault("mirrors", "false")) : inv.get(MIRRORS);
        if (rotations || mirrors) {
            if (arch.inputWidth() != arch.inputHeight()) {
                throw new UsageException((rotations ? "--rotations" : "--mirrors") + " needs a square input size");
            }
            splits = new DataSplits.Splits(org.siamese4j.train.RotatedClasses.expand(splits.train(), arch.inputWidth(), rotations,
                    mirrors), splits.validation(), splits.test(), splits.metadata());
            inv.progress((rotations && mirrors ? "rotations and mirrors: " : rotations ? "rotations: " : "mirrors: ")
                    + splits.train().classCount() + " training classes");
        }
        TrainOptions o = options(inv, synthetic, fill);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("data", synthetic ? "synthetic" : DataSources.format(data));
        if (detect) {
            metadata.put(DETECT_KEY, "true");
            metadata.put("detect.cascade", inv.get(FaceOptions.CASCADE) == null ? "built-in"
                    : inv.get(FaceOptions.CASCADE).toAbsolutePath().toString());
            metadata.put("detect.options", FaceOptions.detectorOptions(inv).toString());
            all.leftOutCounts().forEach((reason, n) -> metadata.put("detect.left-out." + reason.replace(' ', '-'),
                    Integer.toString(n)));
        }
        metadata.put("preset", arch.name());
        metadata.put("rotations", Boolean.toString(rotations));
        metadata.put("mirrors", Boolean.toString(mirrors));
        if (startFrom != null) {
            metadata.put("started-from", startFrom.toAbsolutePath() + " sha256:" + source.sha256());
        }
        metadata.putAll(splits.metadata());
        double[] faceBox = inv.get(FACE_BOX);
        if (upright) {
            metadata.put(FaceCropper.ALIGN_KEY, FaceCropper.UPRIGHT);
        }
        if (faceBox != null || detect) {
            metadata.put(FaceCropper.METADATA_KEY, String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f",
                    reference.left(), reference.top(), reference.width(), reference.height()));
        } else if (sourceFaceBox != null && inv.get(CROP) == null) {
            metadata.put(FaceCropper.METADATA_KEY, sourceFaceBox);
        }
        Trainer.Result r = train(inv, checkpoint, source, o, arch, pre, splits, out, metadata);
        // the finished run's network, gradients and momentum go before the final test (koch, -Xmx2g)
        checkpoint = null;
        source = null;
        inv.progress("stopped: " + r.stopReason());

        Json.Obj test = null;
        if (splits.test() != null && r.model() != null && !inv.get(NO_TEST)) {
            test = finalTest(inv, r.model(), splits, arch, o);
        }
        report(inv, r, splits, out, test, synthetic);
        return r.diverged() ? ExitCode.FAILED : ExitCode.OK;
    }

    /**
     * Runs the trainer (from scratch, on {@code startFrom}'s network, or on {@code resume}'s network and optimizer)
     * with a Ctrl-C hook. Its own frame, so that the trainer (network, gradients, optimizer, activations) is unreachable once it returns,
     * before the final test loads the best model.
     */
    private static Trainer.Result train(Invocation inv, ModelFile.Checkpoint resume, ModelFile.Loaded startFrom, TrainOptions o,
                                        Architecture arch, Preprocessing pre, DataSplits.Splits splits, Path out,
                                        Map<String, String> metadata) {
        boolean interactive = System.console() != null && !inv.json();
        Trainer trainer;
        if (resume != null) {
            trainer = TrainingRun.resume(resume, o, splits.train(), splits.validation(), out, inv.err(), interactive);
        } else if (startFrom != null) {
            trainer = TrainingRun.fineTune(o, startFrom, pre, splits.train(), splits.validation(), out, metadata, inv.err(),
                    interactive);
        } else {
            trainer = TrainingRun.start(o, arch, pre, inv.kernels(), splits.train(), splits.validation(), out, metadata,
                    inv.err(), interactive);
        }
        inv.progress(String.format(Locale.ROOT, "training %s (%,d parameters, %s kernels on %d threads) -> %s", arch.name(),
                arch.parameterCount(), inv.kernels().name(), inv.kernels().threads(), out));
        Thread hook = new Thread(() -> {
            trainer.requestStop("interrupted (Ctrl-C); checkpoint saved");
            try {
                // the JVM ends with this hook, maybe before the main thread prints again: say it here
                if (trainer.awaitFinished(120_000)) {
                    inv.err().println("siamese: interrupted; saved " + trainer.checkpointPath() + " (continue with --resume "
                            + trainer.checkpointPath() + ")");
                    inv.err().flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "siamese4j-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        Trainer.Result r;
        try {
            r = trainer.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting (Ctrl-C): the hook is waiting for us, which is what we want
            }
        }
        return r;
    }

    private static Architecture architecture(Invocation inv) {
        Architecture base = Architecture.preset(inv.get(PRESET));
        if (inv.get(TOWER) != null) {
            try {
                base = new Architecture("custom", base.inputHeight(), base.inputWidth(), LayerSpec.parseList(inv.get(TOWER)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--tower: " + e.getMessage());
            }
        }
        Integer size = inv.get(SIZE);
        if (size != null) {
            base = base.withInput(base.name(), size, size);
        }
        try {
            base.parameterCount();
        } catch (IllegalArgumentException e) {
            throw new UsageException("network: " + e.getMessage());
        }
        return base;
    }

    /** Where the detector puts a face in the training frame: --face-box, the checkpoint's or source's, or LFW's. */
    private static FaceCropper.Reference faceBox(Invocation inv, ModelFile.Checkpoint checkpoint, String sourceFaceBox) {
        String recorded = checkpoint != null ? checkpoint.model().metadata().get(FaceCropper.METADATA_KEY)
                : inv.get(CROP) == null ? sourceFaceBox : null;
        double[] box = inv.get(FACE_BOX);
        try {
            return box != null && checkpoint == null ? new FaceCropper.Reference(box[0], box[1], box[2], box[3])
                    : recorded != null ? FaceCropper.Reference.parse(recorded) : FaceCropper.LFW;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--face-box: " + e.getMessage());
        }
    }

    /** The split of a new run; {@code sources} are the --data paths (several: classes named SOURCE/CLASS). */
    private static DataSplits.Splits split(Invocation inv, LoadedDataset all, List<Path> sources) {
        DataSplits.Spec spec = new DataSplits.Spec();
        spec.seed = inv.get(SPLIT_SEED);
        if (inv.get(GROUPS) != null) {
            spec.trainGroups = sources.size() < 2 ? inv.get(GROUPS) : qualifiedGroups(inv.get(GROUPS), sources, all);
        }
        boolean grouped = all.classes().stream().anyMatch(c -> !c.group().isEmpty());
        int way = inv.get(WAY);
        spec.minGroupClasses = way;
        if (inv.get(EXCLUDE_PAIRS) != null) {
            if (inv.get(EXCLUDE_FOLDS) == null) {
                throw new UsageException("--exclude-pairs needs --exclude-folds");
            }
            PairList pairs = PairList.read(inv.get(EXCLUDE_PAIRS));
            java.util.Set<Integer> folds = new java.util.TreeSet<>();
            for (String f : inv.get(EXCLUDE_FOLDS)) {
                try {
                    int v = Integer.parseInt(f);
                    if (v < 1 || v > pairs.folds()) {
                        throw new NumberFormatException();
                    }
                    folds.add(v);
                } catch (NumberFormatException e) {
                    throw new UsageException("--exclude-folds: " + f + " is not a fold of " + inv.get(EXCLUDE_PAIRS)
                            + " (1.." + pairs.folds() + ")");
                }
            }
            spec.testClasses = qualified(List.copyOf(pairs.people(folds)), sources, all);
        } else if (inv.get(TEST_CLASSES) != null) {
            spec.testClasses = qualified(inv.get(TEST_CLASSES), sources, all);
        } else if (grouped) {
            spec.testGroups = inv.get(TEST_GROUPS) != null ? inv.get(TEST_GROUPS) : 5;
        } else if (inv.get(TEST_GROUPS) != null && inv.get(TEST_GROUPS) > 0) {
            throw new UsageException("--test-groups: the data has no groups (a two-level folder tree); use --test-classes");
        }
        if (inv.get(VAL_CLASSES) != null) {
            spec.validationClasses = qualified(inv.get(VAL_CLASSES), sources, all);
        } else if (grouped && !inv.has(VAL_FRACTION)) {
            spec.validationGroups = inv.get(VAL_GROUPS) != null ? inv.get(VAL_GROUPS) : 5;
            spec.validationFraction = 0;
        } else {
            spec.validationFraction = inv.get(VAL_FRACTION);
        }
        long usable = all.classes().stream().filter(c -> c.size() >= 2).count();
        if (usable < way) {
            throw new BadInputException("--way " + way + " needs " + way + " classes with 2+ images; the data has " + usable);
        }
        return DataSplits.make(all, spec);
    }

    /** Group names as given, as the multi-source data spells them (SOURCE/GROUP) when one source has them. */
    private static List<String> qualifiedGroups(List<String> groups, List<Path> sources, LoadedDataset all) {
        return DataSources.qualify(groups, DataSources.labels(sources), java.util.Set.copyOf(all.groups()));
    }

    /** Class names as given (a pairs file's people, --test-classes) as the multi-source data spells them. */
    private static List<String> qualified(List<String> names, List<Path> sources, LoadedDataset all) {
        if (sources.size() < 2) {
            return names;
        }
        return DataSources.qualify(DataSplits.expandNames(names), DataSources.labels(sources), all);
    }

    /** On resume, the same classes as before: the split is read from the checkpoint, not drawn again. */
    private static DataSplits.Splits recordedSplits(LoadedDataset all, Map<String, String> meta) {
        LoadedDataset test = meta.getOrDefault(DataSplits.TEST_KEY, "").isEmpty() ? null
                : DataSplits.select(all, meta, DataSplits.TEST_KEY);
        LoadedDataset val = meta.getOrDefault(DataSplits.VALIDATION_KEY, "").isEmpty() ? null
                : DataSplits.select(all, meta, DataSplits.VALIDATION_KEY);
        LoadedDataset train = DataSplits.trainedOn(all, meta);
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey().startsWith("split.")) {
                m.put(e.getKey(), e.getValue());
            }
        }
        return new DataSplits.Splits(train, val, test, m);
    }

    private static TrainOptions options(Invocation inv, boolean synthetic, float fill) {
        TrainOptions o = new TrainOptions();
        o.seed = inv.get(SEED);
        o.scheme = inv.get(SAMPLING).equals("pairs") ? BatchSampler.Scheme.PAIRS : BatchSampler.Scheme.CLASSES;
        o.pairsPerBatch = inv.get(BATCH);
        o.classesPerBatch = inv.get(CLASSES);
        o.imagesPerClass = inv.get(PER_CLASS);
        o.withinGroup = !inv.get(ACROSS);
        o.augmentation = inv.get(AUGMENT);
        o.augmentStrength = inv.get(AUGMENT_STRENGTH);
        o.pixelAugment = new PixelAugmenter.Params(inv.get(AUGMENT_INTENSITY), inv.get(AUGMENT_ERASE));
        o.fill = fill;
        o.learningRate = inv.get(LR);
        o.l2 = inv.get(L2);
        o.momentum = inv.get(MOMENTUM);
        o.decayPerEpoch = inv.get(DECAY);
        if (inv.get(LR_SCHEDULE).equals("cosine")) {
            if (inv.get(STEPS) == null) {
                throw new UsageException("--lr-schedule cosine needs --steps (the steps it anneals over)");
            }
            o.cosineSteps = inv.get(STEPS);
        }
        o.init = inv.get(INIT);
        o.loss = PairLoss.parse(inv.get(LOSS));
        if (o.loss != PairLoss.BCE && o.scheme != BatchSampler.Scheme.CLASSES) {
            throw new UsageException("--loss " + inv.get(LOSS) + " ranks classes within a batch: it needs --sampling classes");
        }
        o.maxSteps = inv.get(STEPS) != null ? inv.get(STEPS) : Long.MAX_VALUE;
        o.maxEpochs = inv.get(EPOCHS) != null ? inv.get(EPOCHS) : Double.POSITIVE_INFINITY;
        o.timeLimit = inv.get(TIME);
        if (synthetic && o.timeLimit == null && inv.get(STEPS) == null && inv.get(EPOCHS) == null) {
            o.timeLimit = Duration.ofSeconds(90);
        }
        if (!synthetic && o.timeLimit == null && inv.get(STEPS) == null && inv.get(EPOCHS) == null) {
            throw new UsageException("say when to stop: --time-limit, --steps or --epochs");
        }
        o.patience = inv.get(PATIENCE);
        o.evalEvery = synthetic && !inv.has(EVAL_EVERY) ? 100 : inv.get(EVAL_EVERY);
        o.checkpointEvery = inv.get(CHECKPOINT_EVERY);
        o.valWay = inv.get(WAY);
        o.valTrials = inv.get(VAL_TRIALS);
        o.valWithinGroup = !inv.get(ACROSS);
        return o;
    }

    private static Json.Obj finalTest(Invocation inv, Path model, DataSplits.Splits splits, Architecture arch, TrainOptions o) {
        ModelFile.Loaded best = ModelFile.load(model, inv.kernels());
        LoadedDataset test = splits.test();
        long usable = test.classes().stream().filter(c -> c.size() >= 2).count();
        int way = (int) Math.min(o.valWay, usable);
        if (way < 2) {
            return null;
        }
        boolean grouped = test.classes().stream().anyMatch(c -> !c.group().isEmpty()) && o.valWithinGroup;
        List<OneShot.Trial> trials;
        try {
            trials = OneShot.trials(test, way, inv.get(TEST_TRIALS), grouped, o.seed ^ 0x7E57L);
        } catch (BadInputException e) {
            grouped = false;
            trials = OneShot.trials(test, way, inv.get(TEST_TRIALS), false, o.seed ^ 0x7E57L);
        }
        SiameseNet net = best.net();
        OneShot.Result ours = OneShot.evaluate(trials, new EmbeddingTable(net, best.preprocessing(), test));
        OneShot.Result pixels = OneShot.evaluate(trials, Baselines.pixels(test));
        inv.progress("test (unseen classes): " + ours.format() + (grouped ? ", within groups" : ""));
        inv.progress("pixel nearest neighbour on the same trials: " + pixels.format());
        Json.Obj t = Json.object().put("way", way).put("trials", ours.trials()).put("within_groups", grouped)
                .put("accuracy", ours.accuracy()).put("ci95", new double[] {ours.ci95Low(), ours.ci95High()})
                .put("pixel_nn", resultJson(pixels));
        if (inv.get(BASELINES)) {
            OneShot.Result eig = OneShot.evaluate(trials,
                    Baselines.Eigenfaces.fit(splits.train(), 100, true, 3000, o.seed).scorer(test));
            inv.progress("eigenfaces (whitened, 100 components) on the same trials: " + eig.format());
            t.put("eigenfaces", resultJson(eig));
        }
        return t;
    }

    static Json.Obj resultJson(OneShot.Result r) {
        return Json.object().put("accuracy", r.accuracy()).put("ci95", new double[] {r.ci95Low(), r.ci95High()})
                .put("trials", r.trials()).put("way", r.way());
    }

    private static void report(Invocation inv, Trainer.Result r, DataSplits.Splits splits, Path out, Json.Obj test,
                               boolean synthetic) throws Exception {
        Json.Obj data = Json.object().put("train_classes", splits.train().classCount())
                .put("validation_classes", splits.validation() == null ? 0 : splits.validation().classCount())
                .put("test_classes", splits.test() == null ? 0 : splits.test().classCount())
                .put("train_images", splits.train().imageCount());
        Json.Obj result = Json.object()
                .put("model", r.model() == null ? null : r.model().toString())
                .put("checkpoint", r.checkpoint() == null ? null : r.checkpoint().toString())
                .put("out", out.toString())
                .put("steps", r.steps())
                .put("epochs", r.epochs())
                .put("seconds", r.elapsed().toMillis() / 1000.0)
                .put("stop_reason", r.stopReason())
                .put("diverged", r.diverged())
                .put("best_val_accuracy", r.bestAccuracy() < 0 ? null : r.bestAccuracy())
                .put("best_step", r.bestStep())
                .put("threshold", r.threshold())
                .put("images_per_second", r.imagesPerSecond())
                .put("pairs_per_second", r.pairsPerSecond())
                .put("data", data)
                .put("test", test);
        org.siamese4j.model.io.AtomicFile.write(out.resolve("report.json"),
                sink -> sink.writeBytes((result + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (inv.json()) {
            inv.printJson(result);
            return;
        }
        inv.out().printf(Locale.ROOT, "model      %s%n", r.model() == null ? "(none: no step was validated)" : r.model());
        inv.out().printf(Locale.ROOT, "checkpoint %s%n", r.checkpoint() == null ? "(none: the run diverged before its first checkpoint)"
                : r.checkpoint());
        inv.out().printf(Locale.ROOT, "steps      %d (%.1f epochs) in %s%n", r.steps(), r.epochs(), format(r.elapsed()));
        if (r.bestAccuracy() >= 0) {
            inv.out().printf(Locale.ROOT, "validation %.1f%% best (step %d); threshold %.3f%n", 100 * r.bestAccuracy(),
                    r.bestStep(), r.threshold());
        }
        if (test != null) {
            double pix = (double) ((Json.Obj) test.get("pixel_nn")).get("accuracy");
            inv.out().printf(Locale.ROOT, "test       %d-way one-shot on unseen classes: %.1f%% (pixel nearest neighbour %.1f%%)%n",
                    (int) test.get("way"), 100 * (double) test.get("accuracy"), 100 * pix);
        }
        inv.out().printf(Locale.ROOT, "report     %s (log.csv, chart.png, trials.png, report.json)%n", out);
        if (synthetic && r.model() != null) {
            inv.out().println();
            inv.out().println("next, on real data:");
            inv.out().println("  siamese download omniglot --extract");
            inv.out().println("  siamese train --data ~/.cache/siamese4j/omniglot/images_background --time-limit 60m --out runs/omniglot");
            inv.out().println("  siamese verify --model " + r.model() + " a.png b.png");
        }
        if (!Files.exists(out)) {
            throw new IllegalStateException("output folder vanished: " + out);
        }
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s % 3600) / 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** A resumed run carries on in the folder its checkpoint lives in, so its log and best model stay together. */
    static Path resumedRunFolder(Path checkpoint) {
        Path parent = checkpoint.toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".");
    }
}
