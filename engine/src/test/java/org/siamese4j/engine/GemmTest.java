package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.junit.jupiter.api.Test;

/** GEMM on both backends against a naive double reference and against EJML, over odd shapes. */
class GemmTest {
    private static final double TOLERANCE = 1e-4;

    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 1, 7}, {1, 17, 1}, {3, 5, 7}, {8, 32, 1}, {9, 33, 17}, {7, 15, 300}, {16, 16, 16},
        {31, 63, 257}, {64, 100, 9}, {129, 65, 520}, {5, 600, 3}, {200, 3, 40}, {2, 1000, 2},
    };

    @Test
    void matchesNaiveReferenceForEveryTransposeAndScaling() {
        SplittableRandom r = new SplittableRandom(1);
        for (int threads : new int[] {1, 2, 3}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (int[] s : SHAPES) {
                    for (int t = 0; t < 4; t++) {
                        boolean ta = (t & 1) != 0;
                        boolean tb = (t & 2) != 0;
                        int m = s[0], n = s[1], kk = s[2];
                        // leading dimensions and offsets larger than needed catch stride bugs
                        int lda = (ta ? m : kk) + 3;
                        int ldb = (tb ? kk : n) + 1;
                        int ldc = n + 2;
                        float[] a = TestKernels.random(r, 5 + (ta ? kk : m) * lda);
                        float[] b = TestKernels.random(r, 2 + (tb ? n : kk) * ldb);
                        float[] c = TestKernels.random(r, 4 + m * ldc);
                        float[] before = c.clone();
                        for (float[] ab : new float[][] {{1f, 0f}, {1f, 1f}, {-0.5f, 0.25f}}) {
                            float[] cc = before.clone();
                            k.gemm(ta, tb, m, n, kk, ab[0], a, 5, lda, b, 2, ldb, ab[1], cc, 4, ldc);
                            double[] ref = Naive.gemm(ta, tb, m, n, kk, ab[0], a, 5, lda, b, 2, ldb, ab[1], before, 4, ldc);
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    double e = Math.abs(cc[4 + i * ldc + j] - ref[i * n + j]) / Math.max(1, Math.abs(ref[i * n + j]));
                                    assertTrue(e < TOLERANCE, () -> k.name() + " threads " + threads + " gemm " + m + "x" + n + "x" + kk
                                            + " ta=" + ta + " tb=" + tb + " alpha/beta=" + ab[0] + "/" + ab[1] + " error " + e);
                                }
                                // padding between rows of C is never touched
                                for (int j = n; j < ldc && i < m - 1; j++) {
                                    assertEquals(before[4 + i * ldc + j], cc[4 + i * ldc + j]);
                                }
                            }
                            assertEquals(before[0], cc[0]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        for (Kernels k : TestKernels.all(2)) {
            float[] a = {1, 2, 3, 4};
            float[] b = {1, 0, 0, 1};
            float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
            k.gemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
            assertArrayEquals(new float[] {1, 2, 3, 4}, c, k.name());
        }
    }

    @Test
    void agreesWithEjml() {
        SplittableRandom r = new SplittableRandom(7);
        int m = 150, n = 97, kk = 301;
        float[] a = TestKernels.random(r, m * kk);
        float[] b = TestKernels.random(r, kk * n);
        FMatrixRMaj ea = new FMatrixRMaj(m, kk, true, a);
        FMatrixRMaj eb = new FMatrixRMaj(kk, n, true, b);
        FMatrixRMaj ec = new FMatrixRMaj(m, n);
        CommonOps_FDRM.mult(ea, eb, ec);
        for (Kernels k : TestKernels.all(2)) {
            float[] c = new float[m * n];
            k.gemm(false, false, m, n, kk, 1f, a, 0, kk, b, 0, n, 0f, c, 0, n);
            for (int i = 0; i < c.length; i++) {
                assertEquals(ec.data[i], c[i], 1e-3, k.name() + " vs EJML at " + i);
            }
        }
    }

    @Test
    void simdAndScalarAgreeOnALargeProduct() {
        if (!Backend.vectorApiAvailable()) {
            return;
        }
        SplittableRandom r = new SplittableRandom(3);
        int m = 67, n = 301, kk = 700;
        float[] a = TestKernels.random(r, m * kk);
        float[] b = TestKernels.random(r, kk * n);
        float[] c1 = new float[m * n];
        float[] c2 = new float[m * n];
        Backend.kernels("simd", 2).gemm(false, true, m, n, kk, 1f, a, 0, kk, b, 0, kk, 0f, c1, 0, n);
        Backend.kernels("scalar", 2).gemm(false, true, m, n, kk, 1f, a, 0, kk, b, 0, kk, 0f, c2, 0, n);
        for (int i = 0; i < c1.length; i++) {
            assertEquals(c2[i], c1[i], 1e-3);
        }
    }

    @Test
    void emptyDepthOnlyScalesCByBeta() {
        // k = 0: op(A) op(B) is the zero matrix, so C = beta C; beta = 0 clears C, NaN included
        for (int threads : new int[] {1, 2}) {
            for (Kernels k : TestKernels.all(threads)) {
                for (float beta : new float[] {0f, 1f, -0.5f, 3f}) {
                    int m = 3, n = 5, ldc = 7;
                    float[] c = new float[2 + m * ldc];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = i % 4 == 0 ? Float.NaN : i - 10;
                    }
                    float[] before = c.clone();
                    k.gemm(false, false, m, n, 0, 2f, new float[0], 0, 1, new float[0], 0, n, beta, c, 2, ldc);
                    for (int i = 0; i < c.length; i++) {
                        int row = (i - 2) / ldc;
                        int col = (i - 2) % ldc;
                        boolean inC = i >= 2 && row < m && col < n;
                        float expect = !inC ? before[i] : beta == 0f ? 0f : beta * before[i];
                        assertEquals(expect, c[i], k.name() + " t" + threads + " beta " + beta + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void prepackedAIsOnlyUsedForItsOwnShapeWithAlphaOne() {
        // A packed once (the conv weights) over several row and depth blocks gives the product of A itself;
        // used for another shape or with alpha != 1 (folded into A when it is packed per call) it is refused
        SplittableRandom r = new SplittableRandom(8);
        for (Kernels kernels : TestKernels.all(1)) {
            VectorOps ops = TestKernels.ops(kernels.name());
            ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(() -> new Workspace(ops));
            PackedGemm gemm = new PackedGemm(Backend.pool(1), ops, workspaces);
            Workspace ws = workspaces.get();
            int m = gemm.mc + 3, n = 37, kk = PackedGemm.KC + 45;
            float[] a = TestKernels.random(r, m * kk);
            float[] b = TestKernels.random(r, kk * n);
            float[] c = TestKernels.random(r, m * n);
            float[] c0 = c.clone();
            MatrixSource.Packed pre = gemm.prepack(new MatrixSource.Dense().set(a, 0, kk, false), m, kk, ws);
            MatrixSource.Dense bs = new MatrixSource.Dense().set(b, 0, n, false);
            gemm.gemmSerial(pre, bs, m, n, kk, 1f, 0.5f, c, 0, n, ws);
            double[] ref = Naive.gemm(false, false, m, n, kk, 1, a, 0, kk, b, 0, n, 0.5, c0, 0, n);
            assertTrue(TestKernels.maxError(c, 0, ref, ref.length) < TOLERANCE, kernels.name() + " prepacked A");
            assertThrows(IllegalStateException.class, () -> gemm.gemmSerial(pre, bs, m, n, kk, 2f, 0f, c, 0, n, ws));
            assertThrows(IllegalStateException.class, () -> gemm.gemmSerial(pre, bs, m - 1, n, kk, 1f, 0f, c, 0, n, ws));
            assertThrows(IllegalStateException.class, () -> gemm.gemmSerial(pre, bs, m, n, kk - 1, 1f, 0f, c, 0, n, ws));
        }
    }
}
