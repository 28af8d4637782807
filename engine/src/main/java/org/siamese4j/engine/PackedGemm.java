package org.siamese4j.engine;

import java.util.Arrays;

/**
 * C = alpha * op(A) * op(B) + beta * C: a packed, cache-blocked GEMM driver (in the style of BLIS/GotoBLAS)
 * around the backend's register-blocked micro-kernel. A kc-deep block of B (nc columns) is packed into
 * nr-wide panels, then for each mc-row block of A packed into mr-high panels the micro-kernel computes
 * every mr x nr tile of C; tiles at the ragged edges go through a scratch tile. The operands are
 * {@link MatrixSource}s, so the convolutions run the same driver on im2col matrices that are packed straight
 * from the images ({@link #gemmSerial}, on the calling thread), and A may come packed once for many calls
 * ({@link #prepack}).
 */
final class PackedGemm {
    /** Depth of a packed block: a kc x nr B micro-panel stays in L1. */
    static final int KC = 256;

    private final Parallel parallel;
    private final VectorOps ops;
    private final ThreadLocal<Workspace> workspaces;
    private final ThreadLocal<GemmTask> tasks = ThreadLocal.withInitial(GemmTask::new);
    /** Micro-tile: mr rows by nr columns of C stay in registers. */
    final int mr;
    final int nr;
    /** Rows of a packed A block (mc x kc stays in L2). */
    final int mc;
    private final int nc;
    /** Columns of a packed B block when A has a single row block: kc x ncSmall floats fit in L2 with A. */
    private final int ncSmall;

    PackedGemm(Parallel parallel, VectorOps ops, ThreadLocal<Workspace> workspaces) {
        this.parallel = parallel;
        this.ops = ops;
        this.workspaces = workspaces;
        this.mr = ops.mr();
        this.nr = ops.nr();
        this.mc = mr * Math.max(1, 128 / mr);
        this.nc = nr * Math.max(1, 4096 / nr);
        this.ncSmall = nr * Math.max(1, 512 / nr);
    }

    /** The public entry ({@link Kernels#gemm}): checked, then split over the threads when it is large enough. */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc) {
        if (!argumentsValid(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc)) {
            Checks.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
        if (m == 0 || n == 0) {
            return;
        }
        int parts = parallel.threads();
        long work = (long) m * n * k;
        if (parts == 1 || work < 64L * 64 * 64) {
            Workspace ws = workspaces.get();
            gemmSerial(ws.a.set(a, aOff, lda, transA), ws.b.set(b, bOff, ldb, transB), m, n, k, alpha, beta, c, cOff, ldc, ws);
            return;
        }
        GemmTask t = tasks.get();
        t.transA = transA;
        t.transB = transB;
        t.m = m;
        t.n = n;
        t.k = k;
        t.alpha = alpha;
        t.beta = beta;
        t.a = a;
        t.aOff = aOff;
        t.lda = lda;
        t.b = b;
        t.bOff = bOff;
        t.ldb = ldb;
        t.c = c;
        t.cOff = cOff;
        t.ldc = ldc;
        // split C into column stripes (or row stripes when it is narrow); every element of C is computed
        // the same way whatever the split, so results do not depend on the thread count
        t.byColumns = n >= parts * nr * 2 || n >= m;
        try {
            parallel.run(t);
        } finally {
            t.a = null;
            t.b = null;
            t.c = null;
        }
    }

    // Argument checks without allocation on the good path: Checks.gemm builds its message eagerly, so it is
    // called only to fail once this cheap test has found a problem.

    private static boolean argumentsValid(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff,
                                          int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            return false;
        }
        int aCols = transA ? m : k;
        int aRows = transA ? k : m;
        int bCols = transB ? k : n;
        int bRows = transB ? n : k;
        if (lda < Math.max(1, aCols) || ldb < Math.max(1, bCols) || ldc < Math.max(1, n)) {
            return false;
        }
        return Checks.inRange(a, aOff, Checks.extent(aRows, aCols, lda))
                && Checks.inRange(b, bOff, Checks.extent(bRows, bCols, ldb))
                && Checks.inRange(c, cOff, Checks.extent(m, n, ldc));
    }

    /** One part of a parallel GEMM; reused by its calling thread, so a call allocates nothing. */
    private final class GemmTask implements Parallel.Body {
        boolean transA;
        boolean transB;
        boolean byColumns;
        int m;
        int n;
        int k;
        float alpha;
        float beta;
        float[] a;
        int aOff;
        int lda;
        float[] b;
        int bOff;
        int ldb;
        float[] c;
        int cOff;
        int ldc;

        @Override
        public void run(int part, int count) {
            int unit = byColumns ? nr : mr;
            int extent = byColumns ? n : m;
            int units = (extent + unit - 1) / unit;
            int u0 = Parallel.rangeStart(units, part, count);
            int u1 = Parallel.rangeStart(units, part + 1, count);
            int from = u0 * unit;
            int to = Math.min(extent, u1 * unit);
            if (from >= to) {
                return;
            }
            Workspace ws = workspaces.get();
            MatrixSource.Dense sa = ws.a.set(a, aOff, lda, transA);
            MatrixSource.Dense sb = ws.b.set(b, bOff, ldb, transB);
            if (byColumns) {
                int bShift = transB ? from * ldb : from;
                sb.set(b, bOff + bShift, ldb, transB);
                gemmSerial(sa, sb, m, to - from, k, alpha, beta, c, cOff + from, ldc, ws);
            } else {
                int aShift = transA ? from : from * lda;
                sa.set(a, aOff + aShift, lda, transA);
                gemmSerial(sa, sb, to - from, n, k, alpha, beta, c, cOff + from * ldc, ldc, ws);
            }
        }
    }

    /** Packs {@code a} (m x k) whole for {@link #gemmSerial}, into the workspace. */
    MatrixSource.Packed prepack(MatrixSource a, int m, int k, Workspace ws) {
        ws.ensurePacking(mc * KC, KC * nc, mr * nr);
        return ws.packed.pack(a, m, k, mc, mr, KC, ws.packA);
    }

    /** C = alpha * A * B + beta * C on the calling thread. A may be {@link MatrixSource.Packed} (then alpha is 1). */
    void gemmSerial(MatrixSource a, MatrixSource b, int m, int n, int k, float alpha, float beta,
                    float[] c, int cOff, int ldc, Workspace ws) {
        if (k == 0) {
            scaleMatrix(c, cOff, ldc, m, n, beta);
            return;
        }
        if (beta != 0f && beta != 1f) {
            scaleMatrix(c, cOff, ldc, m, n, beta);
            beta = 1f;
        }
        MatrixSource.Packed pre = a instanceof MatrixSource.Packed ? (MatrixSource.Packed) a : null;
        if (pre != null && (alpha != 1f || pre.rows != m || pre.depth != k)) {
            throw new IllegalStateException("pre-packed A of " + pre.rows + "x" + pre.depth + " used for " + m + "x" + k);
        }
        boolean overwriteFirst = beta == 0f;
        ws.ensurePacking(mc * KC, KC * nc, mr * nr);
        float[] packB = ws.packB;
        // with a single row block, each packed B block is used once, right away: keep it L2-sized
        int ncb = m <= mc ? ncSmall : nc;
        for (int jc = 0; jc < n; jc += ncb) {
            int ncur = Math.min(ncb, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                b.packB(pc, kc, jc, ncur, nr, packB);
                boolean overwrite = overwriteFirst && pc == 0;
                for (int ic = 0; ic < m; ic += mc) {
                    int mcur = Math.min(mc, m - ic);
                    float[] ap;
                    int apOff;
                    if (pre != null) {
                        ap = pre.data;
                        apOff = pre.offset(ic, pc, kc);
                    } else {
                        ap = ws.packA;
                        apOff = 0;
                        a.packA(ic, mcur, pc, kc, mr, ap);
                        if (alpha != 1f) {
                            scale(ap, ((mcur + mr - 1) / mr) * mr * kc, alpha);
                        }
                    }
                    for (int jr = 0; jr < ncur; jr += nr) {
                        int nlive = Math.min(nr, ncur - jr);
                        for (int ir = 0; ir < mcur; ir += mr) {
                            int mlive = Math.min(mr, mcur - ir);
                            int cAt = cOff + (ic + ir) * ldc + jc + jr;
                            if (mlive == mr && nlive == nr) {
                                ops.microKernel(kc, ap, apOff + ir * kc, packB, jr * kc, c, cAt, ldc, overwrite);
                            } else {
                                ops.microKernel(kc, ap, apOff + ir * kc, packB, jr * kc, ws.tile, 0, nr, true);
                                storeEdge(ws.tile, mlive, nlive, c, cAt, ldc, overwrite);
                            }
                        }
                    }
                }
            }
        }
    }

    private void storeEdge(float[] tile, int rows, int cols, float[] c, int cOff, int ldc, boolean overwrite) {
        for (int r = 0; r < rows; r++) {
            int d = cOff + r * ldc;
            int s = r * nr;
            if (overwrite) {
                System.arraycopy(tile, s, c, d, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[d + j] += tile[s + j];
                }
            }
        }
    }

    private static void scale(float[] x, int n, float factor) {
        for (int i = 0; i < n; i++) {
            x[i] *= factor;
        }
    }

    private static void scaleMatrix(float[] c, int off, int ldc, int m, int n, float beta) {
        for (int i = 0; i < m; i++) {
            int row = off + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }
}
