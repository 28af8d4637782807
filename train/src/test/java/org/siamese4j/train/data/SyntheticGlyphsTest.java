package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.ImageOps;

class SyntheticGlyphsTest {

    @Test
    void structureLikeOmniglot() {
        LoadedDataset ds = SyntheticGlyphs.generate(1, 3, 4, 5, 28);
        assertEquals(12, ds.classCount());
        assertEquals(60, ds.imageCount());
        assertEquals(List.of("synthetic-01", "synthetic-02", "synthetic-03"), ds.groups());
        LoadedDataset.LoadedClass c = ds.classes().get(6);
        assertEquals("synthetic-02/glyph03", c.name());
        assertEquals("synthetic-02", c.group());
        assertEquals(List.of("drawer01", "drawer02", "drawer03", "drawer04", "drawer05"), c.imageNames());
        for (LoadedDataset.LoadedClass k : ds.classes()) {
            for (float[] img : k.images()) {
                assertEquals(28 * 28, img.length);
                int ink = 0;
                int white = 0;
                for (float v : img) {
                    assertTrue(v >= 0 && v <= 255, "value " + v);
                    ink += v < 128 ? 1 : 0;
                    white += v == 255f ? 1 : 0;
                }
                assertTrue(ink >= 10, k.name() + " has " + ink + " ink pixels");
                assertTrue(white > img.length / 2, k.name() + ": background should be white");
            }
        }
    }

    @Test
    void sameSeedSamePixels() {
        LoadedDataset a = SyntheticGlyphs.generate(77, 2, 3, 3, 32);
        LoadedDataset b = SyntheticGlyphs.generate(77, 2, 3, 3, 32);
        LoadedDataset c = SyntheticGlyphs.generate(78, 2, 3, 3, 32);
        boolean anyDifferent = false;
        for (int k = 0; k < a.classCount(); k++) {
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(a.classes().get(k).images().get(i), b.classes().get(k).images().get(i));
                anyDifferent |= !Arrays.equals(a.classes().get(k).images().get(i), c.classes().get(k).images().get(i));
            }
        }
        assertTrue(anyDifferent);
        // drawers of one glyph differ: the jitter is there
        assertFalse(Arrays.equals(a.classes().get(0).images().get(0), a.classes().get(0).images().get(1)));
    }

    @Test
    void preprocessorIsApplied() {
        LoadedDataset ds = SyntheticGlyphs.generate(3, 1, 2, 2, 40, img -> ImageOps.resize(img, 10, 10).pixels());
        assertEquals(100, ds.classes().get(0).images().get(0).length);
    }

    @Test
    void drawsEveryImageOfEveryClass() {
        LoadedDataset ds = SyntheticGlyphs.generate(5, 20, 20, 10, 28);
        assertEquals(4000, ds.imageCount());
        assertEquals(400, ds.classCount());
    }

    @Test
    void pixelNearestNeighbourIsFarFromPerfectButAboveChance() {
        int glyphs = 20;
        int drawers = 6;
        LoadedDataset ds = SyntheticGlyphs.generate(11, 8, glyphs, drawers, 28);
        SplittableRandom rnd = new SplittableRandom(2);
        int correct = 0;
        int total = 0;
        for (int a = 0; a < 8; a++) {
            List<LoadedDataset.LoadedClass> alphabet = ds.classes().subList(a * glyphs, (a + 1) * glyphs);
            for (int trial = 0; trial < 4; trial++) {
                int support = rnd.nextInt(drawers);
                int query = (support + 1 + rnd.nextInt(drawers - 1)) % drawers;
                for (int g = 0; g < glyphs; g++) {
                    float[] q = alphabet.get(g).images().get(query);
                    int best = -1;
                    double bestDistance = Double.MAX_VALUE;
                    for (int h = 0; h < glyphs; h++) {
                        double d = squaredDistance(q, alphabet.get(h).images().get(support));
                        if (d < bestDistance) {
                            bestDistance = d;
                            best = h;
                        }
                    }
                    correct += best == g ? 1 : 0;
                    total++;
                }
            }
        }
        double accuracy = correct / (double) total;
        System.out.printf("SyntheticGlyphs 20-way within-alphabet pixel 1-NN: %.3f%n", accuracy);
        assertTrue(accuracy > 0.15, "barely above chance (0.05): " + accuracy);
        assertTrue(accuracy < 0.85, "too easy for raw pixels: " + accuracy);
    }

    @Test
    void badArgumentsAreBadInput() {
        assertThrows(BadInputException.class, () -> SyntheticGlyphs.generate(1, 0, 2, 2, 28));
        assertThrows(BadInputException.class, () -> SyntheticGlyphs.generate(1, 2, 2, 2, 4));
    }

    private static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
