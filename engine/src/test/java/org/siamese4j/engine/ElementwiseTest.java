package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
