package org.siamese4j.cli.commands;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.UsageException;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.faces.BuiltInFaceModel;
import org.siamese4j.faces.EnrolmentFolder;
import org.siamese4j.faces.FaceEmbedder;
import org.siamese4j.faces.IdentificationProtocol;
import org.siamese4j.faces.MatchRule;
import org.siamese4j.model.GallerySearches;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.OpenSetReport;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.Proportions;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.DataSplits;
import org.siamese4j.train.TrainOptions;
import org.siamese4j.train.OpenSetData;
import org.siamese4j.train.data.DataSources;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.eval.Baselines;
import org.siamese4j.train.eval.EmbeddingTable;
import org.siamese4j.train.eval.LakeRuns;
import org.siamese4j.train.eval.Matcher;
import org.siamese4j.train.eval.OneShot;
import org.siamese4j.train.eval.PairList;
import org.siamese4j.train.eval.Verification;
import org.siamese4j.train.image.AffineAugmenter;

/** {@code siamese eval}: N-way one-shot accuracy, Lake's Omniglot runs, or LFW-style pair verification. */
public final class EvalCommand implements Command {
    static final Option<Path> MODEL = Option.value("model", "FILE", ValueParser.path(),
            "the model file (default: the built-in face model)");
    static final Option<List<Path>> DATA = Option.value("data", "PATH[,PATH...]", ValueParser.paths(),
            "class-per-folder images (folder or .zip); default: the data the model was trained on");
    static final Option<String> SPLIT = Option.value("split", "PART", ValueParser.oneOf("test", "validation", "all"),
            "which classes: the model's held-out test or validation classes, or all").defaultValue("test");
    static final Option<Integer> WAY = Option.value("way", "N", ValueParser.intRange(2, 1000), "N-way one-shot").defaultValue(20);
    static final Option<Integer> TRIALS = Option.value("trials", "N", ValueParser.positiveInt(1_000_000),
            "one-shot trials").defaultValue(2000);
    static final Option<Boolean> ACROSS = Option.flag("across-groups", "draw the N classes from any group, not one alphabet");
    static final Option<Long> SEED = Option.value("seed", "N", ValueParser.anyLong(), "seed of the trials").defaultValue(99L);
    static final Option<Path> LAKE = Option.value("lake-runs", "DIR", ValueParser.path(),
            "Lake's fixed benchmark: a folder of run01..run20 with class_labels.txt");
    static final Option<Path> PAIRS = Option.value("pairs", "PAIRS.TXT", ValueParser.path(),
            "verify the pairs of an LFW-style pairs file (images under --data)");
    static final Option<List<String>> FOLDS = Option.value("folds", "LIST", ValueParser.list(),
            "with --pairs: only these folds, e.g. 5 (default all)");
    static final Option<Path> IDENTIFICATION = Option.value("identification", "DIR", ValueParser.path(),
            "gallery protocol on a folder of 'Person Name/N.jpg': enrol --enrol images per person, identify the rest");
    static final Option<Integer> ENROL = Option.value("enrol", "K", ValueParser.positiveInt(1000),
            "with --identification: images enrolled per person (the first K by name)").defaultValue(1);
    static final Option<List<String>> PEOPLE = Option.value("people", "LIST", ValueParser.list(),
            "with --identification: only these person folders (names, or ranges like s31..s40)");
    static final Option<Boolean> DETECT = Option.flag("detect",
            "find the face in each image and crop it as the face commands do (with --data: the model's crop where"
                    + " no single face is found)");
    static final Option<Boolean> OPEN_SET = Option.flag("open-set",
            "open-set identification benchmark on held-out people (the --split classes of --data, or the people of"
                    + " --identification DIR): rank-1, FNIR at FPIR 1 % and 10 %, FPIR at the model's calibrated rule");
    static final Option<List<String>> GALLERY_SIZES = Option.value("gallery-sizes", "LIST", ValueParser.list(),
            "with --open-set: gallery sizes, 'all' for everybody (default 10,100,all)");
    static final Option<Integer> TTA = Option.value("tta", "N", ValueParser.intRange(1, 64),
            "one-shot and --pairs: average each image's embedding over itself and N-1 seeded random distortions"
                    + " (test-time augmentation)").defaultValue(1);
    static final Option<String> TTA_AUGMENT = Option.value("tta-augment", "NAME", ValueParser.oneOf("koch", "flip", "faces"),
            "the distortions of --tta: Koch's (characters), plus flips, or the milder faces set").defaultValue("koch");
    static final Option<List<String>> ENSEMBLE = Option.value("ensemble", "MODELS", ValueParser.list(),
            "one-shot, --pairs and --lake-runs: also score with these models (comma-separated) and average the"
                    + " logits of all, each model with its own crop and size; none may have trained on the classes evaluated");
    static final Option<Boolean> EIGENFACES = Option.flag("eigenfaces",
            "also run the Eigenfaces baseline, fitted on the model's training classes");

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "measure one-shot accuracy, Lake's Omniglot runs, or pair verification, with baselines";
    }

    @Override
    public String details() {
        return """
                One-shot (default): seeded N-way trials on the model's held-out test classes (recorded in the model at
                training time; --split all for another dataset), within one group (alphabet) when the data has groups.
                Reports the accuracy with a 95% confidence interval, and pixel nearest neighbour on the same trials.
                --lake-runs DIR: Lake et al.'s 20 fixed 20-way runs; accuracy overall and per run.
                --pairs FILE: verification of LFW-style pairs; accuracy at the model's calibrated threshold, 10-fold
                accuracy (threshold chosen on 9 folds, tested on the 10th), ROC AUC and equal error rate.
                --ensemble M2,M3 scores one-shot trials, pairs and Lake's runs with --model and these models together
                (the mean of their logits); --model chooses the classes, and no calibrated threshold applies.
                --eigenfaces adds the Eigenfaces baseline (PCA on the training classes, whitened, nearest neighbour).
                --identification DIR: the face app's protocol on 'Person Name/N.jpg' folders: enrol the first --enrol
                images of each person in a gallery, identify every other image; reports how many are named right,
                named wrong, or called unknown under the face app's rule (--fpir, default 1 %, or --threshold), and
                under the model's equal-error threshold, and top-1 ignoring both.
                --open-set: the open-set benchmark (ISO/IEC 19795-1 terms) on the test people of --data (or
                --split validation, or the people of --identification DIR): each person with two or more images is
                enrolled with their first, their other images search the gallery (mated), and every other
                person's images search it too (non-mated, strangers). For galleries of 10, 100 and all people
                (100 random galleries below all): rank-1, FNIR at the thresholds that hold this test's FPIR at 1 %
                and 10 %, and FPIR and FNIR at the model's calibrated FPIR-1 % rule and at its equal-error threshold.

                Exit codes: 0 measured; 2 bad input (e.g. --way larger than the number of classes).
                JSON: {task, way, trials, accuracy, ci95, seconds, ...}

                examples:
                  siamese eval --model runs/omniglot/model.s4j --data images_background.zip --way 20 --trials 2000
                  siamese eval --model runs/att-a/model.s4j --ensemble runs/att-b/model.s4j --way 10 --trials 2000
                  siamese eval --model runs/omniglot/model.s4j --lake-runs omniglot/python/one-shot-classification
                  siamese eval --model runs/lfw/model.s4j --data lfw-train.zip --pairs pairs.txt --folds 5 --eigenfaces
                  siamese eval --model runs/lfw/model.s4j --identification seed-photos/eval --enrol 1 --detect
                  siamese eval --model runs/lfw/model.s4j --data lfw-train.zip --open-set""";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> all = new ArrayList<>(List.of(MODEL, DATA, SPLIT, WAY, TRIALS, ACROSS, SEED, LAKE, PAIRS, FOLDS,
                IDENTIFICATION, ENROL, PEOPLE, DETECT, FaceOptions.FPIR, FaceOptions.THRESHOLD, OPEN_SET, GALLERY_SIZES,
                TTA, TTA_AUGMENT, ENSEMBLE, EIGENFACES));
        all.addAll(FaceOptions.DETECTOR);
        return all;
    }

    @Override
    public int run(Invocation inv) {
        long t0 = System.nanoTime();
        if (inv.get(ENSEMBLE) != null && (inv.get(IDENTIFICATION) != null || inv.get(OPEN_SET))) {
            throw new UsageException("--ensemble works with one-shot trials, --pairs and --lake-runs, not with --identification or --open-set");
        }
        ModelFile.Loaded loaded = inv.get(MODEL) != null ? ModelFile.load(inv.get(MODEL), inv.kernels())
                : BuiltInFaceModel.loadFile(inv.kernels());
        // every model file is read before any data, so a bad one fails at once
        List<Member> ensemble = new ArrayList<>();
        for (String file : inv.get(ENSEMBLE) == null ? List.<String>of() : inv.get(ENSEMBLE)) {
            ensemble.add(new Member(Path.of(file), ModelFile.load(Path.of(file), inv.kernels())));
        }
        Json.Obj result;
        if (inv.get(OPEN_SET)) {
            result = openSet(inv, loaded);
        } else if (inv.get(IDENTIFICATION) != null) {
            result = identification(inv, loaded);
        } else if (inv.get(LAKE) != null) {
            result = lake(inv, loaded, ensemble);
        } else if (inv.get(PAIRS) != null) {
            result = pairs(inv, loaded, ensemble);
        } else {
            result = oneShot(inv, loaded, ensemble);
        }
        result.put("seconds", (System.nanoTime() - t0) / 1e9)
                .put("model", inv.get(MODEL) != null ? inv.get(MODEL).toString() : BuiltInFaceModel.NAME);
        if (inv.json()) {
            inv.printJson(result);
        }
        return ExitCode.OK;
    }

    /** The people of --identification DIR, or of --people among them. */
    private static List<EnrolmentFolder.Person> people(Invocation inv) {
        EnrolmentFolder.Plan plan = EnrolmentFolder.scan(inv.get(IDENTIFICATION), Integer.MAX_VALUE);
        List<EnrolmentFolder.Person> people = new ArrayList<>(plan.people());
        if (inv.get(PEOPLE) != null) {
            Set<String> wanted = DataSplits.expandNames(inv.get(PEOPLE));
            people.removeIf(p -> !wanted.contains(p.name()));
            if (people.isEmpty()) {
                throw new BadInputException("--people: none of them are in " + inv.get(IDENTIFICATION));
            }
        }
        return people;
    }

    /** Detected and cropped as the face commands do with --detect, else through the model's own crop. */
    private static IdentificationProtocol.Embedding embedding(Invocation inv, SiameseModel model) {
        return inv.get(DETECT)
                ? IdentificationProtocol.Embedding.detected(new FaceEmbedder(model, FaceOptions.detector(inv)),
                        w -> inv.progress("warning: " + w))
                : IdentificationProtocol.Embedding.trainingFrame(model);
    }

    private Json.Obj identification(Invocation inv, ModelFile.Loaded m) {
        List<EnrolmentFolder.Person> people = people(inv);
        SiameseModel model = SiameseModel.of(m);
        int k = inv.get(ENROL);
        IdentificationProtocol.Outcome outcome = IdentificationProtocol.run(model, embedding(inv, model), people, k,
                w -> inv.progress("warning: " + w));
        IdentificationProtocol.Result app = outcome.score(FaceOptions.rule(inv));
        IdentificationProtocol.Result eer = outcome.score(MatchRule.equalError());
        line(inv, String.format(Locale.ROOT, "%d people, %d enrolled each, %d images identified:", people.size(), k,
                app.queries()));
        line(inv, "  " + app.decision().rule() + ":");
        line(inv, "    " + counts(app));
        line(inv, "  " + eer.decision().rule() + ":");
        line(inv, "    " + counts(eer));
        line(inv, String.format(Locale.ROOT, "  top-1 ignoring the rule %.1f%%", 100.0 * app.rankOne() / app.queries()));
        int n = app.queries();
        double[] ci = Proportions.wilson95(app.right(), n);
        return Json.object().put("task", "identification").put("people", people.size()).put("enrolled_per_person", k)
                .put("queries", n).put("accuracy", (double) app.right() / n).put("ci95", ci)
                .put("wrong_rate", (double) app.wrong() / n).put("unknown_rate", (double) app.unknown() / n)
                .put("top1_accuracy", (double) app.rankOne() / n).put("threshold", app.decision().probability())
                .put("rule", app.decision().rule())
                .put("eer_rule", Json.object().put("threshold", eer.decision().probability())
                        .put("accuracy", (double) eer.right() / n).put("wrong_rate", (double) eer.wrong() / n)
                        .put("unknown_rate", (double) eer.unknown() / n))
                .put("detect", inv.get(DETECT));
    }

    private static String counts(IdentificationProtocol.Result r) {
        int n = r.queries();
        double[] ci = Proportions.wilson95(r.right(), n);
        return String.format(Locale.ROOT, "named right %.1f%% (95%% CI %.1f-%.1f%%), named wrong %.1f%%, unknown %.1f%%",
                100.0 * r.right() / n, 100 * ci[0], 100 * ci[1], 100.0 * r.wrong() / n, 100.0 * r.unknown() / n);
    }

    /** The open-set benchmark on the people of a folder or on the held-out classes of a dataset. */
    private Json.Obj openSet(Invocation inv, ModelFile.Loaded m) {
        SiameseModel model = SiameseModel.of(m);
        GallerySearches searches;
        String source;
        if (inv.get(IDENTIFICATION) != null) {
            searches = IdentificationProtocol.searches(model, embedding(inv, model), people(inv));
            source = inv.get(IDENTIFICATION).toString();
        } else {
            LoadedDataset all = readData(inv, m);
            String split = inv.get(SPLIT);
            LoadedDataset data = split.equals("all") ? all
                    : DataSplits.select(all, m.metadata(), split.equals("test") ? DataSplits.TEST_KEY : DataSplits.VALIDATION_KEY, dataPath(inv, m).label());
            searches = OpenSetData.searches(m.net(), m.preprocessing(), data);
            source = split + " classes of " + dataPath(inv, m);
        }
        int[] sizes = gallerySizes(inv);
        if (m.openSet().isEmpty()) {
            inv.progress("warning: the model has no open-set calibration; the calibrated-rule columns are empty");
        }
        List<OpenSetReport.Row> rows = OpenSetReport.run(searches, sizes, m.openSet(), m.threshold(), inv.get(SEED));
        line(inv, String.format(Locale.ROOT, "open-set identification on %s: %d people enrolled (one image each)", source,
                searches.enrollable()));
        line(inv, "  gallery  mated  non-mated  rank-1           FNIR@FPIR1%     FNIR@FPIR10%    calibrated 1% rule: FPIR / FNIR       EER threshold: FPIR / FNIR");
        List<Json.Obj> json = new ArrayList<>();
        for (OpenSetReport.Row r : rows) {
            line(inv, String.format(Locale.ROOT, "  %7d %6d %10d  %-16s %-15s %-15s %-21s / %-13s %-14s / %s", r.gallerySize(),
                    r.matedSearches(), r.nonMatedSearches(), rate(r.rankOne()), rate(r.fnirAtFpir1()), rate(r.fnirAtFpir10()),
                    rate(r.fpirAtCalibrated()), rate(r.fnirAtCalibrated()), rate(r.fpirAtEer()), rate(r.fnirAtEer())));
            json.add(Json.object().put("gallery_size", r.gallerySize()).put("galleries", r.galleries())
                    .put("mated_searches", r.matedSearches()).put("non_mated_searches", r.nonMatedSearches())
                    .put("rank1", rateJson(r.rankOne())).put("fnir_at_fpir_1", rateJson(r.fnirAtFpir1()))
                    .put("fnir_at_fpir_10", rateJson(r.fnirAtFpir10()))
                    .put("calibrated_threshold", Double.isNaN(r.calibratedLogit()) ? null : SiameseNet.sigmoid(r.calibratedLogit()))
                    .put("fpir_at_calibrated", rateJson(r.fpirAtCalibrated())).put("fnir_at_calibrated", rateJson(r.fnirAtCalibrated()))
                    .put("eer_threshold", m.threshold()).put("fpir_at_eer", rateJson(r.fpirAtEer()))
                    .put("fnir_at_eer", rateJson(r.fnirAtEer())));
        }
        return Json.object().put("task", "open-set").put("source", source).put("people", searches.enrollable())
                .put("calibrated", m.openSet().isPresent()).put("detect", inv.get(DETECT)).put("galleries", json);
    }

    private static int[] gallerySizes(Invocation inv) {
        List<String> given = inv.get(GALLERY_SIZES) == null ? List.of("10", "100", "all") : inv.get(GALLERY_SIZES);
        int[] sizes = new int[given.size()];
        for (int i = 0; i < sizes.length; i++) {
            String g = given.get(i).trim();
            try {
                sizes[i] = g.equals("all") ? Integer.MAX_VALUE : Integer.parseInt(g);
            } catch (NumberFormatException e) {
                throw new UsageException("--gallery-sizes: '" + g + "' is not a number or 'all'");
            }
            if (sizes[i] < 1) {
                throw new UsageException("--gallery-sizes: sizes must be at least 1");
            }
        }
        return sizes;
    }

    private static String rate(OpenSetReport.Rate r) {
        if (Double.isNaN(r.value())) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f%% (%.1f-%.1f)", 100 * r.value(), 100 * r.low(), 100 * r.high());
    }

    private static Json.Obj rateJson(OpenSetReport.Rate r) {
        return Double.isNaN(r.value()) ? null
                : Json.object().put("value", r.value()).put("n", r.n()).put("ci95", new double[] {r.low(), r.high()});
    }

    /** The evaluated data: through the model's crop, or with --detect framed by the face detector. */
    private LoadedDataset readData(Invocation inv, ModelFile.Loaded m) {
        if (!inv.get(DETECT)) {
            return TrainingData.load(inv, dataPath(inv, m), m.preprocessing());
        }
        if (inv.get(ENSEMBLE) != null) {
            throw new UsageException("--detect frames faces for --model only: evaluate an --ensemble without it");
        }
        return TrainingData.loadDetected(inv, dataPath(inv, m), m, FaceOptions.detector(inv));
    }

    /** --data, else the data the model records; a single source of a multi-source run reads under its label. */
    private TrainingData.Sources dataPath(Invocation inv, ModelFile.Loaded m) {
        String recorded = m.metadata().getOrDefault("data", "");
        if (inv.get(DATA) != null) {
            return TrainingData.Sources.forModel(inv.get(DATA), recorded);
        }
        if (recorded.isEmpty() || recorded.equals("synthetic")) {
            throw new UsageException("pass --data (the model records no dataset path)");
        }
        return TrainingData.Sources.of(DataSources.parse(recorded));
    }

    private Json.Obj oneShot(Invocation inv, ModelFile.Loaded m, List<Member> ensemble) {
        LoadedDataset all = readData(inv, m);
        String split = inv.get(SPLIT);
        LoadedDataset data = split.equals("all") ? all
                : DataSplits.select(all, m.metadata(), split.equals("test") ? DataSplits.TEST_KEY : DataSplits.VALIDATION_KEY, dataPath(inv, m).label());
        int way = inv.get(WAY);
        long usable = data.classes().stream().filter(c -> c.size() >= 2).count();
        if (usable < way) {
            throw new BadInputException("--way " + way + " needs " + way + " classes with 2+ images; the " + split
                    + " classes have " + usable);
        }
        boolean grouped = !inv.get(ACROSS) && data.classes().stream().anyMatch(c -> !c.group().isEmpty());
        List<OneShot.Trial> trials = OneShot.trials(data, way, inv.get(TRIALS), grouped, inv.get(SEED));
        List<EmbeddingTable> tables = tables(inv, m, ensemble, data, classNames(data), geometry -> {
            LoadedDataset other = TrainingData.load(inv, dataPath(inv, m), geometry);
            return split.equals("all") ? other
                    : DataSplits.select(other, m.metadata(), split.equals("test") ? DataSplits.TEST_KEY : DataSplits.VALIDATION_KEY, dataPath(inv, m).label());
        });
        OneShot.Result ours = OneShot.evaluate(trials, OneShot.Scorer.mean(tables));
        OneShot.Result pixels = OneShot.evaluate(trials, Baselines.pixels(data));
        Json.Obj r = Json.object().put("task", "one-shot").put("split", split).put("way", way).put("trials", ours.trials())
                .put("tta", inv.get(TTA)).put("ensemble", tables.size())
                .put("within_groups", grouped).put("accuracy", ours.accuracy())
                .put("ci95", new double[] {ours.ci95Low(), ours.ci95High()}).put("classes", data.classCount())
                .put("pixel_nn", TrainCommand.resultJson(pixels));
        line(inv, siameseLabel(tables.size()) + ours.format() + (grouped ? ", within groups" : ""));
        line(inv, "pixel NN       " + pixels.format());
        if (inv.get(EIGENFACES)) {
            LoadedDataset train = DataSplits.trainedOn(all, m.metadata(), dataPath(inv, m).label());
            OneShot.Result eig = OneShot.evaluate(trials, Baselines.Eigenfaces.fit(train, 100, true, 3000, 1).scorer(data));
            r.put("eigenfaces", TrainCommand.resultJson(eig));
            line(inv, "eigenfaces     " + eig.format());
        }
        return r;
    }

    /**
     * The embeddings of {@code data} by --model and by each --ensemble model; a model with another crop or size gets
     * the data through {@code loadWithGeometry} (which uses only the crop and size it is given), and it must give the
     * same classes and images in the same order.
     */
    private List<EmbeddingTable> tables(Invocation inv, ModelFile.Loaded m, List<Member> ensemble, LoadedDataset data,
                                        Set<String> evaluated, Function<Preprocessing, LoadedDataset> loadWithGeometry) {
        for (Member member : ensemble) {
            requireHeldOut(member.file(), member.model(), dataPath(inv, m), evaluated);
        }
        List<EmbeddingTable> tables = new ArrayList<>();
        tables.add(new EmbeddingTable(m.net(), m.preprocessing(), data, averaging(inv, m, data)));
        // the data as each distinct crop and size gives it (normalisation aside), read once per geometry
        Map<Preprocessing, LoadedDataset> byGeometry = new HashMap<>(Map.of(geometryOnly(m.preprocessing()), data));
        for (Member member : ensemble) {
            ModelFile.Loaded x = member.model();
            LoadedDataset own = byGeometry.computeIfAbsent(geometryOnly(x.preprocessing()), geometry -> {
                LoadedDataset read = loadWithGeometry.apply(geometry);
                requireSameImages(member.file(), data, read);
                return read;
            });
            tables.add(new EmbeddingTable(x.net(), x.preprocessing(), own, averaging(inv, x, own)));
        }
        return tables;
    }

    private static Preprocessing geometryOnly(Preprocessing p) {
        return p.withNormalization(false, 0, 1);
    }

    /** An --ensemble model and the file it came from (for messages). */
    private record Member(Path file, ModelFile.Loaded model) {
    }

    private static String siameseLabel(int models) {
        return String.format(Locale.ROOT, "%-15s", models == 1 ? "siamese" : "siamese x" + models);
    }

    private static Set<String> classNames(LoadedDataset data) {
        Set<String> names = new TreeSet<>();
        data.classes().forEach(c -> names.add(c.name()));
        return names;
    }

    /** An ensemble member trained on this data must have held out every class evaluated, or the result is not one-shot. */
    private static void requireHeldOut(Path file, ModelFile.Loaded member, TrainingData.Sources data, Set<String> evaluated) {
        String recorded = member.metadata().getOrDefault("data", "");
        List<Path> trainedOn = recorded.isEmpty() || recorded.equals("synthetic") ? List.of() : DataSources.parse(recorded);
        boolean overlaps = trainedOn.stream().anyMatch(t -> data.paths().stream().anyMatch(d -> FilePaths.sameFile(t, d)));
        if (!overlaps) {
            return;
        }
        TrainingData.Sources asMemberSees = TrainingData.Sources.forModel(data.paths(), recorded);
        Set<String> held = DataSplits.heldOut(member.metadata(), asMemberSees.label());
        List<String> seen = evaluated.stream().filter(c -> !held.contains(c)).toList();
        if (!seen.isEmpty()) {
            throw new BadInputException("--ensemble " + file + " was trained on " + seen.size() + " of the " + evaluated.size()
                    + " classes evaluated (e.g. " + seen.get(0) + "); its scores would not be one-shot");
        }
    }

    private static void requireSameImages(Path file, LoadedDataset expected, LoadedDataset got) {
        boolean same = expected.classCount() == got.classCount();
        for (int c = 0; same && c < expected.classCount(); c++) {
            same = expected.classes().get(c).name().equals(got.classes().get(c).name())
                    && expected.classes().get(c).imageNames().equals(got.classes().get(c).imageNames());
        }
        if (!same) {
            throw new BadInputException("--ensemble " + file + ": its crop of the data gave other images than --model's"
                    + " (an unreadable image skipped by one of them?)");
        }
    }

    /** --tta's averaging over distorted copies, or null for plain embeddings. */
    private static EmbeddingTable.Averaging averaging(Invocation inv, ModelFile.Loaded m, LoadedDataset data) {
        if (inv.get(TTA) == 1) {
            return null;
        }
        AffineAugmenter augmenter = new AffineAugmenter(TrainOptions.augmentParams(inv.get(TTA_AUGMENT)),
                m.net().architecture().inputWidth(), m.net().architecture().inputHeight());
        return new EmbeddingTable.Averaging(augmenter, inv.get(TTA), TrainingData.backgroundFill(TrainingData.meanPixel(data)),
                inv.get(SEED));
    }

    private Json.Obj lake(Invocation inv, ModelFile.Loaded m, List<Member> ensemble) {
        List<LakeRuns.Run> runs = LakeRuns.read(inv.get(LAKE));
        List<Matcher> members = new ArrayList<>();
        members.add(Matcher.of(SiameseModel.of(m.net(), m.preprocessing(), m.threshold())));
        // Lake's runs are Omniglot's evaluation set, which no model here trains on: nothing to check
        for (Member member : ensemble) {
            ModelFile.Loaded x = member.model();
            members.add(Matcher.of(SiameseModel.of(x.net(), x.preprocessing(), x.threshold())));
        }
        LakeRuns.Result ours = LakeRuns.evaluate(runs, Matcher.mean(members));
        LakeRuns.Result pixels = LakeRuns.evaluate(runs, Matcher.pixels(m.preprocessing()));
        OneShot.Result r = OneShot.result(runs.get(0).trainings().size(), ours.trials(), ours.correct());
        line(inv, siameseLabel(members.size()) + "Lake's runs: " + r.format());
        line(inv, "pixel NN       Lake's runs: " + OneShot.result(r.way(), pixels.trials(), pixels.correct()).format());
        for (Map.Entry<String, Double> e : ours.perRun().entrySet()) {
            line(inv, String.format(Locale.ROOT, "  %s %.1f%% (pixels %.1f%%)", e.getKey(), 100 * e.getValue(),
                    100 * pixels.perRun().get(e.getKey())));
        }
        return Json.object().put("task", "lake-runs").put("ensemble", members.size()).put("way", r.way())
                .put("trials", r.trials()).put("accuracy", r.accuracy())
                .put("ci95", new double[] {r.ci95Low(), r.ci95High()}).put("per_run", ours.perRun())
                .put("pixel_nn", Json.object().put("accuracy", pixels.accuracy()).put("per_run", pixels.perRun()));
    }

    private Json.Obj pairs(Invocation inv, ModelFile.Loaded m, List<Member> ensemble) {
        PairList list = PairList.read(inv.get(PAIRS));
        Set<Integer> folds = new TreeSet<>();
        if (inv.get(FOLDS) == null) {
            for (int f = 1; f <= list.folds(); f++) {
                folds.add(f);
            }
        } else {
            for (String f : inv.get(FOLDS)) {
                try {
                    int v = Integer.parseInt(f);
                    if (v < 1 || v > list.folds()) {
                        throw new NumberFormatException();
                    }
                    folds.add(v);
                } catch (NumberFormatException e) {
                    throw new UsageException("--folds: " + f + " is not a fold of " + inv.get(PAIRS) + " (1.." + list.folds() + ")");
                }
            }
        }
        List<PairList.Pair> pairs = list.inFolds(folds);
        LoadedDataset all = readData(inv, m);
        Map<String, Integer> classIndex = new HashMap<>();
        for (int c = 0; c < all.classes().size(); c++) {
            String name = all.classes().get(c).name();
            classIndex.put(name.substring(name.lastIndexOf('/') + 1), c);
        }
        List<int[]> located = new ArrayList<>();
        List<PairList.Pair> kept = new ArrayList<>();
        int missing = 0;
        for (PairList.Pair p : pairs) {
            int[] a = find(all, classIndex, p.nameA(), p.indexA());
            int[] b = find(all, classIndex, p.nameB(), p.indexB());
            if (a == null || b == null) {
                missing++;
                continue;
            }
            located.add(new int[] {a[0], a[1], b[0], b[1]});
            kept.add(p);
        }
        if (kept.isEmpty()) {
            throw new BadInputException(inv.get(PAIRS) + ": none of the pairs' images are in " + dataPath(inv, m));
        }
        if (missing > 0) {
            inv.progress("warning: " + missing + " pairs skipped: their images are not in the data");
        }
        int n = kept.size();
        boolean[] same = new boolean[n];
        // 10 folds over the chosen pairs, interleaved so each holds same and different pairs alike
        int[] fold = new int[n];
        int sameSeen = 0;
        int diffSeen = 0;
        for (int i = 0; i < n; i++) {
            same[i] = kept.get(i).same();
            fold[i] = same[i] ? (sameSeen++ % 10) : (diffSeen++ % 10);
        }
        Set<String> people = new TreeSet<>();
        for (int[] l : located) {
            people.add(all.classes().get(l[0]).name());
            people.add(all.classes().get(l[2]).name());
        }
        List<EmbeddingTable> tables = tables(inv, m, ensemble, all, people,
                geometry -> TrainingData.load(inv, dataPath(inv, m), geometry));
        OneShot.Scorer scorer = OneShot.Scorer.mean(tables);
        double[] ours = new double[n];
        for (int i = 0; i < n; i++) {
            int[] l = located.get(i);
            ours[i] = SiameseNet.sigmoid(scorer.similarity(l[0], l[1], l[2], l[3]));
        }
        // an ensemble's mean logit has no calibrated threshold: only the threshold-free figures
        double threshold = tables.size() == 1 ? m.threshold() : Double.NaN;
        Json.Obj r = Json.object().put("task", "verification").put("pairs", n).put("folds", folds).put("tta", inv.get(TTA))
                .put("ensemble", tables.size())
                .put("siamese", verification(inv, siameseLabel(tables.size()).trim(), ours, same, fold, threshold));
        OneShot.Scorer pix = Baselines.pixels(all);
        r.put("pixel_nn", verification(inv, "pixel NN", scores(pix, located), same, fold, Double.NaN));
        if (inv.get(EIGENFACES)) {
            LoadedDataset train = DataSplits.trainedOn(all, m.metadata(), dataPath(inv, m).label());
            Baselines.Eigenfaces e = Baselines.Eigenfaces.fit(train, 100, true, 3000, 1);
            r.put("eigenfaces", verification(inv, "eigenfaces", scores(e.scorer(all), located), same, fold, Double.NaN));
        }
        return r;
    }

    private static double[] scores(OneShot.Scorer s, List<int[]> located) {
        double[] out = new double[located.size()];
        for (int i = 0; i < out.length; i++) {
            int[] l = located.get(i);
            out[i] = s.similarity(l[0], l[1], l[2], l[3]);
        }
        return out;
    }

    private Json.Obj verification(Invocation inv, String name, double[] s, boolean[] same, int[] fold, double threshold) {
        Verification.Folds f = Verification.kFold(s, same, fold, 10);
        double auc = Verification.auc(s, same);
        Verification.Eer eer = Verification.eer(s, same);
        Json.Obj o = Json.object().put("accuracy_10fold", f.meanAccuracy()).put("std_10fold", f.std()).put("auc", auc)
                .put("eer", eer.rate());
        String atThreshold = "";
        if (!Double.isNaN(threshold)) {
            double acc = Verification.accuracy(s, same, threshold);
            o.put("accuracy_at_threshold", acc).put("threshold", threshold);
            atThreshold = String.format(Locale.ROOT, ", %.1f%% at its calibrated threshold %.3f", 100 * acc, threshold);
        }
        line(inv, String.format(Locale.ROOT, "%-14s 10-fold accuracy %.1f%% (+-%.1f)%s, AUC %.3f, EER %.1f%%", name,
                100 * f.meanAccuracy(), 100 * f.std(), atThreshold, auc, 100 * eer.rate()));
        return o;
    }

    private static int[] find(LoadedDataset all, Map<String, Integer> classIndex, String person, int index) {
        Integer c = classIndex.get(person);
        if (c == null) {
            return null;
        }
        int i = all.classes().get(c).imageNames().indexOf(PairList.fileName(person, index));
        return i < 0 ? null : new int[] {c, i};
    }

    private static void line(Invocation inv, String s) {
        if (inv.json()) {
            inv.err().println(s);
        } else {
            inv.out().println(s);
        }
    }
}
