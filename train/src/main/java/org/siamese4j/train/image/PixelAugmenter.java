package org.siamese4j.train.image;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Random changes of pixel values for training, after the geometric ones ({@link AffineAugmenter}):
 * <ul>
 * <li>contrast and brightness jitter: photos differ in exposure, and the model normalises every image with one
 * fixed mean and spread, so a darker photo of a person is, to the network, a different input;</li>
 * <li>random erasing (Zhong, Zheng, Kang, Li and Yang, "Random Erasing Data Augmentation", AAAI 2020): a
 * rectangle of 2-40 % of the image, of aspect 0.3-3.3, filled with random values, so that no one region (the
 * eyes, a fringe) decides who it is.</li>
 * </ul>
 * Works in place on one image, row-major {@code width * height} pixel values 0..255 at an offset of a larger
 * array (a batch), and keeps them in that range; no allocation per call. Draws nothing from the generator when
 * it does nothing, so runs without it keep their trajectories. An instance is immutable and may be shared by
 * threads, each with its own generator.
 */
public final class PixelAugmenter {

    /**
     * @param intensity        contrast scaled by a factor from [1 - s, 1 + s] about the image's mean, then
     *                         brightness shifted by up to s * 64 levels either way (0: off)
     * @param eraseProbability the chance that one rectangle of the image is erased (0: off)
     */
    public record Params(double intensity, double eraseProbability) {

        public static final Params NONE = new Params(0, 0);

        /** The largest intensity: contrast stays positive well above 0. */
        public static final double MAX_INTENSITY = 0.9;

        public Params {
            if (!(intensity >= 0 && intensity <= MAX_INTENSITY)) {
                throw new IllegalArgumentException("intensity must be in 0.." + MAX_INTENSITY + ", got " + intensity);
            }
            if (!(eraseProbability >= 0 && eraseProbability <= 1)) {
                throw new IllegalArgumentException("erase probability must be in 0..1, got " + eraseProbability);
            }
        }

        public boolean isIdentity() {
            return intensity == 0 && eraseProbability == 0;
        }
    }

    static final double MIN_ERASED_AREA = 0.02;
    static final double MAX_ERASED_AREA = 0.4;
    static final double MIN_ERASED_ASPECT = 0.3;
    private static final int ERASE_TRIES = 10;
    private static final float BRIGHTNESS_LEVELS = 64f;

    private final Params params;
    private final int width;
    private final int height;

    public PixelAugmenter(Params params, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        this.params = Objects.requireNonNull(params, "params");
        this.width = width;
        this.height = height;
    }

    /** Changes the image at {@code pixels[offset .. offset + width * height)} (values 0..255) in place. */
    public void augment(float[] pixels, int offset, RandomGenerator random) {
        if (offset < 0 || offset > pixels.length - width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image does not fit at " + offset
                    + " in " + pixels.length + " values");
        }
        if (params.intensity() > 0) {
            jitterIntensity(pixels, offset, random);
        }
        if (params.eraseProbability() > 0 && random.nextDouble() < params.eraseProbability()) {
            eraseRectangle(pixels, offset, random);
        }
    }

    private void jitterIntensity(float[] pixels, int offset, RandomGenerator random) {
        double s = params.intensity();
        float contrast = (float) (1 + s * (2 * random.nextDouble() - 1));
        float brightness = (float) (s * BRIGHTNESS_LEVELS * (2 * random.nextDouble() - 1));
        int end = offset + width * height;
        double sum = 0;
        for (int i = offset; i < end; i++) {
            sum += pixels[i];
        }
        float mean = (float) (sum / (width * height));
        for (int i = offset; i < end; i++) {
            float v = mean + contrast * (pixels[i] - mean) + brightness;
            pixels[i] = Math.min(255f, Math.max(0f, v));
        }
    }

    /** One rectangle of random area and aspect, wholly inside the image, filled with uniform noise. */
    private void eraseRectangle(float[] pixels, int offset, RandomGenerator random) {
        double logMinAspect = Math.log(MIN_ERASED_ASPECT);
        for (int attempt = 0; attempt < ERASE_TRIES; attempt++) {
            double area = width * height * (MIN_ERASED_AREA + (MAX_ERASED_AREA - MIN_ERASED_AREA) * random.nextDouble());
            double aspect = Math.exp(logMinAspect * (2 * random.nextDouble() - 1));
            int h = (int) Math.round(Math.sqrt(area * aspect));
            int w = (int) Math.round(Math.sqrt(area / aspect));
            if (w < 1 || h < 1 || w >= width || h >= height) {
                continue;
            }
            int x0 = random.nextInt(width - w + 1);
            int y0 = random.nextInt(height - h + 1);
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    pixels[offset + y * width + x] = 255f * random.nextFloat();
                }
            }
            return;
        }
    }
}
