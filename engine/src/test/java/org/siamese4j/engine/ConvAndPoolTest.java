package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Convolution and max-pool kernels, forward and backward, on both backends against naive loops. */
class ConvAndPoolTest {
    private static final double TOLERANCE = 1e-4;

    static final ConvGeometry[] GEOMETRIES = {
        new ConvGeometry(1, 1, 1, 1, 1, 1, 1, 1, 0),      // 1x1 image, one channel, batch of 1
        new ConvGeometry(2, 1, 5, 7, 3, 3, 3, 1, 0),
        new ConvGeometry(3, 2, 9, 8, 5, 3, 3, 2, 1),      // stride 2, padding 1
        new ConvGeometry(1, 3, 12, 12, 4, 10, 10, 1, 0),  // Koch's first kernel size
        new ConvGeometry(5, 4, 6, 6, 17, 4, 4, 1, 0),     // small outputs: several images per GEMM
        new ConvGeometry(2, 3, 7, 5, 2, 3, 3, 1, 1),      // padding keeps the size
        new ConvGeometry(4, 2, 11, 11, 33, 2, 2, 3, 2),   // stride > kernel, padding > 1
        new ConvGeometry(1, 1, 3, 3, 1, 5, 5, 1, 1),      // kernel equals the padded input
    };

    /**
     * The layers the presets really run, at their channel counts (small batches): the paths small channel
     * counts never take (backward input as a full convolution over flipped kernels, from 16 input channels;
     * several images per GEMM when outputs are small) are checked where training uses them.
     */
    static final ConvGeometry[] PRESET_GEOMETRIES = {
        new ConvGeometry(2, 1, 48, 48, 64, 3, 3, 1, 1),    // compact conv 1: one input channel, col2im
        new ConvGeometry(2, 64, 24, 24, 64, 3, 3, 1, 1),   // compact conv 2: full convolution backward
        new ConvGeometry(5, 64, 6, 6, 64, 3, 3, 1, 1),     // compact conv 4: images grouped per GEMM
        new ConvGeometry(3, 64, 7, 7, 64, 3, 3, 1, 1),     // small28 conv 3
        new ConvGeometry(1, 128, 21, 21, 128, 4, 4, 1, 0), // koch conv 3: full convolution, no padding
        new ConvGeometry(2, 128, 9, 9, 256, 4, 4, 1, 0),   // koch conv 4: thin output, col2im
    };

    @Test
    void presetLayersMatchNaiveForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(13);
        for (ConvGeometry g : PRESET_GEOMETRIES) {
            float[] x = TestKernels.random(r, g.batch() * g.inSize());
            float[] w = TestKernels.random(r, g.weightSize());
            float[] bias = TestKernels.random(r, g.outChannels());
            float[] dy = TestKernels.random(r, g.batch() * g.outSize());
            double[] yRef = Naive.convForward(g, x, w, bias, true);
            double[][] ref = Naive.convBackward(g, x, w, dy);
            for (int threads : new int[] {1, 3}) {
                for (Kernels k : TestKernels.all(threads)) {
                    String where = k.name() + " t" + threads + " " + g;
                    float[] y = new float[g.batch() * g.outSize()];
                    k.conv2dForward(g, x, 0, w, 0, bias, 0, y, 0, true);
                    assertTrue(relativeError(y, yRef) < 1e-5, where + " forward " + relativeError(y, yRef));
                    float[] dx = new float[g.batch() * g.inSize()];
                    Arrays.fill(dx, Float.NaN);
                    k.conv2dBackwardInput(g, dy, 0, w, 0, dx, 0);
                    assertTrue(relativeError(dx, ref[0]) < 1e-5, where + " dx " + relativeError(dx, ref[0]));
                    float[] dw = new float[g.weightSize()];
                    float[] db = new float[g.outChannels()];
                    k.conv2dBackwardParams(g, x, 0, dy, 0, dw, 0, db, 0);
                    assertTrue(relativeError(dw, ref[1]) < 1e-5, where + " dw " + relativeError(dw, ref[1]));
                    assertTrue(relativeError(db, ref[2]) < 1e-5, where + " db " + relativeError(db, ref[2]));
                }
            }
        }
    }

    /** Largest error relative to the reference's largest magnitude (sums of hundreds of products). */
    private static double relativeError(float[] got, double[] ref) {
        double scale = 1e-12;
        for (double v : ref) {
            scale = Math.max(scale, Math.abs(v));
        }
        return TestKernels.maxError(got, 0, ref, ref.length) / scale;
    }

    @Test
    void convForwardMatchesNaive() {
        SplittableRandom r = new SplittableRandom(11);
        for (int threads : new int[] {1, 2, 3}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (ConvGeometry g : GEOMETRIES) {
                    for (boolean relu : new boolean[] {false, true}) {
                        float[] x = TestKernels.random(r, g.batch() * g.inSize() + 3);
                        float[] w = TestKernels.random(r, g.weightSize() + 2);
                        float[] bias = TestKernels.random(r, g.outChannels() + 1);
                        float[] y = new float[g.batch() * g.outSize() + 5];
                        Arrays.fill(y, Float.NaN);
                        k.conv2dForward(g, x, 3, w, 2, bias, 1, y, 5, relu);
                        double[] ref = Naive.convForward(g, Arrays.copyOfRange(x, 3, x.length),
                                Arrays.copyOfRange(w, 2, w.length), Arrays.copyOfRange(bias, 1, bias.length), relu);
                        double e = TestKernels.maxError(y, 5, ref, ref.length);
                        assertTrue(e < TOLERANCE, k.name() + " t" + threads + " " + g + " relu=" + relu + " error " + e);
                    }
                }
            }
        }
    }

    @Test
    void convBackwardMatchesNaive() {
        SplittableRandom r = new SplittableRandom(12);
        for (int threads : new int[] {1, 2, 3}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (ConvGeometry g : GEOMETRIES) {
                    float[] x = TestKernels.random(r, g.batch() * g.inSize());
                    float[] w = TestKernels.random(r, g.weightSize());
                    float[] dy = TestKernels.random(r, g.batch() * g.outSize());
                    double[][] ref = Naive.convBackward(g, x, w, dy);
                    float[] dx = new float[g.batch() * g.inSize()];
                    Arrays.fill(dx, Float.NaN);
                    k.conv2dBackwardInput(g, dy, 0, w, 0, dx, 0);
                    assertTrue(TestKernels.maxError(dx, 0, ref[0], dx.length) < TOLERANCE, k.name() + " dx " + g);
                    // parameter gradients accumulate: start from 1 and expect 1 + gradient
                    float[] dw = new float[g.weightSize()];
                    float[] db = new float[g.outChannels()];
                    Arrays.fill(dw, 1f);
                    Arrays.fill(db, 1f);
                    k.conv2dBackwardParams(g, x, 0, dy, 0, dw, 0, db, 0);
                    double[] dwRef = ref[1].clone();
                    double[] dbRef = ref[2].clone();
                    for (int i = 0; i < dwRef.length; i++) {
                        dwRef[i] += 1;
                    }
                    for (int i = 0; i < dbRef.length; i++) {
                        dbRef[i] += 1;
                    }
                    assertTrue(TestKernels.maxError(dw, 0, dwRef, dw.length) < TOLERANCE, k.name() + " t" + threads + " dw " + g);
                    assertTrue(TestKernels.maxError(db, 0, dbRef, db.length) < TOLERANCE, k.name() + " t" + threads + " db " + g);
                }
            }
        }
    }

    @Test
    void maxPoolForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(13);
        PoolGeometry[] pools = {
            new PoolGeometry(1, 1, 2, 2, 2, 2), new PoolGeometry(2, 3, 5, 7, 2, 2), new PoolGeometry(3, 2, 9, 9, 3, 2),
            new PoolGeometry(1, 1, 1, 1, 1, 1), new PoolGeometry(2, 4, 96, 96, 2, 2),
        };
        for (int threads : new int[] {1, 2}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (PoolGeometry g : pools) {
                    float[] x = TestKernels.random(r, g.batch() * g.inSize());
                    float[] y = new float[g.batch() * g.outSize()];
                    int[] arg = new int[y.length];
                    k.maxPoolForward(g, x, 0, y, 0, arg);
                    float[] dy = TestKernels.random(r, y.length);
                    double[] dxRef = new double[x.length];
                    for (int n = 0; n < g.batch(); n++) {
                        for (int c = 0; c < g.channels(); c++) {
                            for (int oy = 0; oy < g.outHeight(); oy++) {
                                for (int ox = 0; ox < g.outWidth(); ox++) {
                                    float best = Float.NEGATIVE_INFINITY;
                                    int at = -1;
                                    for (int a = 0; a < g.window(); a++) {
                                        for (int b = 0; b < g.window(); b++) {
                                            int i = ((n * g.channels() + c) * g.inHeight() + oy * g.stride() + a) * g.inWidth() + ox * g.stride() + b;
                                            if (x[i] > best) {
                                                best = x[i];
                                                at = i;
                                            }
                                        }
                                    }
                                    int o = ((n * g.channels() + c) * g.outHeight() + oy) * g.outWidth() + ox;
                                    assertEquals(best, y[o], k.name() + " pool " + g);
                                    dxRef[at] += dy[o];
                                }
                            }
                        }
                    }
                    float[] dx = new float[x.length];
                    Arrays.fill(dx, Float.NaN);
                    k.maxPoolBackward(g, dy, 0, arg, dx, 0);
                    assertTrue(TestKernels.maxError(dx, 0, dxRef, dx.length) < 1e-6, k.name() + " pool backward " + g);
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        // forward and input gradients are computed identically whatever the split: bit-identical.
        // weight gradients are summed per thread, then across threads: equal within float rounding, stated as
        // 1e-4 * max(1, |value|) (the same tolerance as against the double reference).
        SplittableRandom r = new SplittableRandom(14);
        ConvGeometry g = new ConvGeometry(7, 3, 13, 11, 9, 3, 3, 1, 1);
        float[] x = TestKernels.random(r, g.batch() * g.inSize());
        float[] w = TestKernels.random(r, g.weightSize());
        float[] b = TestKernels.random(r, g.outChannels());
        float[] dy = TestKernels.random(r, g.batch() * g.outSize());
        for (String backend : Backend.vectorApiAvailable() ? new String[] {"scalar", "simd"} : new String[] {"scalar"}) {
            float[] y1 = null;
            float[] dx1 = null;
            float[] dw1 = null;
            for (int threads : new int[] {1, 2, 3, 4}) {
                Kernels k = Backend.kernels(backend, threads);
                float[] y = new float[g.batch() * g.outSize()];
                float[] dx = new float[g.batch() * g.inSize()];
                float[] dw = new float[g.weightSize()];
                float[] db = new float[g.outChannels()];
                k.conv2dForward(g, x, 0, w, 0, b, 0, y, 0, true);
                k.conv2dBackwardInput(g, dy, 0, w, 0, dx, 0);
                k.conv2dBackwardParams(g, x, 0, dy, 0, dw, 0, db, 0);
                if (y1 == null) {
                    y1 = y;
                    dx1 = dx;
                    dw1 = dw;
                } else {
                    assertArrayEquals(y1, y, backend + " forward with " + threads + " threads");
                    assertArrayEquals(dx1, dx, backend + " input gradient with " + threads + " threads");
                    for (int i = 0; i < dw.length; i++) {
                        assertEquals(dw1[i], dw[i], 1e-4 * Math.max(1, Math.abs(dw1[i])), backend + " weight gradient");
                    }
                }
            }
        }
    }
}
