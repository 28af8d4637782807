package org.siamese4j.train.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PixelAugmenterTest {

    private static final int W = 48;
    private static final int H = 40;

    /** A batch of three images of mid-range values (none near 0 or 255, so nothing clamps at intensity 0.3). */
    private static float[] batchOfThree(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] batch = new float[3 * W * H];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) (90 + 70 * r.nextDouble());
        }
        return batch;
    }

    private static double mean(float[] a, int off, int n) {
        double s = 0;
        for (int i = off; i < off + n; i++) {
            s += a[i];
        }
        return s / n;
    }

    private static double spread(float[] a, int off, int n) {
        double m = mean(a, off, n);
        double s = 0;
        for (int i = off; i < off + n; i++) {
            s += (a[i] - m) * (a[i] - m);
        }
        return Math.sqrt(s / n);
    }

    @Test
    void noneChangesNothingAndDrawsNothing() {
        float[] batch = batchOfThree(1);
        float[] before = batch.clone();
        SplittableRandom used = new SplittableRandom(7);
        new PixelAugmenter(PixelAugmenter.Params.NONE, W, H).augment(batch, W * H, used);
        assertArrayEquals(before, batch);
        assertEquals(new SplittableRandom(7).nextLong(), used.nextLong(), "a run without it keeps its random stream");
    }

    @Test
    void intensityScalesTheSpreadAndShiftsTheMeanWithinItsRanges() {
        double s = 0.3;
        PixelAugmenter jitter = new PixelAugmenter(new PixelAugmenter.Params(s, 0), W, H);
        SplittableRandom random = new SplittableRandom(3);
        int n = W * H;
        double smallestContrast = 9;
        double largestContrast = 0;
        double largestShift = 0;
        for (int trial = 0; trial < 400; trial++) {
            float[] batch = batchOfThree(trial);
            float[] before = batch.clone();
            jitter.augment(batch, n, random);
            double contrast = spread(batch, n, n) / spread(before, n, n);
            double shift = mean(batch, n, n) - mean(before, n, n);
            assertTrue(contrast >= 1 - s - 1e-4 && contrast <= 1 + s + 1e-4, "contrast " + contrast);
            assertTrue(Math.abs(shift) <= s * 64 + 1e-3, "brightness shift " + shift);
            smallestContrast = Math.min(smallestContrast, contrast);
            largestContrast = Math.max(largestContrast, contrast);
            largestShift = Math.max(largestShift, Math.abs(shift));
            for (int i = 0; i < n; i++) {
                assertEquals(before[i], batch[i], "the image before is untouched");
                assertEquals(before[2 * n + i], batch[2 * n + i], "the image after is untouched");
            }
        }
        // the draws cover their ranges
        assertTrue(smallestContrast < 0.75 && largestContrast > 1.25, smallestContrast + ".." + largestContrast);
        assertTrue(largestShift > 0.9 * s * 64, "largest shift " + largestShift);
    }

    @Test
    void intensityKeepsPixelValuesIn0To255() {
        float[] img = new float[W * H];
        for (int i = 0; i < img.length; i++) {
            img[i] = i % 2 == 0 ? 0 : 255;
        }
        PixelAugmenter strong = new PixelAugmenter(new PixelAugmenter.Params(PixelAugmenter.Params.MAX_INTENSITY, 0), W, H);
        SplittableRandom random = new SplittableRandom(5);
        for (int trial = 0; trial < 50; trial++) {
            float[] copy = img.clone();
            strong.augment(copy, 0, random);
            for (float v : copy) {
                assertTrue(v >= 0 && v <= 255, "value " + v);
            }
        }
    }

    @Test
    void erasingFillsOneRectangleOfTheGivenAreaAndAspect() {
        PixelAugmenter erase = new PixelAugmenter(new PixelAugmenter.Params(0, 1), W, H);
        SplittableRandom random = new SplittableRandom(11);
        int n = W * H;
        for (int trial = 0; trial < 300; trial++) {
            float[] batch = batchOfThree(trial);
            float[] before = batch.clone();
            erase.augment(batch, n, random);
            int minX = W;
            int minY = H;
            int maxX = -1;
            int maxY = -1;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (batch[n + y * W + x] != before[n + y * W + x]) {
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
            assertTrue(maxX >= 0, "something is erased every time at probability 1");
            int w = maxX - minX + 1;
            int h = maxY - minY + 1;
            double area = (double) w * h / n;
            // an erased pixel may draw its old value by chance, so the changed box can be a little smaller
            assertTrue(area <= PixelAugmenter.MAX_ERASED_AREA + 0.03, "area " + area);
            assertTrue(area >= PixelAugmenter.MIN_ERASED_AREA * 0.5, "area " + area);
            double aspect = (double) h / w;
            assertTrue(aspect >= PixelAugmenter.MIN_ERASED_ASPECT * 0.7 && aspect <= 1.4 / PixelAugmenter.MIN_ERASED_ASPECT,
                    "aspect " + aspect);
            int changedInBox = 0;
            for (int y = minY; y <= maxY; y++) {
                for (int x = minX; x <= maxX; x++) {
                    float v = batch[n + y * W + x];
                    assertTrue(v >= 0 && v <= 255, "noise " + v);
                    changedInBox += v != before[n + y * W + x] ? 1 : 0;
                }
            }
            assertTrue(changedInBox >= 0.99 * w * h, "the box is one filled rectangle: " + changedInBox + " of " + w * h);
            for (int i = 0; i < n; i++) {
                assertEquals(before[i], batch[i], "the image before is untouched");
                assertEquals(before[2 * n + i], batch[2 * n + i], "the image after is untouched");
            }
        }
    }

    @Test
    void erasingHappensWithItsProbability() {
        PixelAugmenter erase = new PixelAugmenter(new PixelAugmenter.Params(0, 0.3), W, H);
        SplittableRandom random = new SplittableRandom(13);
        float[] img = new float[W * H];
        int erased = 0;
        for (int trial = 0; trial < 2000; trial++) {
            java.util.Arrays.fill(img, 128f);
            erase.augment(img, 0, random);
            boolean changed = false;
            for (float v : img) {
                changed |= v != 128f;
            }
            erased += changed ? 1 : 0;
        }
        assertEquals(600, erased, 60, "erased " + erased + " of 2000 at probability 0.3");
    }

    @Test
    void theSameSeedGivesTheSameImages() {
        PixelAugmenter both = new PixelAugmenter(new PixelAugmenter.Params(0.2, 0.5), W, H);
        float[] a = batchOfThree(2);
        float[] b = batchOfThree(2);
        both.augment(a, 0, new SplittableRandom(9));
        both.augment(b, 0, new SplittableRandom(9));
        assertArrayEquals(a, b);
        float[] c = batchOfThree(2);
        both.augment(c, 0, new SplittableRandom(10));
        assertFalse(java.util.Arrays.equals(a, c), "another seed, other images");
    }

    @Test
    void badParametersAndOffsetsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PixelAugmenter.Params(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new PixelAugmenter.Params(0.95, 0));
        assertThrows(IllegalArgumentException.class, () -> new PixelAugmenter.Params(0, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new PixelAugmenter.Params(Double.NaN, 0));
        PixelAugmenter erase = new PixelAugmenter(new PixelAugmenter.Params(0, 1), W, H);
        assertThrows(IllegalArgumentException.class, () -> erase.augment(new float[W * H], 1, new SplittableRandom(1)));
        assertThrows(IllegalArgumentException.class, () -> new PixelAugmenter(PixelAugmenter.Params.NONE, 0, 4));
    }
}
