package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Winograd F(2x2, 3x3) passes (SIMD backend) against naive loops: forward with bias and ReLU, the input
 * gradient and the weight gradient, on the shapes that choose them, offsets into larger arrays, several runs of
 * images, and any thread count giving the same bits (the weight gradient, whose threads sum their own images
 * and add the parts in order: the loops' values on any thread count).
 */
class ConvWinogradTest {
    /** Relative to the largest reference value; the transforms add up to 9 inputs before multiplying. */
    private static final double TOLERANCE = 2e-6;

    private static final ConvGeometry[] WINOGRAD = {
        new ConvGeometry(2, 64, 24, 24, 64, 3, 3, 1, 1),   // compact conv 2: 160 tiles an image (12 x 13, whole vectors)
        new ConvGeometry(17, 64, 12, 12, 64, 3, 3, 1, 1),  // compact conv 3: 7 images a run, then a shorter run
        new ConvGeometry(40, 64, 6, 6, 64, 3, 3, 1, 1),    // compact conv 4: 16 images a run, tiles of 3 x 4
        new ConvGeometry(3, 64, 14, 14, 64, 3, 3, 1, 1),   // small28 conv 2
        new ConvGeometry(2, 8, 2, 2, 8, 3, 3, 1, 1),       // a single tile an image
        new ConvGeometry(3, 16, 10, 4, 24, 3, 3, 1, 1),    // not square, more out than in channels
        new ConvGeometry(2, 24, 4, 30, 8, 3, 3, 1, 1),     // a row of 15 tiles
        new ConvGeometry(2, 8, 4, 40, 16, 3, 3, 1, 1),     // rows of 20 tiles: more than a vector
    };

    /** Weight-gradient shapes: in channels whole panels of 2 vectors (32 floats here), out channels whole vectors. */
    private static final ConvGeometry[] WINOGRAD_WEIGHTS = {
        new ConvGeometry(2, 64, 24, 24, 64, 3, 3, 1, 1),   // compact conv 2: an image a group, chunks of 5, 5, 2 tile rows
        new ConvGeometry(17, 64, 12, 12, 64, 3, 3, 1, 1),  // compact conv 3: 3 images a group, then 2
        new ConvGeometry(40, 64, 6, 6, 64, 3, 3, 1, 1),    // compact conv 4: 14 images a group, chunks across images
        new ConvGeometry(3, 64, 14, 14, 64, 3, 3, 1, 1),   // small28 conv 2: tile rows of 7
        new ConvGeometry(2, 32, 2, 2, 16, 3, 3, 1, 1),     // a single tile an image
        new ConvGeometry(3, 32, 10, 4, 48, 3, 3, 1, 1),    // not square, more out than in channels
        new ConvGeometry(2, 32, 4, 30, 16, 3, 3, 1, 1),    // a row of 15 tiles
        new ConvGeometry(1, 32, 2, 260, 16, 3, 3, 1, 1),   // a tile row longer than a chunk
    };

    @Test
    void chosenForEvenThreeByThreeLayersWithChannelsEnough() {
        ConvWinograd simd = new ConvWinograd(TestKernels.ops("simd"));
        for (ConvGeometry g : WINOGRAD) {
            assertTrue(simd.forwardApplies(g) && simd.backwardInputApplies(g), g.toString());
        }
        assertFalse(simd.forwardApplies(new ConvGeometry(2, 64, 7, 7, 64, 3, 3, 1, 1)), "odd sides");
        assertFalse(simd.forwardApplies(new ConvGeometry(2, 64, 8, 8, 64, 3, 3, 1, 0)), "no border");
        assertFalse(simd.forwardApplies(new ConvGeometry(2, 64, 8, 8, 64, 3, 3, 2, 1)), "stride 2");
        assertFalse(simd.forwardApplies(new ConvGeometry(2, 1, 48, 48, 64, 3, 3, 1, 1)), "one input channel");
        assertFalse(simd.forwardApplies(new ConvGeometry(2, 8, 8, 8, 12, 3, 3, 1, 1)), "12 out channels");
        assertTrue(simd.backwardInputApplies(new ConvGeometry(2, 8, 8, 8, 12, 3, 3, 1, 1)), "8 in channels");
        assertFalse(new ConvWinograd(new ScalarOps()).forwardApplies(WINOGRAD[0]), "scalar backend");
        for (ConvGeometry g : WINOGRAD_WEIGHTS) {
            assertTrue(simd.weightGradientApplies(g), g.toString());
        }
        assertFalse(simd.weightGradientApplies(new ConvGeometry(2, 24, 8, 8, 64, 3, 3, 1, 1)), "24 in channels");
        assertFalse(simd.weightGradientApplies(new ConvGeometry(2, 32, 8, 8, 24, 3, 3, 1, 1)), "24 out channels");
        assertFalse(simd.weightGradientApplies(new ConvGeometry(2, 32, 7, 8, 8, 3, 3, 1, 1)), "odd height");
        assertFalse(new ConvWinograd(new ScalarOps()).weightGradientApplies(WINOGRAD_WEIGHTS[0]), "scalar backend");
    }

    @Test
    void interleavedLanesAreTheChannelsOfEachPixel() {
        VectorOps simd = TestKernels.ops("simd");
        int lanes = simd.vectorLength();
        SplittableRandom r = new SplittableRandom(37);
        for (int n : new int[] {1, 5, lanes, lanes + 1, 36, 576}) {
            float[] a = TestKernels.random(r, lanes * n + 3);
            float[] dst = new float[lanes * n + 2];
            Arrays.fill(dst, Float.NaN);
            simd.interleaveLanes(a, 3, n, dst, 1);
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < lanes; j++) {
                    assertEquals(a[3 + j * n + k], dst[1 + k * lanes + j], "n " + n + " pixel " + k + " channel " + j);
                }
            }
            assertTrue(Float.isNaN(dst[0]) && Float.isNaN(dst[dst.length - 1]), "n " + n + ": nothing written outside");
        }
    }

    @Test
    void weightGradientMatchesNaiveAndAddsToWhatIsThere() {
        SplittableRandom r = new SplittableRandom(31);
        for (ConvGeometry g : WINOGRAD_WEIGHTS) {
            float[] x = TestKernels.random(r, g.batch() * g.inSize() + 3);
            float[] dy = TestKernels.random(r, g.batch() * g.outSize() + 4);
            float[] before = TestKernels.random(r, g.weightSize() + 2);
            double[][] ref = Naive.convBackward(g, Arrays.copyOfRange(x, 3, x.length), new float[g.weightSize()],
                    Arrays.copyOfRange(dy, 4, dy.length));
            double[] dwRef = ref[1].clone();
            for (int i = 0; i < dwRef.length; i++) {
                dwRef[i] += before[i + 2];
            }
            for (int threads : new int[] {1, 2, 3}) {
                Kernels k = Backend.kernels("simd", threads);
                float[] dw = before.clone();
                float[] db = new float[g.outChannels() + 1];
                k.conv2dBackwardParams(g, x, 3, dy, 4, dw, 2, db, 1);
                String where = g + " threads " + threads;
                assertClose(Arrays.copyOfRange(dw, 2, dw.length), dwRef, where + " weight gradient");
                assertClose(Arrays.copyOfRange(db, 1, db.length), ref[2], where + " bias gradient");
                assertEquals(before[1], dw[1], where + ": nothing written before the weights");
            }
        }
    }

    @Test
    void forwardAndInputGradientMatchNaive() {
        SplittableRandom r = new SplittableRandom(29);
        for (ConvGeometry g : WINOGRAD) {
            float[] x = TestKernels.random(r, g.batch() * g.inSize() + 3);
            float[] w = TestKernels.random(r, g.weightSize() + 2);
            float[] bias = TestKernels.random(r, g.outChannels() + 1);
            float[] dy = TestKernels.random(r, g.batch() * g.outSize() + 4);
            float[] xs = Arrays.copyOfRange(x, 3, x.length);
            float[] ws = Arrays.copyOfRange(w, 2, w.length);
            double[] dxRef = Naive.convBackward(g, xs, ws, Arrays.copyOfRange(dy, 4, dy.length))[0];
            for (boolean relu : new boolean[] {false, true}) {
                double[] yRef = Naive.convForward(g, xs, ws, Arrays.copyOfRange(bias, 1, bias.length), relu);
                float[] first = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Kernels k = Backend.kernels("simd", threads);
                    String where = g + " relu " + relu + " threads " + threads;
                    float[] y = new float[g.batch() * g.outSize() + 5];
                    Arrays.fill(y, Float.NaN);
                    k.conv2dForward(g, x, 3, w, 2, bias, 1, y, 5, relu);
                    assertClose(Arrays.copyOfRange(y, 5, y.length), yRef, where + " forward");
                    assertTrue(Float.isNaN(y[4]), where + ": nothing written before the output");
                    if (first == null) {
                        first = y;
                    } else {
                        assertArrayEquals(first, y, where + ": the same bits on any thread count");
                    }
                }
            }
            float[] first = null;
            for (int threads : new int[] {1, 2, 3}) {
                Kernels k = Backend.kernels("simd", threads);
                float[] dx = new float[g.batch() * g.inSize() + 6];
                Arrays.fill(dx, Float.NaN);
                k.conv2dBackwardInput(g, dy, 4, w, 2, dx, 6);
                assertClose(Arrays.copyOfRange(dx, 6, dx.length), dxRef, g + " threads " + threads + " input gradient");
                if (first == null) {
                    first = dx;
                } else {
                    assertArrayEquals(first, dx, g + ": the same input gradient on any thread count");
                }
            }
        }
    }

    @Test
    void reluZeroesNegativeOutputsAndKeepsNaNAsTheSimdDirectFormDoes() {
        ConvGeometry g = new ConvGeometry(1, 8, 8, 8, 8, 3, 3, 1, 1);
        float[] x = new float[g.inSize()];
        x[2 * 8 + 2] = Float.NaN; // channel 0, row 2, column 2
        float[] w = TestKernels.filled(g.weightSize(), 0.5f);
        float[] bias = TestKernels.filled(g.outChannels(), -1f);
        float[] y = new float[g.outSize()];
        Backend.kernels("simd", 1).conv2dForward(g, x, 0, w, 0, bias, 0, y, 0, true);
        for (int c = 0; c < 8; c++) {
            assertTrue(Float.isNaN(y[c * 64 + 2 * 8 + 2]), "the NaN's own output, channel " + c);
            assertEquals(0f, y[c * 64 + 7 * 8 + 7], "a sum of -1 far from the NaN, channel " + c);
        }
    }

    private static void assertClose(float[] got, double[] ref, String what) {
        double scale = 1e-12;
        for (double v : ref) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < ref.length; i++) {
            double error = Math.abs(got[i] - ref[i]) / scale;
            assertTrue(error <= TOLERANCE, what + " [" + i + "]: expected " + ref[i] + ", got " + got[i]);
        }
    }
}
