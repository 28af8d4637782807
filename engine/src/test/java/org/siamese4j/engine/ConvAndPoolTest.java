package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        new ConvGeometry(3, 1, 20, 37, 5, 3, 3, 1, 1),    // one channel, a width of whole vectors and a tail
        new ConvGeometry(2, 1, 9, 12, 3, 2, 4, 1, 2),     // one channel, kernel wider than high, padding 2
        new ConvGeometry(2, 1, 12, 12, 2, 6, 5, 1, 0),    // one channel, 30 taps
        new ConvGeometry(2, 1, 10, 18, 4, 3, 3, 1, 2),    // one channel, 3x3 padded by 2: 22x20 outputs
    };

    /**
     * The layers the presets really run, at their channel counts (small batches): the paths small channel
     * counts never take (backward input as a full convolution over flipped kernels, from 16 input channels;
     * several images per GEMM when outputs are small) are checked where training uses them.
     */
    static final ConvGeometry[] PRESET_GEOMETRIES = {
        new ConvGeometry(2, 1, 48, 48, 64, 3, 3, 1, 1),    // compact conv 1: one input channel, col2im; SIMD: direct
        new ConvGeometry(3, 1, 28, 28, 64, 3, 3, 1, 1),    // small28 conv 1: rows of a vector and a tail
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
            new PoolGeometry(2, 3, 48, 48, 2, 2), new PoolGeometry(1, 2, 7, 51, 2, 2), // rows of a vector and a part
            // rows shorter than a vector (SIMD: the plane kernel), whole vectors of windows and a part
            new PoolGeometry(2, 3, 24, 24, 2, 2), new PoolGeometry(1, 2, 12, 12, 2, 2), new PoolGeometry(2, 2, 9, 21, 2, 2),
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

    /** Floats before and after each output that a kernel must leave alone. */
    private static final int GUARD = 3;
    private static final float GUARD_VALUE = 12345f;

    /** n values of {@code fill} between GUARD guard values on each side. */
    private static float[] guarded(int n, float fill) {
        float[] a = new float[n + 2 * GUARD];
        Arrays.fill(a, GUARD_VALUE);
        Arrays.fill(a, GUARD, GUARD + n, fill);
        return a;
    }

    /** The guards untouched and the values within TOLERANCE of base + ref. */
    private static void assertGuarded(float[] got, double[] ref, double base, String where) {
        for (int i = 0; i < GUARD; i++) {
            assertEquals(GUARD_VALUE, got[i], where + ": written before its range");
            assertEquals(GUARD_VALUE, got[got.length - 1 - i], where + ": written after its range");
        }
        double[] expect = ref.clone();
        for (int i = 0; i < expect.length; i++) {
            expect[i] += base;
        }
        double e = TestKernels.maxError(got, GUARD, expect, expect.length);
        assertTrue(e < TOLERANCE, where + " error " + e);
    }

    /**
     * The three passes of g on k against the naive loops (forward without ReLU; parameter gradients added
     * to 1), with or without a bias; outputs at an offset, between guards.
     */
    private static void assertPassesMatchNaive(Kernels k, ConvGeometry g, boolean withBias, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = TestKernels.random(r, g.batch() * g.inSize());
        float[] w = TestKernels.random(r, g.weightSize());
        float[] bias = withBias ? TestKernels.random(r, g.outChannels()) : null;
        float[] dy = TestKernels.random(r, g.batch() * g.outSize());
        double[] yRef = Naive.convForward(g, x, w, withBias ? bias : new float[g.outChannels()], false);
        double[][] ref = Naive.convBackward(g, x, w, dy);
        String where = k.name() + " t" + k.threads() + " " + g + (withBias ? " with bias" : " without bias");
        float[] y = guarded(yRef.length, Float.NaN);
        k.conv2dForward(g, x, 0, w, 0, bias, 0, y, GUARD, false);
        assertGuarded(y, yRef, 0, where + " forward");
        float[] dx = guarded(ref[0].length, Float.NaN);
        k.conv2dBackwardInput(g, dy, 0, w, 0, dx, GUARD);
        assertGuarded(dx, ref[0], 0, where + " input gradient");
        float[] dw = guarded(g.weightSize(), 1f);
        float[] db = withBias ? guarded(g.outChannels(), 1f) : null;
        k.conv2dBackwardParams(g, x, 0, dy, 0, dw, GUARD, db, GUARD);
        assertGuarded(dw, ref[1], 1, where + " weight gradient");
        if (withBias) {
            assertGuarded(db, ref[2], 1, where + " bias gradient");
        }
    }

    /** Every geometry on both backends and 1, 2 and 3 threads (parts without images included). */
    private static void assertPassesMatchNaive(ConvGeometry[] geometries, boolean withBias) {
        for (int threads : new int[] {1, 2, 3}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (int i = 0; i < geometries.length; i++) {
                    assertPassesMatchNaive(k, geometries[i], withBias, 100 + i);
                }
            }
        }
    }

    @Test
    void convWithoutBiasMatchesNaiveWithAZeroBias() {
        assertPassesMatchNaive(new ConvGeometry[] {
            new ConvGeometry(2, 2, 24, 24, 3, 3, 3, 1, 1),   // forward one image per GEMM (576 pixels)
            new ConvGeometry(5, 4, 6, 6, 7, 3, 3, 1, 0),     // forward several images per GEMM
            new ConvGeometry(3, 10, 8, 8, 5, 3, 3, 1, 1),    // weight gradient by shift GEMM
            new ConvGeometry(2, 3, 7, 5, 2, 3, 3, 1, 1),     // by im2col of zero-padded copies
            new ConvGeometry(2, 3, 9, 9, 4, 3, 3, 2, 0),     // by im2col, strided
        }, false);
    }

    @Test
    void backwardInputMatchesNaiveOnEitherSideOfItsStrategyChoice() {
        // 16 input channels: the full convolution over flipped kernels at stride 1 with a border thinner than
        // the kernel (dy padded by k - 1 - pad: not at all, in rows only, in columns only, or both), col2im
        // at stride 2, with padding as wide as the kernel (in either direction), or a thin output
        assertPassesMatchNaive(new ConvGeometry[] {
            new ConvGeometry(2, 16, 6, 6, 4, 1, 1, 1, 0),    // full, 1x1: dy not padded
            new ConvGeometry(2, 16, 6, 6, 4, 3, 3, 1, 2),    // full, pad = k - 1: dy not padded
            new ConvGeometry(2, 16, 8, 6, 3, 3, 1, 1, 0),    // full, dy padded in rows only
            new ConvGeometry(2, 16, 6, 8, 3, 1, 3, 1, 0),    // full, dy padded in columns only
            new ConvGeometry(2, 16, 6, 6, 3, 3, 3, 1, 1),    // full, dy padded both ways
            new ConvGeometry(2, 16, 7, 7, 3, 3, 3, 2, 1),    // col2im: stride 2
            new ConvGeometry(2, 16, 4, 4, 3, 2, 2, 1, 2),    // col2im: padding >= kernel height
            new ConvGeometry(2, 16, 5, 5, 3, 3, 1, 1, 1),    // col2im: padding >= kernel width only
            new ConvGeometry(1, 16, 6, 6, 3, 4, 4, 1, 0),    // col2im: thin output (9 of 36 pixels)
        }, true);
    }

    @Test
    void backwardParamsMatchesNaiveOnEitherSideOfItsStrategyChoiceWithPartialPanels() {
        // the shift GEMM interleaves mr input and nr output channels per panel: 10 and 12 input channels leave
        // partial panels on both backends (mr 8 and 4), 3 and 5 output channels are less than a panel (nr)
        assertPassesMatchNaive(new ConvGeometry[] {
            new ConvGeometry(3, 10, 8, 8, 5, 3, 3, 1, 1),    // shift GEMM, padded
            new ConvGeometry(2, 12, 16, 16, 3, 3, 3, 1, 0),  // shift GEMM, unpadded with a long grid
            new ConvGeometry(2, 8, 9, 9, 3, 3, 3, 1, 0),     // im2col: unpadded, short grid
            new ConvGeometry(2, 8, 6, 6, 3, 4, 4, 1, 0),     // im2col: too many junk columns
            new ConvGeometry(2, 8, 7, 7, 3, 3, 3, 2, 1),     // im2col: stride 2
            new ConvGeometry(2, 7, 7, 5, 2, 3, 3, 1, 1),     // im2col of padded copies: fewer than 8 channels
        }, true);
    }

    @Test
    void workspacesGrownByALargeProblemServeSmallerOnes() {
        // one kernels instance keeps its per-thread buffers: each pass must read only what it wrote this time
        ConvGeometry[] sequence = {
            new ConvGeometry(3, 16, 12, 12, 24, 3, 3, 1, 1), // shift GEMM and full-convolution backward, large
            new ConvGeometry(2, 16, 5, 5, 17, 3, 3, 2, 1),   // col2im, large
            new ConvGeometry(2, 10, 8, 8, 5, 3, 3, 1, 1),    // shift GEMM, smaller
            new ConvGeometry(2, 16, 6, 6, 4, 3, 3, 1, 1),    // full convolution, smaller
            new ConvGeometry(1, 16, 4, 4, 3, 3, 3, 2, 1),    // col2im, smaller
            new ConvGeometry(3, 16, 12, 12, 24, 3, 3, 1, 1), // large again
        };
        for (int threads : new int[] {1, 2}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (int i = 0; i < sequence.length; i++) {
                    assertPassesMatchNaive(k, sequence[i], true, 200 + i);
                }
            }
        }
    }

    /**
     * The documented max-pool result: a window with a NaN gives its first NaN (divergence is not hidden), else
     * the first element equal to its maximum (so of -0 and +0 the first). Argmax is the index within the image.
     */
    private static int[] expectedArgmax(PoolGeometry g, float[] x) {
        int h = g.inHeight();
        int w = g.inWidth();
        int[] arg = new int[g.batch() * g.outSize()];
        int o = 0;
        for (int n = 0; n < g.batch(); n++) {
            for (int c = 0; c < g.channels(); c++) {
                int plane = (n * g.channels() + c) * h * w;
                for (int oy = 0; oy < g.outHeight(); oy++) {
                    for (int ox = 0; ox < g.outWidth(); ox++) {
                        int firstNaN = -1;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int a = 0; a < g.window(); a++) {
                            for (int b = 0; b < g.window(); b++) {
                                int i = (oy * g.stride() + a) * w + ox * g.stride() + b;
                                if (Float.isNaN(x[plane + i])) {
                                    firstNaN = firstNaN < 0 ? i : firstNaN;
                                } else {
                                    max = Math.max(max, x[plane + i]);
                                }
                            }
                        }
                        int best = firstNaN;
                        for (int a = 0; a < g.window() && best < 0; a++) {
                            for (int b = 0; b < g.window() && best < 0; b++) {
                                int i = (oy * g.stride() + a) * w + ox * g.stride() + b;
                                best = x[plane + i] == max ? i : -1;
                            }
                        }
                        arg[o++] = c * h * w + best;
                    }
                }
            }
        }
        return arg;
    }

    /** Forward (exact: argmax and the bits of y) and backward against the documented rule, on both backends. */
    private static void assertPoolMatchesRule(PoolGeometry g, float[] x, String what) {
        int[] expect = expectedArgmax(g, x);
        SplittableRandom r = new SplittableRandom(21);
        float[] dy = TestKernels.random(r, expect.length);
        double[] dxRef = new double[x.length];
        for (int o = 0; o < expect.length; o++) {
            dxRef[o / g.outSize() * g.inSize() + expect[o]] += dy[o];
        }
        for (int threads : new int[] {1, 2}) {
            for (Kernels k : TestKernels.all(threads)) {
                String where = k.name() + " t" + threads + " " + g + " " + what;
                float[] y = new float[expect.length + 1];
                Arrays.fill(y, -7f);
                int[] arg = new int[expect.length];
                k.maxPoolForward(g, x, 0, y, 1, arg);
                assertEquals(-7f, y[0], where);
                for (int o = 0; o < expect.length; o++) {
                    int at = o;
                    assertEquals(expect[o], arg[o], () -> where + " argmax of output " + at);
                    float want = x[o / g.outSize() * g.inSize() + expect[o]];
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(y[o + 1]),
                            () -> where + " output " + at + ": " + want + " expected, got " + y[at + 1]);
                }
                float[] dx = new float[x.length + 2];
                Arrays.fill(dx, Float.NaN);
                dx[0] = -7f;
                dx[x.length + 1] = -7f;
                k.maxPoolBackward(g, dy, 0, arg, dx, 1);
                assertEquals(-7f, dx[0], where);
                assertEquals(-7f, dx[x.length + 1], where);
                assertTrue(TestKernels.maxError(dx, 1, dxRef, x.length) < 1e-6, where + " backward");
            }
        }
    }

    /** Values with many ties (-0 and +0 among them) and, with probability nanRate, NaN. */
    private static float[] tiedValues(SplittableRandom r, int n, double nanRate) {
        float[] levels = {-1f, -0f, 0f, 0.5f, 1f};
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() < nanRate ? Float.NaN : levels[r.nextInt(levels.length)];
        }
        return x;
    }

    @Test
    void maxPoolNaNWinsAndTiesGoToTheFirstInEveryTwoByTwoWindow() {
        // every window of four values from {NaN, -1, -0, +0, 1}: NaN in each position, two or more NaNs, ties.
        // The NaN-free windows come first, so the SIMD rows take whole vectors of them before a NaN stops them.
        float[] values = {Float.NaN, -1f, -0f, 0f, 1f};
        List<float[]> windows = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int code = 0; code < 625; code++) {
                float[] win = {values[code % 5], values[code / 5 % 5], values[code / 25 % 5], values[code / 125]};
                boolean hasNaN = Float.isNaN(win[0] + win[1] + win[2] + win[3]);
                if (hasNaN == (pass == 1)) {
                    windows.add(win);
                }
            }
        }
        // rows of 40 windows (SIMD: the row kernel) and of 12 (shorter than a vector: the plane kernel)
        for (int ow : new int[] {40, 12}) {
            int oh = (windows.size() + ow - 1) / ow;
            PoolGeometry g = new PoolGeometry(1, 1, 2 * oh, 2 * ow, 2, 2);
            float[] x = new float[g.inSize()];
            Arrays.fill(x, -2f);
            for (int i = 0; i < windows.size(); i++) {
                int at = (i / ow) * 2 * (2 * ow) + (i % ow) * 2;
                float[] win = windows.get(i);
                x[at] = win[0];
                x[at + 1] = win[1];
                x[at + 2 * ow] = win[2];
                x[at + 2 * ow + 1] = win[3];
            }
            assertPoolMatchesRule(g, x, "every 2x2 window, rows of " + ow);
        }
        // and rows where a NaN sits in the middle of a vector of windows, after full vectors without one
        SplittableRandom r = new SplittableRandom(22);
        assertPoolMatchesRule(new PoolGeometry(2, 3, 6, 70, 2, 2), tiedValues(r, 2 * 3 * 6 * 70, 0.01), "sparse NaN");
        assertPoolMatchesRule(new PoolGeometry(2, 3, 24, 24, 2, 2), tiedValues(r, 2 * 3 * 24 * 24, 0.01), "sparse NaN");
    }

    @Test
    void maxPoolOtherWindowsAndStridesFollowTheSameRule() {
        // windows other than 2x2 at stride 2 go through the general loop (or the 2x2 loop at another stride)
        SplittableRandom r = new SplittableRandom(23);
        PoolGeometry[] pools = {
            new PoolGeometry(2, 3, 9, 9, 3, 2),   // 3x3, stride 2: overlapping windows
            new PoolGeometry(2, 3, 7, 8, 2, 1),   // 2x2, stride 1
            new PoolGeometry(1, 2, 9, 11, 2, 3),  // 2x2, stride 3: gaps between windows
            new PoolGeometry(2, 2, 8, 8, 3, 1),   // 3x3, stride 1
            new PoolGeometry(1, 2, 10, 10, 4, 3), // 4x4, stride 3
        };
        for (PoolGeometry g : pools) {
            assertPoolMatchesRule(g, tiedValues(r, g.batch() * g.inSize(), 0), "ties");
            assertPoolMatchesRule(g, tiedValues(r, g.batch() * g.inSize(), 0.12), "ties and NaN");
        }
    }
}
