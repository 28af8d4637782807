package org.siamese4j.train.image;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Random affine distortions for training, after Koch, Zemel and Salakhutdinov (2015), "Siamese Neural
 * Networks for One-shot Image Recognition": rotation, shear, scale and translation, each of the seven
 * parameters (theta, shear x, shear y, scale x, scale y, shift x, shift y) drawn uniformly from its range
 * and applied independently with probability {@link Params#probability()} (otherwise left at identity).
 *
 * <p>Works in place of a model input: a row-major {@code float[width * height]} buffer, written into a
 * caller-supplied output buffer with no allocation per call. The transform is about the image centre and
 * sampled bilinearly; output pixels that map outside the input take the caller's fill value (the
 * background). Deterministic given the random generator's state. An instance is immutable and may be
 * shared by threads, each with its own generator.
 */
public final class AffineAugmenter {

    /**
     * The distortion ranges.
     *
     * @param maxRotationDegrees rotation drawn from [-max, max] degrees
     * @param maxShear           shear factors (x and y) drawn from [-max, max]
     * @param minScale           scale factors (x and y, independent) drawn from [min, max]
     * @param maxScale           see minScale
     * @param maxTranslation     shifts (x and y) drawn from [-max, max] pixels at {@code referenceSize}
     * @param referenceSize      the image size the translation is given for; it scales with the real size
     *                           (2 px at 105 px is 0.53 px at 28 px)
     * @param probability        the chance that each parameter is applied
     * @param horizontalFlip     also mirror left-right with probability 1/2 (faces; not for characters)
     */
    public record Params(double maxRotationDegrees, double maxShear, double minScale, double maxScale,
            double maxTranslation, double referenceSize, double probability, boolean horizontalFlip) {

        /** Koch et al.'s ranges: ±10°, shear ±0.3, scale 0.8-1.2, shift ±2 px at 105 px, p = 0.5; no flip. */
        public static final Params KOCH = new Params(10, 0.3, 0.8, 1.2, 2, 105, 0.5, false);

        /** No distortion at all. */
        public static final Params IDENTITY = new Params(0, 0, 1, 1, 0, 105, 0, false);

        public Params {
            if (!(maxRotationDegrees >= 0) || !(maxShear >= 0) || !(maxTranslation >= 0)) {
                throw new IllegalArgumentException("rotation, shear and translation ranges must be >= 0");
            }
            if (!(minScale > 0) || !(maxScale >= minScale)) {
                throw new IllegalArgumentException("scale range must satisfy 0 < min <= max, got " + minScale
                        + ".." + maxScale);
            }
            if (!(referenceSize > 0) || !(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("reference size must be > 0 and probability in 0..1");
            }
            if (maxShear >= 1) {
                throw new IllegalArgumentException("shear must stay below 1 to keep the transform invertible");
            }
        }

        /** The largest {@link #scaled} factor: Koch's shear (0.3) stays below 1 and his scales above 0.4. */
        public static final double MAX_STRENGTH = 3;

        /**
         * These ranges times {@code strength}: rotation, shear, translation and the scale's distance from 1
         * grow (or, below 1, shrink) by that factor; the probability and the flip stay.
         */
        public Params scaled(double strength) {
            if (!(strength >= 0 && strength <= MAX_STRENGTH)) {
                throw new IllegalArgumentException("augmentation strength must be in 0.." + MAX_STRENGTH + ", got " + strength);
            }
            return new Params(maxRotationDegrees * strength, maxShear * strength, 1 - (1 - minScale) * strength,
                    1 + (maxScale - 1) * strength, maxTranslation * strength, referenceSize, probability, horizontalFlip);
        }

        public Params withHorizontalFlip(boolean flip) {
            return new Params(maxRotationDegrees, maxShear, minScale, maxScale, maxTranslation, referenceSize,
                    probability, flip);
        }
    }

    private final Params params;
    private final int width;
    private final int height;
    private final double maxShiftX;
    private final double maxShiftY;

    public AffineAugmenter(Params params, int width, int height) {
        this.params = Objects.requireNonNull(params, "params");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.maxShiftX = params.maxTranslation() * width / params.referenceSize();
        this.maxShiftY = params.maxTranslation() * height / params.referenceSize();
    }

    public Params params() {
        return params;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Writes a randomly distorted copy of {@code in} into {@code out} (both width*height, distinct arrays).
     *
     * @param fill the value of pixels that come from outside the input (e.g. 255 for white background)
     */
    public void augment(float[] in, float[] out, float fill, RandomGenerator random) {
        double p = params.probability();
        double theta = random.nextDouble() < p ? Math.toRadians(uniform(random, params.maxRotationDegrees())) : 0;
        double shearX = random.nextDouble() < p ? uniform(random, params.maxShear()) : 0;
        double shearY = random.nextDouble() < p ? uniform(random, params.maxShear()) : 0;
        double scaleX = random.nextDouble() < p ? between(random, params.minScale(), params.maxScale()) : 1;
        double scaleY = random.nextDouble() < p ? between(random, params.minScale(), params.maxScale()) : 1;
        double shiftX = random.nextDouble() < p ? uniform(random, maxShiftX) : 0;
        double shiftY = random.nextDouble() < p ? uniform(random, maxShiftY) : 0;
        boolean flip = params.horizontalFlip() && random.nextBoolean();

        // forward map about the centre: A = R * Sh * S (* mirror), then shift
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double sx = flip ? -scaleX : scaleX;
        // Sh * S = [[sx, shearX*scaleY], [shearY*sx, scaleY]]
        double m00 = sx;
        double m01 = shearX * scaleY;
        double m10 = shearY * sx;
        double m11 = scaleY;
        double a = cos * m00 - sin * m10;
        double b = cos * m01 - sin * m11;
        double c = sin * m00 + cos * m10;
        double d = sin * m01 + cos * m11;
        warp(in, out, width, height, a, b, c, d, shiftX, shiftY, fill);
    }

    /**
     * Applies one given forward transform: input point p (relative to the centre) goes to
     * [[a, b], [c, d]] * p + (tx, ty). Output pixels sample the input bilinearly at the inverse image of
     * their centre; samples outside the input read {@code fill}.
     */
    public static void warp(float[] in, float[] out, int width, int height, double a, double b, double c, double d,
            double tx, double ty, float fill) {
        int n = width * height;
        if (in.length != n || out.length != n) {
            throw new IllegalArgumentException("buffers must hold " + width + "x" + height + " = " + n
                    + " pixels, got " + in.length + " and " + out.length);
        }
        if (in == out) {
            throw new IllegalArgumentException("input and output must be different arrays");
        }
        double det = a * d - b * c;
        if (!(Math.abs(det) > 1e-12)) {
            throw new IllegalArgumentException("transform is not invertible (determinant " + det + ")");
        }
        double ia = d / det;
        double ib = -b / det;
        double ic = -c / det;
        double id = a / det;
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        for (int y = 0; y < height; y++) {
            double oy = y - cy - ty;
            // the source point moves linearly along a row: start and per-pixel step
            double ox0 = -cx - tx;
            double srcX = ia * ox0 + ib * oy + cx;
            double srcY = ic * ox0 + id * oy + cy;
            int row = y * width;
            for (int x = 0; x < width; x++) {
                out[row + x] = sample(in, width, height, srcX, srcY, fill);
                srcX += ia;
                srcY += ic;
            }
        }
    }

    private static float sample(float[] in, int width, int height, double x, double y, float fill) {
        // snap values within rounding error of a pixel centre, so identity and integer shifts are exact
        double rx = Math.rint(x);
        double ry = Math.rint(y);
        if (Math.abs(x - rx) < 1e-9) {
            x = rx;
        }
        if (Math.abs(y - ry) < 1e-9) {
            y = ry;
        }
        if (x <= -1 || y <= -1 || x >= width || y >= height) {
            return fill;
        }
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        float fx = (float) (x - x0);
        float fy = (float) (y - y0);
        float p00 = pixel(in, width, height, x0, y0, fill);
        if (fx == 0f && fy == 0f) {
            return p00;
        }
        float p10 = pixel(in, width, height, x0 + 1, y0, fill);
        float p01 = pixel(in, width, height, x0, y0 + 1, fill);
        float p11 = pixel(in, width, height, x0 + 1, y0 + 1, fill);
        float top = p00 + fx * (p10 - p00);
        float bottom = p01 + fx * (p11 - p01);
        float v = top + fy * (bottom - top);
        // keep rounding from stepping outside the four neighbours' range
        float lo = Math.min(Math.min(p00, p10), Math.min(p01, p11));
        float hi = Math.max(Math.max(p00, p10), Math.max(p01, p11));
        return Math.max(lo, Math.min(hi, v));
    }

    private static float pixel(float[] in, int width, int height, int x, int y, float fill) {
        return x < 0 || y < 0 || x >= width || y >= height ? fill : in[y * width + x];
    }

    private static double uniform(RandomGenerator random, double max) {
        return max == 0 ? 0 : (random.nextDouble() * 2 - 1) * max;
    }

    private static double between(RandomGenerator random, double min, double max) {
        return min == max ? min : min + random.nextDouble() * (max - min);
    }
}
