package org.siamese4j.train.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AffineAugmenterTest {

    private static float[] randomImage(int w, int h, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] img = new float[w * h];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) (r.nextDouble() * 255);
        }
        return img;
    }

    @Test
    void identityParametersReproduceTheInputExactly() {
        float[] in = randomImage(28, 28, 1);
        float[] out = new float[in.length];
        new AffineAugmenter(AffineAugmenter.Params.IDENTITY, 28, 28).augment(in, out, 255f, new SplittableRandom(3));
        assertArrayEquals(in, out);

        // Koch's ranges with probability 0 are the identity too, for odd and even sizes
        AffineAugmenter.Params never = new AffineAugmenter.Params(10, 0.3, 0.8, 1.2, 2, 105, 0, false);
        float[] odd = randomImage(15, 9, 2);
        float[] oddOut = new float[odd.length];
        new AffineAugmenter(never, 15, 9).augment(odd, oddOut, 0f, new SplittableRandom(4));
        assertArrayEquals(odd, oddOut);
    }

    @Test
    void translationByOnePixelShifts() {
        int w = 6;
        int h = 4;
        float[] in = randomImage(w, h, 5);
        float[] out = new float[in.length];
        AffineAugmenter.warp(in, out, w, h, 1, 0, 0, 1, 1, 0, -1f);
        for (int y = 0; y < h; y++) {
            assertEquals(-1f, out[y * w], "column 0 comes from outside");
            for (int x = 1; x < w; x++) {
                assertEquals(in[y * w + x - 1], out[y * w + x]);
            }
        }
        AffineAugmenter.warp(in, out, w, h, 1, 0, 0, 1, 0, -1, -1f);
        for (int x = 0; x < w; x++) {
            assertEquals(-1f, out[(h - 1) * w + x], "last row comes from outside");
            assertEquals(in[w + x], out[x]);
        }
        // half a pixel: bilinear mean of neighbours
        AffineAugmenter.warp(in, out, w, h, 1, 0, 0, 1, 0.5, 0, 0f);
        assertEquals((in[1] + in[2]) / 2, out[2], 1e-4);
    }

    @Test
    void deterministicFromTheSeedAndVaried() {
        AffineAugmenter aug = new AffineAugmenter(AffineAugmenter.Params.KOCH, 28, 28);
        float[] in = randomImage(28, 28, 6);
        float[] a = new float[in.length];
        float[] b = new float[in.length];
        float[] c = new float[in.length];
        aug.augment(in, a, 255f, new SplittableRandom(11));
        aug.augment(in, b, 255f, new SplittableRandom(11));
        aug.augment(in, c, 255f, new SplittableRandom(12));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void outputStaysWithinTheValueRange() {
        AffineAugmenter always = new AffineAugmenter(new AffineAugmenter.Params(10, 0.3, 0.8, 1.2, 2, 105, 1, true), 20, 24);
        float[] in = randomImage(20, 24, 7);
        float[] out = new float[in.length];
        SplittableRandom rnd = new SplittableRandom(8);
        for (int i = 0; i < 200; i++) {
            always.augment(in, out, 255f, rnd);
            for (float v : out) {
                assertTrue(v >= 0f && v <= 255f, "value " + v);
            }
        }
    }

    @Test
    void translationScalesWithImageSize() {
        // only translation, always on: a centred dot may move at most 2 * 28 / 105 = 0.533 px per axis
        AffineAugmenter.Params shiftOnly = new AffineAugmenter.Params(0, 0, 1, 1, 2, 105, 1, false);
        AffineAugmenter aug = new AffineAugmenter(shiftOnly, 28, 28);
        float[] in = new float[28 * 28];
        in[14 * 28 + 14] = 1000f;
        float[] out = new float[in.length];
        SplittableRandom rnd = new SplittableRandom(9);
        double maxShift = 0;
        for (int i = 0; i < 100; i++) {
            aug.augment(in, out, 0f, rnd);
            double mass = 0;
            double mx = 0;
            double my = 0;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    mass += out[y * 28 + x];
                    mx += x * out[y * 28 + x];
                    my += y * out[y * 28 + x];
                }
            }
            maxShift = Math.max(maxShift, Math.max(Math.abs(mx / mass - 14), Math.abs(my / mass - 14)));
        }
        assertTrue(maxShift > 0.3 && maxShift <= 2 * 28 / 105.0 + 1e-6, "max shift " + maxShift);
    }

    @Test
    void flipOnlyMirrorsOrKeeps() {
        AffineAugmenter.Params flipOnly = AffineAugmenter.Params.IDENTITY.withHorizontalFlip(true);
        AffineAugmenter aug = new AffineAugmenter(flipOnly, 5, 3);
        float[] in = randomImage(5, 3, 10);
        float[] mirrored = new float[in.length];
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                mirrored[y * 5 + x] = in[y * 5 + 4 - x];
            }
        }
        float[] out = new float[in.length];
        SplittableRandom rnd = new SplittableRandom(11);
        int flips = 0;
        for (int i = 0; i < 50; i++) {
            aug.augment(in, out, 0f, rnd);
            if (Arrays.equals(out, mirrored)) {
                flips++;
            } else {
                assertArrayEquals(in, out);
            }
        }
        assertTrue(flips > 10 && flips < 40, flips + " flips of 50");
    }

    @Test
    void strengthMultipliesEveryRange() {
        AffineAugmenter.Params k = AffineAugmenter.Params.KOCH;
        assertEquals(k, k.scaled(1));
        AffineAugmenter.Params twice = k.scaled(2);
        assertEquals(20, twice.maxRotationDegrees(), 1e-12);
        assertEquals(0.6, twice.maxShear(), 1e-12);
        assertEquals(0.6, twice.minScale(), 1e-12);
        assertEquals(1.4, twice.maxScale(), 1e-12);
        assertEquals(4, twice.maxTranslation(), 1e-12);
        assertEquals(k.probability(), twice.probability());
        assertEquals(k.referenceSize(), twice.referenceSize());
        AffineAugmenter.Params none = k.scaled(0);
        assertEquals(0, none.maxRotationDegrees());
        assertEquals(1, none.minScale());
        assertEquals(1, none.maxScale());
        assertTrue(k.withHorizontalFlip(true).scaled(0.5).horizontalFlip());
        assertThrows(IllegalArgumentException.class, () -> k.scaled(-0.1));
        assertThrows(IllegalArgumentException.class, () -> k.scaled(3.5));
        assertThrows(IllegalArgumentException.class, () -> k.scaled(Double.NaN));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AffineAugmenter.Params(10, 0.3, 1.2, 0.8, 2, 105, 0.5, false));
        float[] a = new float[4];
        assertThrows(IllegalArgumentException.class, () -> AffineAugmenter.warp(a, a, 2, 2, 1, 0, 0, 1, 0, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> AffineAugmenter.warp(a, new float[3], 2, 2, 1, 0, 0, 1, 0, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> AffineAugmenter.warp(a, new float[4], 2, 2, 0, 0, 0, 0, 0, 0, 0f));
    }
}
