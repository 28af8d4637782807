package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Element-wise kernels on both backends, for lengths around the vector width (tails). */
class ElementwiseTest {
    private static final int[] LENGTHS = {0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 1027};

    @Test
    void reluSigmoidAndL1MatchTheirDefinitions() {
        SplittableRandom r = new SplittableRandom(5);
        for (Kernels k : TestKernels.all(2)) {
            for (int n : LENGTHS) {
                float[] x = TestKernels.random(r, n + 1);
                float[] x2 = TestKernels.random(r, n + 1);
                float[] g = TestKernels.random(r, n + 1);
                x[0] = 0f; // exercise the kinks
                if (n > 2) {
                    x2[1] = x[1];
                }
                float[] y = new float[n + 1];
                float[] dx = new float[n + 1];
                k.reluForward(x, 1, y, 1, n);
                k.reluBackward(y, 1, g, 1, dx, 1, n);
                for (int i = 1; i <= n; i++) {
                    assertEquals(Math.max(0f, x[i]), y[i], k.name() + " relu");
                    assertEquals(x[i] > 0 ? g[i] : 0f, dx[i], k.name() + " relu backward");
                }
                k.sigmoidForward(x, 1, y, 1, n);
                k.sigmoidBackward(y, 1, g, 1, dx, 1, n);
                for (int i = 1; i <= n; i++) {
                    double s = 1 / (1 + Math.exp(-x[i]));
                    assertEquals(s, y[i], 1e-6, k.name() + " sigmoid");
                    assertEquals(g[i] * y[i] * (1 - y[i]), dx[i], 1e-6, k.name() + " sigmoid backward");
                }
                float[] out = new float[n + 1];
                float[] da = new float[n + 1];
                float[] db = new float[n + 1];
                k.l1JoinForward(x, 1, x2, 1, out, 1, n);
                k.l1JoinBackward(x, 1, x2, 1, g, 1, da, 1, db, 1, n);
                for (int i = 1; i <= n; i++) {
                    float d = x[i] - x2[i];
                    assertEquals(Math.abs(d), out[i], k.name() + " l1");
                    float expect = d > 0 ? g[i] : (d < 0 ? -g[i] : 0f);
                    assertEquals(expect, da[i], k.name() + " l1 backward left");
                    assertEquals(-expect, db[i], k.name() + " l1 backward right");
                }
            }
        }
    }

    @Test
    void optimizerPassesMatchTheirDefinitionsOnAnyThreadCount() {
        SplittableRandom r = new SplittableRandom(6);
        int[] lengths = {0, 1, 17, 1023, 1025, 3000, 70_001}; // the last is split over the threads
        for (int threads : new int[] {1, 2, 3}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (int n : lengths) {
                    float[] w = TestKernels.random(r, n + 2);
                    float[] v = TestKernels.random(r, n + 3);
                    float[] g = TestKernels.random(r, n + 1);
                    float[] w0 = w.clone();
                    float[] v0 = v.clone();
                    float[] g0 = g.clone();
                    double sum = k.addWeightDecay(w, 2, g, 1, n, 0.01f);
                    double expectSum = 0;
                    for (int i = 0; i < n; i++) {
                        expectSum += (double) w0[2 + i] * w0[2 + i];
                        assertEquals(g0[1 + i] + 0.01 * w0[2 + i], g[1 + i], 1e-6, k.name() + " decay gradient");
                    }
                    assertEquals(expectSum, sum, 1e-5 * Math.max(1, expectSum), k.name() + " sum of squares, n " + n);
                    assertEquals(g0[0], g[0], "outside the range");
                    k.momentumStep(w, 2, v, 3, g, 1, n, 0.9f, 0.1f);
                    for (int i = 0; i < n; i++) {
                        double vi = 0.9 * v0[3 + i] - 0.1 * g[1 + i];
                        assertEquals(vi, v[3 + i], 1e-6, k.name() + " velocity");
                        assertEquals(w0[2 + i] + vi, w[2 + i], 1e-6, k.name() + " weight");
                    }
                    assertEquals(w0[0], w[0], "outside the range");
                    assertEquals(w0[1], w[1], "outside the range");
                    assertEquals(v0[2], v[2], "outside the range");
                }
            }
        }
    }

    @Test
    void sigmoidSaturatesWithoutNaN() {
        for (Kernels k : TestKernels.all(1)) {
            float[] x = new float[40];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 2 == 0 ? 1 : -1) * (float) Math.pow(10, i % 6);
            }
            float[] y = new float[x.length];
            k.sigmoidForward(x, 0, y, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(1 / (1 + Math.exp(-x[i])), y[i], 1e-6, k.name() + " at " + x[i]);
            }
        }
    }

    @Test
    void rowVectorAndColumnSums() {
        SplittableRandom r = new SplittableRandom(6);
        for (Kernels k : TestKernels.all(2)) {
            for (int cols : new int[] {1, 15, 16, 33}) {
                int rows = 5;
                float[] m = TestKernels.random(r, rows * cols);
                float[] bias = TestKernels.random(r, cols);
                float[] y = m.clone();
                k.addRowVector(y, 0, rows, cols, bias, 0);
                float[] sums = new float[cols];
                k.accumulateColumnSums(m, 0, rows, cols, sums, 0);
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int i = 0; i < rows; i++) {
                        assertEquals(m[i * cols + j] + bias[j], y[i * cols + j], 1e-6);
                        s += m[i * cols + j];
                    }
                    assertEquals(s, sums[j], 1e-5);
                }
            }
        }
    }

    /** relu and sigmoid, forward and backward, on n elements from offset 3: {y, dx of relu, s, dx of sigmoid}. */
    private static float[][] reluAndSigmoid(Kernels k, float[] x, float[] g, int n) {
        float[] y = new float[n + 3];
        float[] dx = new float[n + 3];
        float[] s = new float[n + 3];
        float[] ds = new float[n + 3];
        Arrays.fill(y, 7f);
        Arrays.fill(dx, 7f);
        Arrays.fill(s, 7f);
        Arrays.fill(ds, 7f);
        k.reluForward(x, 3, y, 3, n);
        k.reluBackward(y, 3, g, 3, dx, 3, n);
        k.sigmoidForward(x, 3, s, 3, n);
        k.sigmoidBackward(s, 3, g, 3, ds, 3, n);
        return new float[][] {y, dx, s, ds};
    }

    @Test
    void largeReluAndSigmoidSplitOverThreadsGiveTheOneThreadResult() {
        // from PARALLEL_ELEMENTS on, the passes are split in 64-element chunks (n here is not a multiple of 64)
        SplittableRandom r = new SplittableRandom(9);
        int n = ElementwisePasses.PARALLEL_ELEMENTS + 7_241;
        float[] x = TestKernels.random(r, n + 3);
        float[] g = TestKernels.random(r, n + 3);
        x[3] = 0f;
        for (String backend : Backend.vectorApiAvailable() ? new String[] {"scalar", "simd"} : new String[] {"scalar"}) {
            float[][] one = reluAndSigmoid(Backend.kernels(backend, 1), x, g, n);
            for (int i = 0; i < 3; i++) {
                for (float[] out : one) {
                    assertEquals(7f, out[i], "outside the range");
                }
            }
            for (int i = 3; i < n + 3; i++) {
                assertEquals(Math.max(0f, x[i]), one[0][i], backend + " relu at " + i);
                assertEquals(x[i] > 0 ? g[i] : 0f, one[1][i], backend + " relu backward at " + i);
                double s = 1 / (1 + Math.exp(-x[i]));
                assertEquals(s, one[2][i], 1e-6, backend + " sigmoid at " + i);
                assertEquals(g[i] * s * (1 - s), one[3][i], 1e-6, backend + " sigmoid backward at " + i);
            }
            for (int threads : new int[] {2, 3}) {
                Kernels k = Backend.kernels(backend, threads);
                float[][] split = reluAndSigmoid(k, x, g, n);
                for (int i = 0; i < one.length; i++) {
                    assertArrayEquals(one[i], split[i], backend + " output " + i + " on " + threads + " threads");
                }
                // in place (y aliasing x, dx aliasing dy), as the layers call them
                float[] inPlace = x.clone();
                k.reluForward(inPlace, 3, inPlace, 3, n);
                assertArrayEquals(Arrays.copyOfRange(one[0], 3, n + 3), Arrays.copyOfRange(inPlace, 3, n + 3));
                float[] grad = g.clone();
                k.sigmoidBackward(one[2], 3, grad, 3, grad, 3, n);
                assertArrayEquals(Arrays.copyOfRange(one[3], 3, n + 3), Arrays.copyOfRange(grad, 3, n + 3));
            }
        }
    }

    @Test
    void moreThreadsThanChunksLeaveTheSpareThreadsIdle() {
        // 32_773 elements are 513 chunks of 64: of 520 parts, seven get none (and the last one a short chunk)
        SplittableRandom r = new SplittableRandom(10);
        int n = ElementwisePasses.PARALLEL_ELEMENTS + 5;
        float[] x = TestKernels.random(r, n + 3);
        float[] g = TestKernels.random(r, n + 3);
        try (Parallel pool = new Parallel(520)) {
            for (VectorOps ops : TestKernels.allOps()) {
                float[][] one = reluAndSigmoid(Backend.kernels(ops.name(), 1), x, g, n);
                float[][] many = reluAndSigmoid(new CpuKernels(pool, ops), x, g, n);
                for (int i = 0; i < one.length; i++) {
                    assertArrayEquals(one[i], many[i], ops.name() + " output " + i + " on 520 threads");
                }
            }
        }
    }

    @Test
    void unknownElementwiseOpIsRefused() {
        for (VectorOps ops : TestKernels.allOps()) {
            float[] a = new float[4];
            assertThrows(IllegalArgumentException.class, () -> ops.elementwiseRange(4, a, 0, a, 0, a, 0, 4), ops.name());
        }
    }
}
