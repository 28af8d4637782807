package org.siamese4j.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.faces.CascadeLocator;
import org.siamese4j.faces.DetectorOptions;
import org.siamese4j.faces.FaceDetector;
import org.siamese4j.faces.HaarCascade;

/**
 * The face-detector options the face commands share, and the detector they describe: the cascade from
 * {@code --cascade}, or else the first one {@link CascadeLocator#standard()} finds (announced on stderr).
 */
final class FaceDetection {
    private static final DetectorOptions DEFAULTS = DetectorOptions.defaults();

    static final Option<Path> CASCADE = Option.value("cascade", "XML", ValueParser.path(),
            "OpenCV Haar cascade (default: haarcascade_frontalface_default.xml from $SIAMESE_DATA/cascades or"
                    + " the opencv-data package)");
    static final Option<Double> SCALE_FACTOR = Option.value("scale-factor", "F", scaleFactor(),
            "window growth per pyramid level, 1.01..4; smaller finds more faces, slower").defaultValue(DEFAULTS.scaleFactor());
    static final Option<Integer> MIN_NEIGHBORS = Option.value("min-neighbors", "N", ValueParser.intRange(0, 1000),
            "overlapping raw detections a face needs; higher means fewer false faces").defaultValue(DEFAULTS.minNeighbors());
    static final Option<Integer> MIN_SIZE = Option.value("min-size", "PX", ValueParser.intRange(0, 100_000),
            "smallest face side in pixels").defaultValue(DEFAULTS.minSize());

    /** In the order help lists them. */
    static final List<Option<?>> OPTIONS = List.of(CASCADE, SCALE_FACTOR, MIN_NEIGHBORS, MIN_SIZE);

    /** A ready detector and the cascade file it uses. */
    record Detector(FaceDetector detector, Path cascade) {
    }

    private FaceDetection() {
    }

    private static ValueParser<Double> scaleFactor() {
        return text -> {
            double v;
            try {
                v = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a number from 1.01 to 4");
            }
            if (!(v >= 1.01 && v <= 4)) {
                throw new IllegalArgumentException("expected a number from 1.01 to 4");
            }
            return v;
        };
    }

    static DetectorOptions options(Invocation inv) {
        return DEFAULTS.withScaleFactor(inv.get(SCALE_FACTOR))
                .withMinNeighbors(inv.get(MIN_NEIGHBORS))
                .withMinSize(inv.get(MIN_SIZE));
    }

    /**
     * Loads the cascade and builds the detector.
     *
     * @param noCascadeHint appended to the locator's "no face cascade found" instruction, or null
     * @throws BadInputException no cascade given or found, or the cascade file is invalid
     */
    static Detector open(Invocation inv, String noCascadeHint) {
        Path explicit = inv.get(CASCADE);
        Path cascade;
        try {
            cascade = CascadeLocator.standard().resolve(explicit);
        } catch (BadInputException e) {
            if (explicit != null || noCascadeHint == null) {
                throw e;
            }
            throw new BadInputException(e.getMessage() + "; " + noCascadeHint, e);
        }
        if (explicit == null) {
            inv.progress("face cascade: " + cascade);
        }
        return new Detector(new FaceDetector(HaarCascade.load(cascade), options(inv)), cascade);
    }

    /** The options as JSON, for commands that report them. */
    static Json.Obj json(DetectorOptions o) {
        return Json.object()
                .put("scale_factor", o.scaleFactor())
                .put("min_neighbors", o.minNeighbors())
                .put("min_size", o.minSize());
    }
}
