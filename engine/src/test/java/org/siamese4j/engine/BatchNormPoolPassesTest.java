package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused batch norm + max-pool passes ({@link Kernels#batchNormPoolForward}, {@link Kernels#batchNormPoolBackward})
 * against the separate kernels they replace: forward bit for bit (the same roundings, maxima and argmax, ties
 * included), backward within float rounding (its sums run in another order). On every path the pooling can take:
 * the SIMD backend's 2x2 stride-2 rows and planes, 2x2 windows with another stride, the general window loop; odd sizes whose
 * last row and column no window reads; compact's first block (48 x 48).
 */
class BatchNormPoolPassesTest {
    private static final double EPS = 0.05;
    private static final double TOLERANCE = 1e-4; // float sums of up to 9216 terms, in another order
    /** batch, channels, height, width, window, stride. */
    private static final int[][] SHAPES = {{3, 5, 7, 9, 2, 2}, {2, 3, 8, 8, 3, 2}, {2, 4, 6, 5, 2, 1}, {4, 6, 48, 48, 2, 2},
        {3, 4, 24, 24, 2, 2}}; // the last: compact's second block, rows shorter than a vector

    private static PoolGeometry geometry(int[] s) {
        return new PoolGeometry(s[0], s[1], s[2], s[3], s[4], s[5]);
    }

    /** Random values, every other case rounded to quarters so that windows hold ties (and ReLU zeros more of them). */
    private static float[] input(SplittableRandom r, int n, boolean ties) {
        float[] x = TestKernels.random(r, n);
        if (ties) {
            for (int i = 0; i < n; i++) {
                x[i] = Math.round(x[i] * 4) / 4f;
            }
        }
        return x;
    }

    @Test
    void forwardIsTheSeparatePassesBitForBit() {
        for (int[] s : SHAPES) {
            PoolGeometry g = geometry(s);
            int plane = s[2] * s[3];
            for (boolean ties : new boolean[] {false, true}) {
                SplittableRandom r = new SplittableRandom(41);
                float[] x = input(r, 2 + s[0] * g.inSize(), ties);
                float[] scale = TestKernels.random(r, s[1]);
                scale[0] = -scale[0]; // a negative scale turns the window's minimum of x into its maximum
                float[] shift = TestKernels.random(r, s[1]);
                for (int threads : new int[] {1, 3}) {
                    for (Kernels k : TestKernels.all(threads)) {
                        for (boolean batchStatistics : new boolean[] {true, false}) {
                            for (boolean relu : new boolean[] {false, true}) {
                                String where = g + " " + k.name() + " t" + threads + " ties " + ties + " batch statistics "
                                        + batchStatistics + " relu " + relu;
                                double[] mean = new double[s[1]];
                                double[] var = new double[s[1]];
                                for (int c = 0; c < s[1]; c++) {
                                    mean[c] = 0.1 * c - 0.2;
                                    var[c] = 0.5 + 0.25 * c;
                                }
                                double[] mean2 = mean.clone();
                                double[] var2 = var.clone();
                                float[] invStd = new float[s[1]];
                                float[] invStd2 = new float[s[1]];
                                float[] normalised = new float[s[0] * g.inSize()];
                                float[] expect = new float[s[0] * g.outSize()];
                                int[] expectArgmax = new int[expect.length];
                                k.batchNormForward(s[0], s[1], plane, x, 2, scale, 0, shift, 0, batchStatistics, mean, var,
                                        invStd, EPS, normalised, 0, relu);
                                k.maxPoolForward(g, normalised, 0, expect, 0, expectArgmax);

                                float[] y = new float[expect.length + 2];
                                Arrays.fill(y, Float.NaN);
                                int[] argmax = new int[expect.length];
                                k.batchNormPoolForward(g, x, 2, scale, 0, shift, 0, batchStatistics, mean2, var2, invStd2,
                                        EPS, relu, y, 1, argmax);
                                assertArrayEquals(expect, Arrays.copyOfRange(y, 1, 1 + expect.length), where + ": output");
                                assertArrayEquals(expectArgmax, argmax, where + ": argmax");
                                assertArrayEquals(mean, mean2, where + ": mean");
                                assertArrayEquals(var, var2, where + ": variance");
                                assertArrayEquals(invStd, invStd2, where + ": inverse deviation");
                                assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[y.length - 1]), where + ": wrote outside its range");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void backwardMatchesTheSeparatePasses() {
        for (int[] s : SHAPES) {
            PoolGeometry g = geometry(s);
            int plane = s[2] * s[3];
            int in = s[0] * g.inSize();
            int out = s[0] * g.outSize();
            for (boolean ties : new boolean[] {false, true}) {
                SplittableRandom r = new SplittableRandom(43);
                float[] x = input(r, in + 1, ties);
                float[] dy = TestKernels.random(r, out + 3);
                float[] scale = TestKernels.random(r, s[1]);
                float[] shift = TestKernels.random(r, s[1]);
                for (int threads : new int[] {1, 3}) {
                    for (Kernels k : TestKernels.all(threads)) {
                        for (boolean relu : new boolean[] {false, true}) {
                            String where = g + " " + k.name() + " t" + threads + " ties " + ties + " relu " + relu;
                            double[] mean = new double[s[1]];
                            double[] var = new double[s[1]];
                            float[] invStd = new float[s[1]];
                            float[] normalised = new float[in];
                            float[] y = new float[out];
                            int[] argmax = new int[out];
                            k.batchNormForward(s[0], s[1], plane, x, 1, scale, 0, shift, 0, true, mean, var, invStd, EPS,
                                    normalised, 0, relu);
                            k.maxPoolForward(g, normalised, 0, y, 0, argmax);
                            float[] normalisedGradient = new float[in];
                            k.maxPoolBackward(g, dy, 3, argmax, normalisedGradient, 0);
                            float[] dScale = filled(s[1] + 1, 1f);
                            float[] dShift = filled(s[1] + 1, 1f);
                            float[] dx = new float[in];
                            k.batchNormBackward(s[0], s[1], plane, x, 1, normalised, 0, normalisedGradient, 0, scale, 0,
                                    mean, invStd, relu, dScale, 1, dShift, 1, dx, 0);

                            float[] fusedScale = filled(s[1] + 1, 1f);
                            float[] fusedShift = filled(s[1] + 1, 1f);
                            float[] fusedDx = filled(in + 2, Float.NaN);
                            k.batchNormPoolBackward(g, x, 1, y, 0, argmax, dy, 3, scale, 0, mean, invStd, relu, fusedScale,
                                    1, fusedShift, 1, fusedDx, 1);
                            assertClose(dScale, 0, fusedScale, 0, s[1] + 1, where + ": scale gradient");
                            assertClose(dShift, 0, fusedShift, 0, s[1] + 1, where + ": shift gradient");
                            assertClose(dx, 0, fusedDx, 1, in, where + ": input gradient");
                            assertTrue(Float.isNaN(fusedDx[0]) && Float.isNaN(fusedDx[in + 1]), where + ": wrote outside its range");

                            float[] onlyScale = filled(s[1] + 1, 1f);
                            float[] onlyShift = filled(s[1] + 1, 1f);
                            k.batchNormPoolBackward(g, x, 1, y, 0, argmax, dy, 3, scale, 0, mean, invStd, relu, onlyScale,
                                    1, onlyShift, 1, null, 0);
                            assertArrayEquals(fusedScale, onlyScale, where + ": the same scale gradient without dx");
                            assertArrayEquals(fusedShift, onlyShift, where + ": the same shift gradient without dx");
                        }
                    }
                }
            }
        }
    }

    @Test
    void shortBuffersAreRefusedWithTheShapeNamed() {
        PoolGeometry g = new PoolGeometry(2, 3, 4, 4, 2, 2);
        float[] x = new float[2 * g.inSize()];
        float[] y = new float[2 * g.outSize()];
        int[] argmax = new int[y.length];
        float[] three = new float[3];
        double[] mean = new double[3];
        double[] var = new double[3];
        float[] invStd = new float[3];
        for (Kernels k : TestKernels.all(2)) {
            for (Runnable call : new Runnable[] {
                    () -> k.batchNormPoolForward(g, x, 1, three, 0, three, 0, true, mean, var, invStd, EPS, true, y, 0, argmax),
                    () -> k.batchNormPoolForward(g, x, 0, three, 0, three, 0, true, mean, var, invStd, EPS, true, y, 1, argmax),
                    () -> k.batchNormPoolForward(g, x, 0, three, 0, three, 0, true, mean, var, invStd, EPS, true, y, 0, new int[5]),
                    () -> k.batchNormPoolBackward(g, x, 0, y, 0, argmax, y, 1, three, 0, mean, invStd, true, three, 0, three, 0, x, 0),
                    () -> k.batchNormPoolBackward(g, x, 0, y, 0, argmax, y, 0, three, 0, mean, invStd, true, three, 0, three, 0, x, 1),
                    () -> k.batchNormPoolBackward(g, x, 0, y, 0, null, y, 0, three, 0, mean, invStd, true, three, 0, three, 0, x, 0)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run, k.name());
                assertTrue(e.getMessage().contains(g.toString()), k.name() + ": " + e.getMessage());
            }
        }
    }

    private static float[] filled(int n, float v) {
        return TestKernels.filled(n, v);
    }

    private static void assertClose(float[] expect, int eOff, float[] got, int gOff, int n, String what) {
        TestKernels.assertClose(expect, eOff, got, gOff, n, TOLERANCE, what);
    }
}
