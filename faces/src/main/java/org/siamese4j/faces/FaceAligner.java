package org.siamese4j.faces;

import java.util.List;
import java.util.Objects;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.model.image.ImageOps;

/**
 * Finds how far a detected face is turned in the image plane, so that it can be cropped upright. The
 * frontal-face cascade was trained on upright faces and accepts windows over a face only while it is within
 * about 15 degrees of upright; turned about the face's centre by the angle that makes the face upright, the
 * image gives the cascade the most windows there. So the search turns a patch around the face by every
 * angle from -{@value #MAX_DEGREES} to {@value #MAX_DEGREES} degrees in steps of {@value #STEP_DEGREES}, counts
 * the windows the cascade accepts around the face's centre at about the face's size, and takes the angle
 * with the most (the smallest turn among equals; 0 when none beats upright), refined by the counts of its
 * two neighbours. Immutable and safe to share.
 */
public final class FaceAligner {
    /** The largest turn searched, in degrees either way. */
    public static final int MAX_DEGREES = 30;
    /** The search's step, in degrees. */
    public static final int STEP_DEGREES = 5;
    /** The face's side in the search patch, in pixels: twice the cascade's window, room for its features. */
    static final int FACE_SIDE = 48;
    /** The search patch's side: the face and half a face of context on every side. */
    static final int PATCH_SIDE = 2 * FACE_SIDE;
    /** How far from the face's centre a window's centre may lie to count, in patch pixels. */
    static final double CENTRE_TOLERANCE = FACE_SIDE / 4.0;

    private final HaarCascade cascade;
    private final List<FaceDetector.Level> levels;
    /** One classifier per level, built once: every patch has the same size, so each level's integral does too. */
    private final WindowClassifier[] classifiers;

    /** @param cascade the frontal-face cascade whose acceptance marks an upright face */
    public FaceAligner(HaarCascade cascade) {
        this.cascade = Objects.requireNonNull(cascade, "cascade");
        // windows from 2/3 to 3/2 of the face's side, in finer scale steps than detection's
        DetectorOptions options = DetectorOptions.defaults().withScaleFactor(1.1)
                .withMinSize(FACE_SIDE * 2 / 3).withMaxSize(FACE_SIDE * 3 / 2);
        this.levels = new FaceDetector(cascade, options).levels(PATCH_SIDE, PATCH_SIDE);
        this.classifiers = new WindowClassifier[levels.size()];
        for (int i = 0; i < levels.size(); i++) {
            int stride = levels.get(i).width() + 1;
            classifiers[i] = new WindowClassifier(cascade, stride, stride * (levels.get(i).height() + 1));
        }
    }

    /** The aligner for the built-in frontal-face cascade. */
    public static FaceAligner standard() {
        return new FaceAligner(HaarCascade.builtIn());
    }

    /**
     * The angle, in degrees, by which {@link #turned} must turn the photo about the face's centre to make the
     * face at {@code face} upright: positive when the face leans to the image's right (its top turned
     * clockwise), 0 when no angle beats upright.
     */
    public double uprightAngle(GrayImage photo, Box face) {
        double side = Math.max(face.w(), face.h());
        double centreX = face.x() + face.w() / 2.0;
        double centreY = face.y() + face.h() / 2.0;
        double step = side / FACE_SIDE;
        double left = centreX - PATCH_SIDE / 2.0 * step;
        double top = centreY - PATCH_SIDE / 2.0 * step;
        // every turn of the patch lies within the circle through its corners: shrink that part of the photo once
        double reach = PATCH_SIDE / Math.sqrt(2) * step;
        Source source = Source.of(photo, centreX - reach, centreY - reach, centreX + reach, centreY + reach, step);
        int angles = 2 * MAX_DEGREES / STEP_DEGREES + 1;
        int[] counts = new int[angles];
        for (int a = 0; a < angles; a++) {
            double degrees = -MAX_DEGREES + a * STEP_DEGREES;
            GrayImage patch = source.turned(centreX, centreY, degrees, left, top, step, step, PATCH_SIDE, PATCH_SIDE);
            counts[a] = windowsAroundCentre(patch);
        }
        int upright = MAX_DEGREES / STEP_DEGREES;
        int best = upright;
        for (int a = 0; a < angles; a++) {
            boolean more = counts[a] > counts[best];
            boolean asManyButLess = counts[a] == counts[best] && Math.abs(a - upright) < Math.abs(best - upright);
            if (more || asManyButLess) {
                best = a;
            }
        }
        if (best == upright) {
            return 0;
        }
        double sum = 0;
        double weighted = 0;
        for (int a = Math.max(0, best - 1); a <= Math.min(angles - 1, best + 1); a++) {
            sum += counts[a];
            weighted += counts[a] * (-MAX_DEGREES + a * STEP_DEGREES);
        }
        return weighted / sum;
    }

    /**
     * How many windows the cascade accepts in the patch, at every level and every position whose window centre
     * lies within {@link #CENTRE_TOLERANCE} of the patch's centre (only those are classified).
     */
    private int windowsAroundCentre(GrayImage patch) {
        Gray8 image = Gray8.of(patch);
        double centre = PATCH_SIDE / 2.0;
        int accepted = 0;
        for (int i = 0; i < levels.size(); i++) {
            FaceDetector.Level level = levels.get(i);
            Gray8 scaled = image.resized(level.width(), level.height());
            IntegralImage integral = IntegralImage.of(scaled, cascade.hasTiltedFeatures());
            WindowClassifier classifier = classifiers[i];
            double scale = level.scale();
            int lastX = level.width() - cascade.windowWidth();
            int lastY = level.height() - cascade.windowHeight();
            // window origins (level pixels) whose centre (input pixels) can lie within the tolerance
            double half = level.boxWidth() / 2.0;
            int from = Math.max(0, (int) Math.ceil((centre - half - CENTRE_TOLERANCE) / scale));
            int toX = Math.min(lastX, (int) Math.floor((centre - half + CENTRE_TOLERANCE) / scale));
            int toY = Math.min(lastY, (int) Math.floor((centre - level.boxHeight() / 2.0 + CENTRE_TOLERANCE) / scale));
            for (int y = from; y <= toY; y++) {
                double dy = y * scale + level.boxHeight() / 2.0 - centre;
                for (int x = from; x <= toX; x++) {
                    double dx = x * scale + half - centre;
                    if (dx * dx + dy * dy <= CENTRE_TOLERANCE * CENTRE_TOLERANCE
                            && classifier.classify(integral, y * integral.stride + x) == classifier.stageCount()) {
                        accepted++;
                    }
                }
            }
        }
        return accepted;
    }

    /**
     * A {@code width x height} image of the photo turned by {@code degrees} about (pivotX, pivotY): output
     * pixel (i, j) shows the point that, before the turn, lay at (left + (i + 1/2) stepX, top + (j + 1/2)
     * stepY). Positive degrees turn the photo's content counter-clockwise on screen, so a face leaning right
     * comes upright. Sampled bilinearly, from a copy first shrunk by area averaging when a step exceeds one
     * pixel (so a large face is not aliased); outside the photo the nearest edge pixel repeats, as
     * {@link ImageOps#crop} does.
     */
    public static GrayImage turned(GrayImage photo, double pivotX, double pivotY, double degrees, double left,
            double top, double stepX, double stepY, int width, int height) {
        double radians = Math.toRadians(degrees);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        // the part of the photo the output can reach: the output rectangle's corners, turned
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int corner = 0; corner < 4; corner++) {
            double x = left + ((corner & 1) == 0 ? 0 : width * stepX) - pivotX;
            double y = top + ((corner & 2) == 0 ? 0 : height * stepY) - pivotY;
            double px = pivotX + cos * x - sin * y;
            double py = pivotY + sin * x + cos * y;
            minX = Math.min(minX, px);
            minY = Math.min(minY, py);
            maxX = Math.max(maxX, px);
            maxY = Math.max(maxY, py);
        }
        return Source.of(photo, minX, minY, maxX, maxY, Math.min(stepX, stepY))
                .turned(pivotX, pivotY, degrees, left, top, stepX, stepY, width, height);
    }

    /**
     * The photo's pixels over a rectangle, shrunk by area averaging when a step exceeds one pixel (so a large
     * face is not aliased). Only the photo's own pixels are copied, so memory stays bounded by the photo even
     * for a region far larger than it; samples beyond them clamp to the edge, as the edge pixels repeat.
     *
     * @param image the copy, perhaps shrunk
     * @param x the photo column of the copy's left edge
     * @param y the photo row of the copy's top edge
     * @param scaleX copy pixels per photo pixel, across
     * @param scaleY copy pixels per photo pixel, down
     */
    private record Source(GrayImage image, int x, int y, double scaleX, double scaleY) {
        static Source of(GrayImage photo, double minX, double minY, double maxX, double maxY, double step) {
            int x = Math.min(photo.width() - 1, Math.max(0, (int) Math.floor(minX) - 2));
            int y = Math.min(photo.height() - 1, Math.max(0, (int) Math.floor(minY) - 2));
            int w = Math.min(photo.width(), Math.max(x + 1, (int) Math.ceil(maxX) + 2)) - x;
            int h = Math.min(photo.height(), Math.max(y + 1, (int) Math.ceil(maxY) + 2)) - y;
            GrayImage image = ImageOps.crop(photo, x, y, w, h);
            if (step > 1) {
                image = ImageOps.resize(image, Math.max(1, (int) Math.round(w / step)),
                        Math.max(1, (int) Math.round(h / step)));
            }
            return new Source(image, x, y, (double) image.width() / w, (double) image.height() / h);
        }

        /** {@link FaceAligner#turned}, read from this copy. */
        GrayImage turned(double pivotX, double pivotY, double degrees, double left, double top, double stepX,
                double stepY, int width, int height) {
            double radians = Math.toRadians(degrees);
            double cos = Math.cos(radians);
            double sin = Math.sin(radians);
            float[] out = new float[Math.multiplyExact(width, height)];
            for (int j = 0; j < height; j++) {
                double v = top + (j + 0.5) * stepY - pivotY;
                for (int i = 0; i < width; i++) {
                    double u = left + (i + 0.5) * stepX - pivotX;
                    double px = pivotX + cos * u - sin * v;
                    double py = pivotY + sin * u + cos * v;
                    out[j * width + i] = bilinear(image, (px - x) * scaleX - 0.5, (py - y) * scaleY - 0.5);
                }
            }
            return new GrayImage(width, height, out);
        }
    }

    /** The image at (x, y) in pixel-centre coordinates, linearly interpolated, edges repeated. */
    private static float bilinear(GrayImage image, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        int w = image.width();
        int h = image.height();
        int xa = Math.min(w - 1, Math.max(0, x0));
        int xb = Math.min(w - 1, Math.max(0, x0 + 1));
        int ya = Math.min(h - 1, Math.max(0, y0));
        int yb = Math.min(h - 1, Math.max(0, y0 + 1));
        float[] p = image.pixels();
        double top = (1 - fx) * p[ya * w + xa] + fx * p[ya * w + xb];
        double bottom = (1 - fx) * p[yb * w + xa] + fx * p[yb * w + xb];
        return (float) ((1 - fy) * top + fy * bottom);
    }
}
