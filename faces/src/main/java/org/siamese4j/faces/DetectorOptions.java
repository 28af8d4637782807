package org.siamese4j.faces;

import org.siamese4j.engine.BadInputException;

/**
 * Settings of {@link FaceDetector}, with the meaning of OpenCV's {@code CascadeClassifier.detectMultiScale}.
 *
 * @param scaleFactor how much the search window grows from one pyramid level to the next (OpenCV's
 *     scaleFactor); smaller finds more faces at more cost
 * @param minNeighbors a face needs more than this many overlapping raw detections to be reported; 0 returns
 *     the raw detections ungrouped
 * @param minSize smallest face side in pixels of the input image (windows narrower or lower are skipped)
 * @param maxSize largest face side in pixels, or 0 for no limit beyond the image size
 * @param step sliding-window step in pixels of each pyramid level, or {@link #AUTO_STEP} for OpenCV's policy
 *     (2 px on levels larger than half the input, 1 px on the smaller ones)
 * @param equalizeHistogram equalise the gray histogram (OpenCV's equalizeHist) before detecting
 */
public record DetectorOptions(double scaleFactor, int minNeighbors, int minSize, int maxSize, int step,
        boolean equalizeHistogram) {

    /** {@link #step()} value that selects OpenCV's step policy. */
    public static final int AUTO_STEP = 0;

    /** Largest accepted explicit step: a larger one skips most of every face. */
    public static final int MAX_STEP = 16;

    public DetectorOptions {
        // below 1.01 the pyramid gets thousands of levels for no gain in recall
        if (!(scaleFactor >= 1.01 && scaleFactor <= 4.0)) {
            throw new BadInputException("detector option scaleFactor must be in [1.01, 4], got " + scaleFactor);
        }
        if (minNeighbors < 0 || minNeighbors > 1000) {
            throw new BadInputException("detector option minNeighbors must be in [0, 1000], got " + minNeighbors);
        }
        if (minSize < 0) {
            throw new BadInputException("detector option minSize must be >= 0, got " + minSize);
        }
        if (maxSize < 0) {
            throw new BadInputException("detector option maxSize must be >= 0 (0 = no limit), got " + maxSize);
        }
        if (maxSize > 0 && maxSize < minSize) {
            throw new BadInputException(
                    "detector option maxSize " + maxSize + " is smaller than minSize " + minSize);
        }
        if (step < 0 || step > MAX_STEP) {
            throw new BadInputException(
                    "detector option step must be in [1, " + MAX_STEP + "] or 0 for automatic, got " + step);
        }
    }

    /**
     * The settings tuned on the project's sample photos (all 20 faces but one found, no false positives, the
     * same boxes as OpenCV gives with them): scale factor 1.15 with minNeighbors 6, faces from 30 px (smaller
     * ones are too small to recognise, and skipping them halves the time), automatic step, raw gray.
     */
    public static DetectorOptions defaults() {
        return new DetectorOptions(1.15, 6, 30, 0, AUTO_STEP, false);
    }

    public DetectorOptions withScaleFactor(double value) {
        return new DetectorOptions(value, minNeighbors, minSize, maxSize, step, equalizeHistogram);
    }

    public DetectorOptions withMinNeighbors(int value) {
        return new DetectorOptions(scaleFactor, value, minSize, maxSize, step, equalizeHistogram);
    }

    public DetectorOptions withMinSize(int value) {
        return new DetectorOptions(scaleFactor, minNeighbors, value, maxSize, step, equalizeHistogram);
    }

    public DetectorOptions withMaxSize(int value) {
        return new DetectorOptions(scaleFactor, minNeighbors, minSize, value, step, equalizeHistogram);
    }

    public DetectorOptions withStep(int value) {
        return new DetectorOptions(scaleFactor, minNeighbors, minSize, maxSize, value, equalizeHistogram);
    }

    public DetectorOptions withEqualizeHistogram(boolean value) {
        return new DetectorOptions(scaleFactor, minNeighbors, minSize, maxSize, step, value);
    }
}
