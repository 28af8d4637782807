package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch norm's passes against their definitions in double precision ({@link Kernels#batchNormForward} and
 * {@link Kernels#batchNormBackward}): with the batch's statistics and with running ones (inference), the
 * backward pass with and without an input gradient (a first layer has none), with and without the fused ReLU.
 */
class BatchNormPassesTest {
    private static final double TOLERANCE = 1e-4;
    /**
     * batch, channels, plane: an odd plane (the pairwise sums have a tail), one of two vectors and a tail, and
     * the plane of compact's first block (48 x 48), whole vectors of every width.
     */
    private static final int[][] SHAPES = {{3, 5, 7}, {2, 3, 37}, {4, 6, 2304}};
    private static final double EPS = 0.05; // large enough that leaving it out fails the checks

    private static void assertClose(double expect, double got, String what) {
        assertTrue(Math.abs(expect - got) <= TOLERANCE * Math.max(1, Math.abs(expect)),
                what + ": expected " + expect + ", got " + got);
    }

    private static int at(int[] shape, int n, int c, int j) {
        return (n * shape[1] + c) * shape[2] + j;
    }

    @Test
    void forwardNormalisesByTheBatchOrByRunningStatistics() {
        for (int[] shape : SHAPES) {
            SplittableRandom r = new SplittableRandom(31);
            float[] x = TestKernels.random(r, shape[0] * shape[1] * shape[2] + 2);
            float[] scale = TestKernels.random(r, shape[1] + 1);
            float[] shift = TestKernels.random(r, shape[1] + 1);
            for (int threads : new int[] {1, 2, 3}) {
                for (Kernels k : TestKernels.all(threads)) {
                    for (boolean batchStatistics : new boolean[] {true, false}) {
                        for (boolean relu : new boolean[] {false, true}) {
                            String where = k.name() + " t" + threads + " batch statistics " + batchStatistics + " relu " + relu;
                            double[] mean = new double[shape[1]];
                            double[] var = new double[shape[1]];
                            if (!batchStatistics) {
                                for (int c = 0; c < shape[1]; c++) {
                                    mean[c] = 0.1 * c - 0.2;
                                    var[c] = 0.5 + 0.25 * c;
                                }
                            }
                            double[] running = mean.clone();
                            double[] runningVar = var.clone();
                            float[] invStd = new float[shape[1]];
                            float[] y = new float[x.length];
                            Arrays.fill(y, Float.NaN);
                            k.batchNormForward(shape[0], shape[1], shape[2], x, 2, scale, 1, shift, 1, batchStatistics, mean, var,
                                    invStd, EPS, y, 2, relu);
                            for (int c = 0; c < shape[1]; c++) {
                                double m = running[c];
                                double v = runningVar[c];
                                if (batchStatistics) {
                                    double s = 0;
                                    double sq = 0;
                                    for (int n = 0; n < shape[0]; n++) {
                                        for (int j = 0; j < shape[2]; j++) {
                                            s += x[2 + at(shape, n, c, j)];
                                            sq += (double) x[2 + at(shape, n, c, j)] * x[2 + at(shape, n, c, j)];
                                        }
                                    }
                                    m = s / (shape[0] * shape[2]);
                                    v = sq / (shape[0] * shape[2]) - m * m;
                                    assertClose(m, mean[c], where + " mean");
                                    assertClose(v, var[c], where + " variance");
                                } else {
                                    assertEquals(running[c], mean[c], where + ": running mean is read, not written");
                                    assertEquals(runningVar[c], var[c], where + ": running variance is read, not written");
                                }
                                double inv = 1 / Math.sqrt(v + EPS);
                                assertClose(inv, invStd[c], where + " inverse deviation");
                                for (int n = 0; n < shape[0]; n++) {
                                    for (int j = 0; j < shape[2]; j++) {
                                        double expect = scale[1 + c] * (x[2 + at(shape, n, c, j)] - m) * inv + shift[1 + c];
                                        assertClose(relu ? Math.max(0, expect) : expect, y[2 + at(shape, n, c, j)], where + " output");
                                    }
                                }
                            }
                            assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]), where + ": written before its range");
                        }
                    }
                }
            }
        }
    }

    @Test
    void backwardWithoutAnInputGradientStillAccumulatesScaleAndShiftGradients() {
        for (int[] shape : SHAPES) {
            SplittableRandom r = new SplittableRandom(32);
            int size = shape[0] * shape[1] * shape[2];
            float[] x = TestKernels.random(r, size);
            float[] dy = TestKernels.random(r, size);
            float[] scale = TestKernels.random(r, shape[1]);
            float[] shift = TestKernels.random(r, shape[1]);
            for (int threads : new int[] {1, 3}) {
                for (Kernels k : TestKernels.all(threads)) {
                    for (boolean relu : new boolean[] {false, true}) {
                        String where = k.name() + " t" + threads + " relu " + relu;
                        double[] mean = new double[shape[1]];
                        double[] var = new double[shape[1]];
                        float[] invStd = new float[shape[1]];
                        float[] y = new float[size];
                        k.batchNormForward(shape[0], shape[1], shape[2], x, 0, scale, 0, shift, 0, true, mean, var, invStd, EPS,
                                y, 0, relu);
                        // gradients accumulate onto 1
                        float[] dScale = new float[shape[1] + 1];
                        float[] dShift = new float[shape[1] + 1];
                        Arrays.fill(dScale, 1f);
                        Arrays.fill(dShift, 1f);
                        float[] dx = new float[size];
                        k.batchNormBackward(shape[0], shape[1], shape[2], x, 0, y, 0, dy, 0, scale, 0, mean, invStd, relu,
                                dScale, 1, dShift, 1, dx, 0);
                        float[] dScaleOnly = new float[shape[1] + 1];
                        float[] dShiftOnly = new float[shape[1] + 1];
                        Arrays.fill(dScaleOnly, 1f);
                        Arrays.fill(dShiftOnly, 1f);
                        k.batchNormBackward(shape[0], shape[1], shape[2], x, 0, y, 0, dy, 0, scale, 0, mean, invStd, relu,
                                dScaleOnly, 1, dShiftOnly, 1, null, 0);
                        assertArrayEquals(dScale, dScaleOnly, where + ": the same scale gradient without dx");
                        assertArrayEquals(dShift, dShiftOnly, where + ": the same shift gradient without dx");
                        assertEquals(1f, dScale[0], where);
                        assertEquals(1f, dShift[0], where);
                        int count = shape[0] * shape[2];
                        for (int c = 0; c < shape[1]; c++) {
                            double sumG = 0;
                            double sumGH = 0;
                            for (int n = 0; n < shape[0]; n++) {
                                for (int j = 0; j < shape[2]; j++) {
                                    int i = at(shape, n, c, j);
                                    double g = relu && y[i] <= 0 ? 0 : dy[i];
                                    sumG += g;
                                    sumGH += g * (x[i] - mean[c]) * invStd[c];
                                }
                            }
                            assertClose(1 + sumGH, dScale[1 + c], where + " scale gradient");
                            assertClose(1 + sumG, dShift[1 + c], where + " shift gradient");
                            for (int n = 0; n < shape[0]; n++) {
                                for (int j = 0; j < shape[2]; j++) {
                                    int i = at(shape, n, c, j);
                                    double g = relu && y[i] <= 0 ? 0 : dy[i];
                                    double h = (x[i] - mean[c]) * invStd[c];
                                    double expect = scale[c] * invStd[c] / count * (count * g - sumG - h * sumGH);
                                    assertClose(expect, dx[i], where + " input gradient");
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
