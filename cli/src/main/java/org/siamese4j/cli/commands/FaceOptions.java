package org.siamese4j.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.UsageException;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.faces.Box;
import org.siamese4j.faces.BuiltInFaceModel;
import org.siamese4j.faces.DetectorOptions;
import org.siamese4j.faces.FaceDetector;
import org.siamese4j.faces.HaarCascade;
import org.siamese4j.faces.MatchRule;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;

/**
 * The options the face commands share, and what they stand for: the face model (the built-in one unless
 * --model), the gallery, the rule that decides "unknown", and the detector (the built-in cascade unless
 * --cascade). Parsing only: the work is the faces module's.
 */
final class FaceOptions {
    private static final DetectorOptions DEFAULTS = DetectorOptions.defaults();

    static final Option<Path> MODEL = Option.value("model", "FILE", ValueParser.path(),
            "the face model file (default: the built-in face model)");
    static final Option<Path> GALLERY = Option.value("gallery", "FILE", ValueParser.path(),
            "the gallery file of enrolled people (e.g. faces.gallery)").required();
    static final Option<Double> FPIR = Option.value("fpir", "P", openProbability(),
            "name a stranger in at most this share of searches, for this gallery's size, from the model's open-set"
                    + " calibration (default 0.01; lower: fewer strangers named, more enrolled people missed)");
    static final Option<Double> THRESHOLD = Option.value("threshold", "P", ValueParser.probability(),
            "a fixed p(same) below which a face is unknown, instead of --fpir");
    static final Option<Boolean> NO_DETECT = Option.flag("no-detect",
            "skip the face detector: every image is already a face crop, used whole");

    static final Option<Path> CASCADE = Option.value("cascade", "XML", ValueParser.path(),
            "an OpenCV Haar cascade to detect with (default: the built-in haarcascade_frontalface_default.xml)");
    static final Option<Double> SCALE_FACTOR = Option.value("scale-factor", "F", scaleFactor(),
            "window growth per pyramid level, 1.01..4; smaller finds more faces, slower").defaultValue(DEFAULTS.scaleFactor());
    static final Option<Integer> MIN_NEIGHBORS = Option.value("min-neighbors", "N", ValueParser.intRange(0, 1000),
            "overlapping raw detections a face needs; higher means fewer false faces").defaultValue(DEFAULTS.minNeighbors());
    static final Option<Integer> MIN_SIZE = Option.value("min-size", "PX", ValueParser.intRange(0, 100_000),
            "smallest face side in pixels").defaultValue(DEFAULTS.minSize());

    /** The detector options, in the order help lists them. */
    static final List<Option<?>> DETECTOR = List.of(CASCADE, SCALE_FACTOR, MIN_NEIGHBORS, MIN_SIZE);

    private FaceOptions() {
    }

    private static ValueParser<Double> scaleFactor() {
        return text -> {
            double v = number(text, "expected a number from 1.01 to 4");
            if (!(v >= 1.01 && v <= 4)) {
                throw new IllegalArgumentException("expected a number from 1.01 to 4");
            }
            return v;
        };
    }

    private static ValueParser<Double> openProbability() {
        return text -> {
            double v = number(text, "expected a rate between 0 and 1, e.g. 0.01");
            if (!(v > 0 && v < 1)) {
                throw new IllegalArgumentException("expected a rate between 0 and 1 (exclusive), e.g. 0.01");
            }
            return v;
        };
    }

    private static double number(String text, String message) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The model of --model, or the built-in face model (announced on stderr). */
    static SiameseModel model(Invocation inv) {
        Path file = inv.get(MODEL);
        if (file != null) {
            return SiameseModel.load(file, inv.kernels());
        }
        SiameseModel model = BuiltInFaceModel.load(inv.kernels());
        inv.progress("face model: " + BuiltInFaceModel.NAME + " (" + model.sha256().substring(0, 12) + ")");
        return model;
    }

    /** --threshold, else --fpir (default 1 %). */
    static MatchRule rule(Invocation inv) {
        if (inv.has(THRESHOLD) && inv.has(FPIR)) {
            throw new UsageException("give --fpir or --threshold, not both");
        }
        if (inv.has(THRESHOLD)) {
            return MatchRule.threshold(inv.get(THRESHOLD));
        }
        return inv.has(FPIR) ? MatchRule.fpir(inv.get(FPIR)) : MatchRule.defaults();
    }

    static DetectorOptions detectorOptions(Invocation inv) {
        return DEFAULTS.withScaleFactor(inv.get(SCALE_FACTOR))
                .withMinNeighbors(inv.get(MIN_NEIGHBORS))
                .withMinSize(inv.get(MIN_SIZE));
    }

    /** The detector the options describe: the built-in cascade unless --cascade. */
    static FaceDetector detector(Invocation inv) {
        Path file = inv.get(CASCADE);
        return new FaceDetector(file == null ? HaarCascade.builtIn() : HaarCascade.load(file), detectorOptions(inv));
    }

    /** No detector with --no-detect (images are face crops), else {@link #detector}. */
    static FaceDetector detectorUnlessNoDetect(Invocation inv) {
        return inv.get(NO_DETECT) ? null : detector(inv);
    }

    /** Checks that every image is a readable file before any slow work, so a typo fails at once. */
    static void requireFiles(List<Path> images) {
        for (Path p : images) {
            if (Files.isDirectory(p)) {
                throw new BadInputException(p + ": is a directory, not an image file");
            }
            if (!Files.exists(p)) {
                throw new BadInputException(p + ": no such file");
            }
            if (!Files.isRegularFile(p)) {
                throw new BadInputException(p + ": not a regular file");
            }
        }
    }

    /** Opens an existing gallery; a missing one is a hint to enrol first. */
    static Gallery loadGallery(Path path) {
        if (!Files.exists(path)) {
            throw new BadInputException(path + ": no such gallery; create it with siamese enroll");
        }
        return Gallery.load(path);
    }

    /** The detector options as JSON, for commands that report them. */
    static Json.Obj json(DetectorOptions o) {
        return Json.object()
                .put("scale_factor", o.scaleFactor())
                .put("min_neighbors", o.minNeighbors())
                .put("min_size", o.minSize());
    }

    static Json.Obj json(Box b) {
        return Json.object().put("x", b.x()).put("y", b.y()).put("w", b.w()).put("h", b.h());
    }
}
