package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused first block ({@link Kernels#convBatchNormPoolForward}, {@link Kernels#convBatchNormPoolBackward})
 * against the separate kernels it replaces (convolution, batch norm + pool, their backward passes), on both
 * backends, 1 and 3 threads: rows of whole vectors, rows with a tail vector and rows narrower than a vector (the
 * plain loops), padding 1 and 0, an odd number of channels (a channel alone in its pair), negative scales,
 * running statistics, and compact's real first block (48 x 48, 64 channels).
 */
class ConvBlockPassesTest {
    private static final double EPS = 1e-5;
    private static final double TOLERANCE = 2e-4; // float sums of up to 147,456 terms, in another order
    /** batch, channels, height, width, padding, pool window, pool stride. */
    private static final int[][] SHAPES = {{3, 5, 7, 9, 1, 2, 2}, {2, 4, 18, 18, 1, 2, 2}, {2, 3, 20, 21, 0, 3, 2},
        {3, 2, 17, 35, 1, 2, 1}, {4, 64, 48, 48, 1, 2, 2}};

    private static ConvGeometry conv(int[] s) {
        return new ConvGeometry(s[0], 1, s[2], s[3], s[1], 3, 3, 1, s[4]);
    }

    private static PoolGeometry pool(int[] s) {
        ConvGeometry c = conv(s);
        return new PoolGeometry(s[0], s[1], c.outHeight(), c.outWidth(), s[5], s[6]);
    }

    /** The separate passes: the convolution's output, then batch norm and the pool on it. */
    private record Separate(float[] convolved, float[] y, int[] argmax, double[] mean, double[] var, float[] invStd) {
    }

    private static Separate separate(Kernels k, int[] s, float[] x, float[] w, float[] scale, float[] shift,
                                     boolean batchStatistics, double[] runningMean, double[] runningVar, boolean relu) {
        ConvGeometry c = conv(s);
        PoolGeometry p = pool(s);
        float[] convolved = new float[s[0] * c.outSize()];
        k.conv2dForward(c, x, 1, w, 0, null, 0, convolved, 0, false);
        double[] mean = runningMean.clone();
        double[] var = runningVar.clone();
        float[] invStd = new float[s[1]];
        float[] y = new float[s[0] * p.outSize()];
        int[] argmax = new int[y.length];
        k.batchNormPoolForward(p, convolved, 0, scale, 0, shift, 0, batchStatistics, mean, var, invStd, EPS, relu, y, 0,
                argmax);
        return new Separate(convolved, y, argmax, mean, var, invStd);
    }

    /** Both backends' patch moments against a plain double loop: rows of whole vectors, tails, runs of 8 rows and more. */
    @Test
    void patchMomentsMatchAPlainLoop() {
        SplittableRandom r = new SplittableRandom(41);
        for (VectorOps ops : new VectorOps[] {new ScalarOps(), TestKernels.ops(Backend.preferredName())}) {
            for (int[] shape : new int[][] {{1, 1}, {3, 5}, {9, 16}, {17, 21}, {48, 48}}) {
                int oh = shape[0];
                int ow = shape[1];
                int pw = ow + 2;
                float[] padded = TestKernels.random(r, 1 + (oh + 2) * pw);
                double[] expected = new double[54];
                for (int row = 0; row < oh; row++) {
                    for (int col = 0; col < ow; col++) {
                        int pair = 9;
                        for (int a = 0; a < 9; a++) {
                            double ta = padded[1 + (row + a / 3) * pw + col + a % 3];
                            expected[a] += ta;
                            for (int b = a; b < 9; b++) {
                                expected[pair++] += ta * padded[1 + (row + b / 3) * pw + col + b % 3];
                            }
                        }
                    }
                }
                double[] got = new double[56];
                got[0] = 7;
                ops.patchMoments3x3(padded, 1, pw, oh, ow, new float[54 * ops.vectorLength()], got, 1);
                assertEquals(7, got[0], ops.name() + ": nothing written before the moments");
                for (int m = 0; m < 54; m++) {
                    assertEquals(expected[m], got[1 + m], 1e-5 * (1 + Math.abs(expected[m])),
                            ops.name() + " " + oh + "x" + ow + " moment " + m);
                }
            }
        }
    }

    @Test
    void forwardMatchesTheSeparatePasses() {
        for (int[] s : SHAPES) {
            ConvGeometry c = conv(s);
            PoolGeometry p = pool(s);
            SplittableRandom r = new SplittableRandom(51);
            float[] x = TestKernels.random(r, 1 + s[0] * c.inSize());
            float[] w = TestKernels.random(r, c.weightSize());
            float[] scale = TestKernels.random(r, s[1]);
            scale[0] = -Math.abs(scale[0]); // a negative scale turns the window's minimum into its maximum
            float[] shift = TestKernels.random(r, s[1]);
            double[] runningMean = new double[s[1]];
            double[] runningVar = new double[s[1]];
            for (int ch = 0; ch < s[1]; ch++) {
                runningMean[ch] = 0.1 * ch - 0.2;
                runningVar[ch] = 0.5 + 0.25 * ch;
            }
            for (int threads : new int[] {1, 3}) {
                for (Kernels k : TestKernels.all(threads)) {
                    for (boolean batchStatistics : new boolean[] {true, false}) {
                        for (boolean relu : new boolean[] {false, true}) {
                            String where = c + " " + p + " " + k.name() + " t" + threads + " batch statistics "
                                    + batchStatistics + " relu " + relu;
                            Separate expect = separate(k, s, x, w, scale, shift, batchStatistics, runningMean, runningVar, relu);
                            double[] mean = runningMean.clone();
                            double[] var = runningVar.clone();
                            float[] invStd = new float[s[1]];
                            float[] y = new float[expect.y.length + 2];
                            Arrays.fill(y, Float.NaN);
                            int[] argmax = new int[expect.y.length];
                            float[] xAtMax = new float[expect.y.length];
                            k.convBatchNormPoolForward(c, p, x, 1, w, 0, scale, 0, shift, 0, batchStatistics, mean, var,
                                    invStd, EPS, relu, y, 1, argmax, xAtMax);
                            for (int ch = 0; ch < s[1]; ch++) {
                                assertEquals(expect.mean[ch], mean[ch], TOLERANCE * Math.max(1, Math.abs(expect.mean[ch])), where + ": mean");
                                assertEquals(expect.var[ch], var[ch], TOLERANCE * Math.max(1, expect.var[ch]), where + ": variance");
                            }
                            assertClose(expect.y, 0, y, 1, expect.y.length, where + ": output");
                            assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[y.length - 1]), where + ": wrote outside its range");
                            // the maxima may differ only between windows' near-equal values; the values there must agree
                            int plane = c.outPixels();
                            int outPlane = p.outHeight() * p.outWidth();
                            int moved = 0;
                            for (int j = 0; j < argmax.length; j++) {
                                int image = j / (s[1] * outPlane);
                                float at = expect.convolved[image * s[1] * plane + argmax[j]];
                                assertEquals(at, xAtMax[j], TOLERANCE * Math.max(1, Math.abs(at)), where + ": value at maximum " + j);
                                moved += argmax[j] != expect.argmax[j] ? 1 : 0;
                            }
                            assertTrue(moved <= argmax.length / 1000, where + ": " + moved + " maxima moved");
                        }
                    }
                }
            }
        }
    }

    @Test
    void backwardMatchesTheSeparatePasses() {
        for (int[] s : SHAPES) {
            ConvGeometry c = conv(s);
            PoolGeometry p = pool(s);
            SplittableRandom r = new SplittableRandom(53);
            float[] x = TestKernels.random(r, 1 + s[0] * c.inSize());
            float[] w = TestKernels.random(r, c.weightSize());
            float[] scale = TestKernels.random(r, s[1]);
            float[] shift = TestKernels.random(r, s[1]);
            for (int threads : new int[] {1, 3}) {
                for (Kernels k : TestKernels.all(threads)) {
                    for (boolean relu : new boolean[] {false, true}) {
                        String where = c + " " + p + " " + k.name() + " t" + threads + " relu " + relu;
                        double[] mean = new double[s[1]];
                        double[] var = new double[s[1]];
                        float[] invStd = new float[s[1]];
                        int outs = s[0] * p.outSize();
                        float[] y = new float[outs];
                        int[] argmax = new int[outs];
                        float[] xAtMax = new float[outs];
                        k.convBatchNormPoolForward(c, p, x, 1, w, 0, scale, 0, shift, 0, true, mean, var, invStd, EPS,
                                relu, y, 0, argmax, xAtMax);
                        float[] dy = TestKernels.random(new SplittableRandom(7), outs + 2);

                        // the separate backward passes, through the same maxima and statistics
                        float[] convolved = new float[s[0] * c.outSize()];
                        k.conv2dForward(c, x, 1, w, 0, null, 0, convolved, 0, false);
                        float[] dScale = filled(s[1], 0.5f);
                        float[] dShift = filled(s[1], 0.5f);
                        float[] convGradient = new float[convolved.length];
                        k.batchNormPoolBackward(p, convolved, 0, y, 0, argmax, dy, 2, scale, 0, mean, invStd, relu,
                                dScale, 0, dShift, 0, convGradient, 0);
                        float[] dw = filled(c.weightSize(), 0.25f);
                        k.conv2dBackwardParams(c, x, 1, convGradient, 0, dw, 0, null, 0);

                        float[] fusedScale = filled(s[1], 0.5f);
                        float[] fusedShift = filled(s[1], 0.5f);
                        float[] fusedDw = filled(c.weightSize() + 2, 0.25f);
                        fusedDw[0] = Float.NaN;
                        fusedDw[fusedDw.length - 1] = Float.NaN;
                        k.convBatchNormPoolBackward(c, p, x, 1, w, 0, y, 0, argmax, xAtMax, dy, 2, scale, 0, mean,
                                invStd, relu, fusedScale, 0, fusedShift, 0, fusedDw, 1);
                        assertClose(dScale, 0, fusedScale, 0, s[1], where + ": scale gradient");
                        assertClose(dShift, 0, fusedShift, 0, s[1], where + ": shift gradient");
                        assertClose(dw, 0, fusedDw, 1, dw.length, where + ": weight gradient");
                        assertTrue(Float.isNaN(fusedDw[0]) && Float.isNaN(fusedDw[fusedDw.length - 1]),
                                where + ": wrote outside its range");
                    }
                }
            }
        }
    }

    @Test
    void runsTheSameOnAnyNumberOfThreads() {
        int[] s = SHAPES[4];
        ConvGeometry c = conv(s);
        PoolGeometry p = pool(s);
        SplittableRandom r = new SplittableRandom(57);
        float[] x = TestKernels.random(r, s[0] * c.inSize());
        float[] w = TestKernels.random(r, c.weightSize());
        float[] scale = TestKernels.random(r, s[1]);
        float[] shift = TestKernels.random(r, s[1]);
        float[] dy = TestKernels.random(r, s[0] * p.outSize());
        float[][] results = new float[2][];
        int[] threads = {1, 3};
        for (String backend : new String[] {"scalar", Backend.preferredName()}) {
            for (int t = 0; t < 2; t++) {
                Kernels k = Backend.kernels(backend, threads[t]);
                int outs = s[0] * p.outSize();
                float[] y = new float[outs];
                int[] argmax = new int[outs];
                float[] xAtMax = new float[outs];
                double[] mean = new double[s[1]];
                double[] var = new double[s[1]];
                float[] invStd = new float[s[1]];
                k.convBatchNormPoolForward(c, p, x, 0, w, 0, scale, 0, shift, 0, true, mean, var, invStd, EPS, true, y, 0,
                        argmax, xAtMax);
                float[] grads = new float[2 * s[1] + c.weightSize()];
                k.convBatchNormPoolBackward(c, p, x, 0, w, 0, y, 0, argmax, xAtMax, dy, 0, scale, 0, mean, invStd, true,
                        grads, 0, grads, s[1], grads, 2 * s[1]);
                float[] all = Arrays.copyOf(y, outs + grads.length);
                System.arraycopy(grads, 0, all, outs, grads.length);
                results[t] = all;
            }
            assertArrayEquals(results[0], results[1], backend + ": 1 and 3 threads differ");
        }
    }

    @Test
    void refusesWhatIsNotAFirstBlock() {
        Kernels k = Backend.kernels("scalar", 1);
        ConvGeometry twoChannels = new ConvGeometry(1, 2, 8, 8, 4, 3, 3, 1, 1);
        PoolGeometry pool = new PoolGeometry(1, 4, 8, 8, 2, 2);
        float[] big = new float[1024];
        assertThrows(IllegalArgumentException.class, () -> k.convBatchNormPoolForward(twoChannels, pool, big, 0, big, 0,
                big, 0, big, 0, true, new double[4], new double[4], new float[4], EPS, true, big, 0, new int[16], big));
        ConvGeometry oneChannel = new ConvGeometry(1, 1, 8, 8, 4, 3, 3, 1, 1);
        PoolGeometry wrongPool = new PoolGeometry(1, 3, 8, 8, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> k.convBatchNormPoolForward(oneChannel, wrongPool, big, 0, big,
                0, big, 0, big, 0, true, new double[4], new double[4], new float[4], EPS, true, big, 0, new int[16], big));
        assertThrows(IllegalArgumentException.class, () -> k.convBatchNormPoolForward(oneChannel, pool, big, 0, big, 0,
                big, 0, big, 0, true, new double[4], new double[4], new float[4], EPS, true, new float[10], 0,
                new int[16], big));
    }

    private static float[] filled(int n, float v) {
        return TestKernels.filled(n, v);
    }

    private static void assertClose(float[] expect, int eOff, float[] got, int gOff, int n, String what) {
        TestKernels.assertClose(expect, eOff, got, gOff, n, TOLERANCE, what);
    }
}
