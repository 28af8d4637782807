package org.siamese4j.faces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.model.image.ImageOps;

/**
 * Viola-Jones face detection with an OpenCV Haar cascade, following OpenCV's
 * {@code CascadeClassifier.detectMultiScale}: the image is shrunk by {@code scaleFactor} per pyramid level
 * (bilinear, from the original each time), the cascade's fixed-size window slides over every level, windows
 * that pass all stages are mapped back to input coordinates, and the raw hits are merged with
 * groupRectangles. Shrinking the image rather than growing the features keeps every feature exactly as
 * trained, and keeps the window small enough for its integral-image reads to stay in cache. Every step uses
 * OpenCV's arithmetic, so for the same 8-bit gray input the raw and grouped detections are OpenCV 4's, box for
 * box (checked against OpenCV 4.6 on the project's sample photos).
 *
 * <p>Levels run in parallel and large levels are split into row stripes on the common fork-join pool; each
 * stripe's hits are collected in scan order and joined in level and stripe order, so the result does not
 * depend on the number of threads. Instances are immutable and safe to share.
 */
public final class FaceDetector {
    /** OpenCV's GROUP_EPS for detectMultiScale. */
    static final double GROUP_EPS = 0.2;

    /** Margin, as a fraction of the larger side, that {@link #detectPortrait} adds around a face-less image. */
    public static final double TIGHT_CROP_MARGIN = 0.25;

    /** Rows of window positions per parallel task. */
    private static final int STRIPE_ROWS = 8;

    private static final Comparator<Box> LEFT_TO_RIGHT =
            Comparator.comparingInt(Box::x).thenComparingInt(Box::y).thenComparingInt(Box::w).thenComparingInt(Box::h);

    private final HaarCascade cascade;
    private final DetectorOptions options;

    public FaceDetector(HaarCascade cascade, DetectorOptions options) {
        this.cascade = Objects.requireNonNull(cascade, "cascade");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The built-in frontal-face cascade with the default options: what the face commands use unless told otherwise. */
    public static FaceDetector standard() {
        return new FaceDetector(HaarCascade.builtIn(), DetectorOptions.defaults());
    }

    public HaarCascade cascade() {
        return cascade;
    }

    public DetectorOptions options() {
        return options;
    }

    /**
     * The faces in a gray image (pixels 0..255, rounded to 8 bits as OpenCV sees them; decode photos with
     * {@code ImageLoader}, whose colour conversion is OpenCV's), in input pixel
     * coordinates, clipped to the image, sorted left to right (then top to bottom).
     */
    public List<Box> detect(GrayImage image) {
        return detect(Gray8.of(image));
    }

    private List<Box> detect(Gray8 image) {
        List<Box> raw = rawDetections(image);
        List<Box> grouped = RectangleGrouping.group(raw, options.minNeighbors(), GROUP_EPS);
        List<Box> clipped = new ArrayList<>(grouped.size());
        for (Box b : grouped) {
            int x0 = Math.max(0, b.x());
            int y0 = Math.max(0, b.y());
            int x1 = Math.min(image.width, b.right());
            int y1 = Math.min(image.height, b.bottom());
            if (x1 > x0 && y1 > y0) {
                clipped.add(new Box(x0, y0, x1 - x0, y1 - y0));
            }
        }
        clipped.sort(LEFT_TO_RIGHT);
        return List.copyOf(clipped);
    }

    /**
     * The faces of an image meant to show one person (an enrolment photo, a face to name, a training image):
     * as {@link #detect(GrayImage)}, and when that finds none, again on the image with its edge pixels repeated
     * outward by {@link #TIGHT_CROP_MARGIN} of its larger side on every side. A tight face crop leaves the
     * cascade's window no room around the face (the seed app's 100x100 crops: 5 of 214 found as they are, 183
     * with the margin). Boxes found the second way are in the image's coordinates and may reach past its edges,
     * where {@link FaceCropper} repeats the edge pixels as the detector saw them.
     */
    public List<Box> detectPortrait(GrayImage image) {
        List<Box> faces = detect(image);
        if (!faces.isEmpty()) {
            return faces;
        }
        int margin = (int) Math.round(TIGHT_CROP_MARGIN * Math.max(image.width(), image.height()));
        if (margin < 1) {
            return faces;
        }
        GrayImage widened = ImageOps.crop(image, -margin, -margin, image.width() + 2 * margin, image.height() + 2 * margin);
        List<Box> found = detect(widened);
        List<Box> shifted = new ArrayList<>(found.size());
        for (Box b : found) {
            shifted.add(new Box(b.x() - margin, b.y() - margin, b.w(), b.h()));
        }
        return List.copyOf(shifted);
    }

    /** Every window the cascade accepts, before grouping, in level then scan order. */
    List<Box> rawDetections(GrayImage image) {
        return rawDetections(Gray8.of(image));
    }

    private List<Box> rawDetections(Gray8 input) {
        Gray8 image = options.equalizeHistogram() ? input.equalized() : input;
        List<Level> levels = levels(image.width, image.height);
        List<List<Box>> perLevel = levels.parallelStream().map(level -> scan(image, level)).toList();
        List<Box> all = new ArrayList<>();
        perLevel.forEach(all::addAll);
        return all;
    }

    /**
     * One pyramid level: the input shrunk by {@code scale}, searched with the cascade's window.
     *
     * @param scale the level's scale factor as OpenCV keeps it (a float)
     * @param width level image width
     * @param height level image height
     * @param boxWidth the window's width in input pixels
     * @param boxHeight the window's height in input pixels
     * @param step window step in level pixels
     */
    record Level(float scale, int width, int height, int boxWidth, int boxHeight, int step) {
    }

    /** The pyramid levels OpenCV's detectMultiScale would search for an image of this size. */
    List<Level> levels(int imageWidth, int imageHeight) {
        int ww = cascade.windowWidth();
        int wh = cascade.windowHeight();
        List<Level> levels = new ArrayList<>();
        for (double factor = 1; ; factor *= options.scaleFactor()) {
            int windowWidth = (int) Math.rint(ww * factor);
            int windowHeight = (int) Math.rint(wh * factor);
            boolean tooBig = options.maxSize() > 0
                    && (windowWidth > options.maxSize() || windowHeight > options.maxSize());
            if (tooBig || windowWidth > imageWidth || windowHeight > imageHeight) {
                break;
            }
            if (windowWidth < options.minSize() || windowHeight < options.minSize()) {
                continue;
            }
            float scale = (float) factor;
            int width = (int) Math.rint(imageWidth / scale);
            int height = (int) Math.rint(imageHeight / scale);
            if (width < ww || height < wh) {
                break;
            }
            int step = options.step() != DetectorOptions.AUTO_STEP ? options.step() : scale >= 2 ? 1 : 2;
            levels.add(new Level(scale, width, height, (int) Math.rint(ww * scale), (int) Math.rint(wh * scale),
                    step));
        }
        return levels;
    }

    private List<Box> scan(Gray8 image, Level level) {
        Gray8 scaled = image.resized(level.width(), level.height());
        IntegralImage integral = IntegralImage.of(scaled, cascade.hasTiltedFeatures());
        WindowClassifier classifier = new WindowClassifier(cascade, integral.stride, integral.size);
        int step = level.step();
        int rows = (level.height() - cascade.windowHeight()) / step + 1;
        int stripes = (rows + STRIPE_ROWS - 1) / STRIPE_ROWS;
        List<List<Box>> perStripe = IntStream.range(0, stripes).parallel()
                .mapToObj(stripe -> scanRows(integral, classifier, level, stripe * STRIPE_ROWS,
                        Math.min(rows, (stripe + 1) * STRIPE_ROWS)))
                .toList();
        List<Box> hits = new ArrayList<>();
        perStripe.forEach(hits::addAll);
        return hits;
    }

    /** Windows of rows {@code [fromRow, toRow)} of the level's step grid. */
    private List<Box> scanRows(IntegralImage integral, WindowClassifier classifier, Level level, int fromRow,
            int toRow) {
        int step = level.step();
        int lastX = level.width() - cascade.windowWidth();
        int accepted = classifier.stageCount();
        float scale = level.scale();
        List<Box> hits = new ArrayList<>();
        for (int row = fromRow; row < toRow; row++) {
            int y = row * step;
            int rowOrigin = y * integral.stride;
            for (int x = 0; x <= lastX; x += step) {
                int result = classifier.classify(integral, rowOrigin + x);
                if (result == accepted) {
                    hits.add(new Box((int) Math.rint(x * scale), (int) Math.rint(y * scale), level.boxWidth(),
                            level.boxHeight()));
                } else if (result == 0) {
                    // as OpenCV: a window the first stage rejects makes its right neighbour unlikely too
                    x += step;
                }
            }
        }
        return hits;
    }
}
