package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compiled classifier against a direct reading of OpenCV's rules computed from pixels, with no integral
 * images: inner-area normalisation, weighted (tilted or upright) rectangle sums, tree walks, stage sums.
 */
class WindowClassifierTest {
    /** {@link TestCascades#SMALL} with its depth-2 tree replaced by a stump, for the stump-only path. */
    private static final String SMALL_STUMPS = TestCascades.SMALL
            .replace("1 0 1 -5.0e-02 -1 -2 2 2.0e-02", "0 -1 1 -5.0e-02")
            .replace("4.0e-01 -7.5e-01 6.0e-01", "4.0e-01 -7.5e-01");

    @Test
    void treeCascadeAgreesWithReference() {
        checkAgainstReference(TestCascades.parse(TestCascades.SMALL), 11);
    }

    @Test
    void stumpCascadeAgreesWithReference() {
        HaarCascade cascade = TestCascades.parse(SMALL_STUMPS);
        assertEquals(1, cascade.maxNodesPerTree());
        checkAgainstReference(cascade, 12);
    }

    private static void checkAgainstReference(HaarCascade cascade, long seed) {
        Random random = new Random(seed);
        int[] outcomes = new int[cascade.stageCount() + 2];
        for (int image = 0; image < 20; image++) {
            // blocky images give features of both signs; every fourth is nearly flat
            int[] levels = image % 4 == 0 ? new int[] {118, 121, 124} : new int[] {0, 20, 60, 128, 200, 255};
            Gray8 gray = blockyImage(random, 30, 26, 1 + random.nextInt(4), levels);
            IntegralImage ii = IntegralImage.of(gray, cascade.hasTiltedFeatures());
            WindowClassifier classifier = new WindowClassifier(cascade, ii.stride, ii.size);
            for (int y = 0; y + cascade.windowHeight() <= gray.height; y++) {
                for (int x = 0; x + cascade.windowWidth() <= gray.width; x++) {
                    int expected = reference(cascade, gray, x, y);
                    assertEquals(expected, classifier.classify(ii, y * ii.stride + x), "window " + x + "," + y);
                    outcomes[expected + 1]++;
                }
            }
        }
        // the images must exercise flat windows, every stage's rejection and acceptance
        for (int i = 0; i < outcomes.length; i++) {
            assertTrue(outcomes[i] > 0, "outcome " + (i - 1) + " never happened: " + Arrays.toString(outcomes));
        }
    }

    /** OpenCV's decision for the window at (wx, wy), from pixels. */
    private static int reference(HaarCascade c, Gray8 image, int wx, int wy) {
        long sum = 0;
        long squares = 0;
        for (int y = 1; y < c.windowHeight() - 1; y++) {
            for (int x = 1; x < c.windowWidth() - 1; x++) {
                int v = image.get(wx + x, wy + y);
                sum += v;
                squares += (long) v * v;
            }
        }
        double area = (c.windowWidth() - 2) * (c.windowHeight() - 2);
        double nf = area * squares - (double) sum * sum;
        if (nf <= 0) {
            return WindowClassifier.FLAT;
        }
        float norm = (float) (1.0 / Math.sqrt(nf));
        if (area * norm >= 0.1) {
            return WindowClassifier.FLAT;
        }
        for (int stage = 0; stage < c.stageCount(); stage++) {
            double stageSum = 0;
            for (int tree = c.stageTreeStart()[stage]; tree < c.stageTreeStart()[stage + 1]; tree++) {
                int node = 0;
                do {
                    int n = c.treeNodeStart()[tree] + node;
                    float value = featureValue(c, c.nodeFeature()[n], image, wx, wy) * norm;
                    node = value < c.nodeThreshold()[n] ? c.nodeLeft()[n] : c.nodeRight()[n];
                } while (node > 0);
                stageSum += c.leafValues()[c.treeLeafStart()[tree] - node];
            }
            if (stageSum < c.stageThresholds()[stage]) {
                return stage;
            }
        }
        return c.stageCount();
    }

    private static float featureValue(HaarCascade c, int f, Gray8 image, int wx, int wy) {
        float value = 0;
        for (int r = 0; r < 3; r++) {
            float weight = c.featureWeights()[3 * f + r];
            if (weight == 0) {
                continue;
            }
            int[] rect = Arrays.copyOfRange(c.featureRects(), 12 * f + 4 * r, 12 * f + 4 * r + 4);
            long s = 0;
            for (int py = 0; py < c.windowHeight(); py++) {
                for (int px = 0; px < c.windowWidth(); px++) {
                    if (inside(rect, c.featureTilted()[f], px, py)) {
                        s += image.get(wx + px, wy + py);
                    }
                }
            }
            value += weight * (float) s;
        }
        return value;
    }

    private static boolean inside(int[] r, boolean tilted, int px, int py) {
        if (!tilted) {
            return px >= r[0] && px < r[0] + r[2] && py >= r[1] && py < r[1] + r[3];
        }
        int u = (px - r[0] + 1) + (py - r[1]);
        int v = (py - r[1]) - (px - r[0] + 1);
        return u >= 0 && u < 2 * r[2] && v >= 0 && v < 2 * r[3];
    }

    private static Gray8 blockyImage(Random random, int w, int h, int block, int[] levels) {
        byte[] px = new byte[w * h];
        for (int by = 0; by < h; by += block) {
            for (int bx = 0; bx < w; bx += block) {
                int v = levels[random.nextInt(levels.length)];
                for (int y = by; y < Math.min(h, by + block); y++) {
                    for (int x = bx; x < Math.min(w, bx + block); x++) {
                        px[y * w + x] = (byte) v;
                    }
                }
            }
        }
        return new Gray8(w, h, px);
    }
}
