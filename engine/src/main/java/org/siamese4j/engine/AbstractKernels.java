package org.siamese4j.engine;

import java.util.Arrays;

/**
 * What both backends share: a packed, cache-blocked GEMM driver (in the style of BLIS/GotoBLAS) around a
 * backend-specific register-blocked micro-kernel, and convolutions as implicit GEMMs whose im2col
 * operand is packed straight from the image and never stored whole.
 */
abstract class AbstractKernels implements Kernels {
    /** Depth of a packed block: a kc x nr B micro-panel stays in L1. */
    static final int KC = 256;
    /** Columns for which at least this many per conv GEMM call are batched from several images. */
    private static final int MIN_CONV_COLUMNS = 512;

    protected final Parallel parallel;
    /** Micro-tile: mr rows by nr columns of C stay in registers. */
    protected final int mr;
    protected final int nr;
    private final int mc;
    private final int nc;
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);
    /** Per-part weight-gradient partial sums; backward passes on one instance are serialised by this lock. */
    private final Object partialLock = new Object();
    private float[][] partialWeights = new float[0][];
    private float[][] partialBias = new float[0][];

    AbstractKernels(Parallel parallel, int mr, int nr) {
        this.parallel = parallel;
        this.mr = mr;
        this.nr = nr;
        this.mc = mr * Math.max(1, 128 / mr);
        this.nc = nr * Math.max(1, 4096 / nr);
    }

    @Override
    public int threads() {
        return parallel.threads();
    }

    /**
     * The micro-kernel: C[0..mr) x [0..nr) (row stride ldc) = Ap * Bp (+ C unless overwrite), where Ap is
     * an mr x kc panel stored column by column and Bp a kc x nr panel stored row by row. Alpha is folded
     * into Ap when it is packed.
     */
    protected abstract void microKernel(int kc, float[] ap, int aOff, float[] bp, int bOff,
                                        float[] c, int cOff, int ldc, boolean overwrite);

    /** y[off..off+n) = y + bias, then max(., 0) when relu. */
    protected abstract void biasActivate(float[] y, int off, int n, float bias, boolean relu);

    /** Sum of x[off..off+n). */
    protected abstract float sum(float[] x, int off, int n);

    /** y[yOff..+n) += x[xOff..+n). */
    protected abstract void add(float[] x, int xOff, float[] y, int yOff, int n);

    // ---------------------------------------------------------------------------------------------
    // GEMM

    @Override
    public final void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        Checks.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
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
        // split C into column stripes (or row stripes when it is narrow); every element of C is computed
        // the same way whatever the split, so results do not depend on the thread count
        boolean byColumns = n >= parts * nr * 2 || n >= m;
        int unit = byColumns ? nr : mr;
        int extent = byColumns ? n : m;
        int units = (extent + unit - 1) / unit;
        parallel.run((part, count) -> {
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
        });
    }

    /** C = alpha * A * B + beta * C on the calling thread. */
    final void gemmSerial(MatrixSource a, MatrixSource b, int m, int n, int k, float alpha, float beta,
                          float[] c, int cOff, int ldc, Workspace ws) {
        if (k == 0) {
            scaleMatrix(c, cOff, ldc, m, n, beta);
            return;
        }
        if (beta != 0f && beta != 1f) {
            scaleMatrix(c, cOff, ldc, m, n, beta);
            beta = 1f;
        }
        boolean overwriteFirst = beta == 0f;
        ws.ensurePacking(mc * KC, KC * nc, mr * nr);
        float[] packA = ws.packA;
        float[] packB = ws.packB;
        for (int jc = 0; jc < n; jc += nc) {
            int ncur = Math.min(nc, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                b.packB(pc, kc, jc, ncur, nr, packB);
                boolean overwrite = overwriteFirst && pc == 0;
                for (int ic = 0; ic < m; ic += mc) {
                    int mcur = Math.min(mc, m - ic);
                    a.packA(ic, mcur, pc, kc, mr, packA);
                    if (alpha != 1f) {
                        scale(packA, ((mcur + mr - 1) / mr) * mr * kc, alpha);
                    }
                    for (int jr = 0; jr < ncur; jr += nr) {
                        int nlive = Math.min(nr, ncur - jr);
                        for (int ir = 0; ir < mcur; ir += mr) {
                            int mlive = Math.min(mr, mcur - ir);
                            int cAt = cOff + (ic + ir) * ldc + jc + jr;
                            if (mlive == mr && nlive == nr) {
                                microKernel(kc, packA, ir * kc, packB, jr * kc, c, cAt, ldc, overwrite);
                            } else {
                                microKernel(kc, packA, ir * kc, packB, jr * kc, ws.tile, 0, nr, true);
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

    // ---------------------------------------------------------------------------------------------
    // Convolution

    /** How many images to put side by side in one GEMM so that it has enough columns. */
    private static int imagesPerGemm(ConvGeometry g, int available) {
        int want = (MIN_CONV_COLUMNS + g.outPixels() - 1) / g.outPixels();
        return Math.max(1, Math.min(want, available));
    }

    @Override
    public final void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                                    float[] y, int yOff, boolean relu) {
        Checks.range("conv input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("conv weights", w, wOff, g.weightSize(), g);
        if (bias != null) {
            Checks.range("conv bias", bias, biasOff, g.outChannels(), g);
        }
        Checks.range("conv output", y, yOff, (long) g.batch() * g.outSize(), g);
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        parallel.run((part, parts) -> {
            int i0 = Parallel.rangeStart(g.batch(), part, parts);
            int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
            Workspace ws = workspaces.get();
            int group = imagesPerGemm(g, i1 - i0);
            for (int img = i0; img < i1; img += group) {
                int n = Math.min(group, i1 - img);
                int cols = n * pixels;
                MatrixSource.Dense weights = ws.a.set(w, wOff, patch, false);
                MatrixSource.Im2col cols2 = ws.im2col.set(x, xOff + img * g.inSize(), g, false);
                if (n == 1) {
                    int out = yOff + img * g.outSize();
                    gemmSerial(weights, cols2, outC, pixels, patch, 1f, 0f, y, out, pixels, ws);
                    for (int c = 0; c < outC; c++) {
                        biasActivate(y, out + c * pixels, pixels, bias == null ? 0f : bias[biasOff + c], relu);
                    }
                } else {
                    float[] tmp = ws.ensureTmp(outC * cols);
                    gemmSerial(weights, cols2, outC, cols, patch, 1f, 0f, tmp, 0, cols, ws);
                    for (int c = 0; c < outC; c++) {
                        for (int i = 0; i < n; i++) {
                            int out = yOff + (img + i) * g.outSize() + c * pixels;
                            System.arraycopy(tmp, c * cols + i * pixels, y, out, pixels);
                            biasActivate(y, out, pixels, bias == null ? 0f : bias[biasOff + c], relu);
                        }
                    }
                }
            }
        });
    }

    @Override
    public final void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        Checks.range("conv output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("conv weights", w, wOff, g.weightSize(), g);
        Checks.range("conv input gradient", dx, dxOff, (long) g.batch() * g.inSize(), g);
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        parallel.run((part, parts) -> {
            int i0 = Parallel.rangeStart(g.batch(), part, parts);
            int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
            Workspace ws = workspaces.get();
            int group = imagesPerGemm(g, i1 - i0);
            for (int img = i0; img < i1; img += group) {
                int n = Math.min(group, i1 - img);
                int cols = n * pixels;
                float[] dcol = ws.ensureTmp(patch * cols);
                // dcol (patch x cols) = W^T (patch x outC) * dY (outC x cols)
                MatrixSource.Dense wt = ws.a.set(w, wOff, patch, true);
                MatrixSource.Batched dys = ws.batched.set(dy, dyOff + img * g.outSize(), g.outSize(), pixels);
                gemmSerial(wt, dys, patch, cols, outC, 1f, 0f, dcol, 0, cols, ws);
                col2im(g, dcol, cols, dx, dxOff + img * g.inSize(), n);
            }
        });
    }

    /** dx (n images) = scatter-add of the columns of dcol back onto the pixels they were read from. */
    private static void col2im(ConvGeometry g, float[] dcol, int cols, float[] dx, int dxOff, int n) {
        Arrays.fill(dx, dxOff, dxOff + n * g.inSize(), 0f);
        int kh = g.kernelHeight();
        int kw = g.kernelWidth();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int h = g.inHeight();
        int w = g.inWidth();
        int s = g.stride();
        int pad = g.padding();
        int pixels = oh * ow;
        for (int ci = 0; ci < g.inChannels(); ci++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = ((ci * kh + ky) * kw + kx) * cols;
                    for (int img = 0; img < n; img++) {
                        int plane = dxOff + img * g.inSize() + ci * h * w;
                        int src = row + img * pixels;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * s - pad + ky;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int drow = plane + iy * w;
                            int srow = src + oy * ow;
                            if (s == 1 && pad == 0) {
                                int d = drow + kx;
                                for (int ox = 0; ox < ow; ox++) {
                                    dx[d + ox] += dcol[srow + ox];
                                }
                            } else {
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox * s - pad + kx;
                                    if (ix >= 0 && ix < w) {
                                        dx[drow + ix] += dcol[srow + ox];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public final void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                           float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        Checks.range("conv input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("conv output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("conv weight gradient", dw, dwOff, g.weightSize(), g);
        if (dbias != null) {
            Checks.range("conv bias gradient", dbias, dbiasOff, g.outChannels(), g);
        }
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        synchronized (partialLock) {
            int parts = parallel.threads();
            ensurePartials(parts, g.weightSize(), outC);
            parallel.run((part, count) -> {
                int i0 = Parallel.rangeStart(g.batch(), part, count);
                int i1 = Parallel.rangeStart(g.batch(), part + 1, count);
                float[] wTarget = part == 0 ? dw : partialWeights[part];
                int wAt = part == 0 ? dwOff : 0;
                float[] bTarget = part == 0 ? dbias : (dbias == null ? null : partialBias[part]);
                int bAt = part == 0 ? dbiasOff : 0;
                if (part != 0) {
                    Arrays.fill(wTarget, 0, g.weightSize(), 0f);
                    if (bTarget != null) {
                        Arrays.fill(bTarget, 0, outC, 0f);
                    }
                }
                if (i0 >= i1) {
                    return;
                }
                Workspace ws = workspaces.get();
                // dW (outC x patch) += dY (outC x (images*pixels)) * im2col^T ((images*pixels) x patch)
                MatrixSource.Batched dys = ws.batched.set(dy, dyOff + i0 * g.outSize(), g.outSize(), pixels);
                MatrixSource.Im2col colsT = ws.im2col.set(x, xOff + i0 * g.inSize(), g, true);
                gemmSerial(dys, colsT, outC, patch, (i1 - i0) * pixels, 1f, 1f, wTarget, wAt, patch, ws);
                for (int img = i0; img < i1 && bTarget != null; img++) {
                    int base = dyOff + img * g.outSize();
                    for (int c = 0; c < outC; c++) {
                        bTarget[bAt + c] += sum(dy, base + c * pixels, pixels);
                    }
                }
            });
            for (int p = 1; p < parts; p++) {
                add(partialWeights[p], 0, dw, dwOff, g.weightSize());
                if (dbias != null) {
                    add(partialBias[p], 0, dbias, dbiasOff, outC);
                }
            }
        }
    }

    private void ensurePartials(int parts, int weights, int biases) {
        if (partialWeights.length < parts) {
            partialWeights = Arrays.copyOf(partialWeights, parts);
            partialBias = Arrays.copyOf(partialBias, parts);
        }
        for (int p = 1; p < parts; p++) {
            if (partialWeights[p] == null || partialWeights[p].length < weights) {
                partialWeights[p] = new float[weights];
            }
            if (partialBias[p] == null || partialBias[p].length < biases) {
                partialBias[p] = new float[biases];
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Max-pool: memory-bound and shuffle-heavy, so both backends share this plain loop.

    @Override
    public final void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        Checks.range("pool input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("pool output", y, yOff, (long) g.batch() * g.outSize(), g);
        if (argmax.length < (long) g.batch() * g.outSize()) {
            throw new IllegalArgumentException("argmax of length " + argmax.length + " is too short for " + g);
        }
        int oh = g.outHeight();
        int ow = g.outWidth();
        int h = g.inHeight();
        int w = g.inWidth();
        int k = g.window();
        int s = g.stride();
        parallel.run((part, parts) -> {
            int planes = g.batch() * g.channels();
            int p0 = Parallel.rangeStart(planes, part, parts);
            int p1 = Parallel.rangeStart(planes, part + 1, parts);
            for (int plane = p0; plane < p1; plane++) {
                int img = plane / g.channels();
                int inPlane = plane * h * w;
                int within = (plane - img * g.channels()) * h * w;
                int outPlane = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int best = (oy * s) * w + ox * s;
                        float bestValue = x[xOff + inPlane + best];
                        for (int dy = 0; dy < k; dy++) {
                            int row = (oy * s + dy) * w + ox * s;
                            for (int dx = 0; dx < k; dx++) {
                                float v = x[xOff + inPlane + row + dx];
                                // NaN propagates: a NaN beats everything, so divergence is not hidden
                                if (v > bestValue || (v != v && bestValue == bestValue)) {
                                    bestValue = v;
                                    best = row + dx;
                                }
                            }
                        }
                        y[yOff + outPlane + oy * ow + ox] = bestValue;
                        argmax[outPlane + oy * ow + ox] = within + best;
                    }
                }
            }
        });
    }

    @Override
    public final void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        Checks.range("pool output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("pool input gradient", dx, dxOff, (long) g.batch() * g.inSize(), g);
        int outSize = g.outSize();
        int inSize = g.inSize();
        parallel.run((part, parts) -> {
            int i0 = Parallel.rangeStart(g.batch(), part, parts);
            int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
            for (int img = i0; img < i1; img++) {
                int in = dxOff + img * inSize;
                Arrays.fill(dx, in, in + inSize, 0f);
                int out = img * outSize;
                for (int i = 0; i < outSize; i++) {
                    dx[in + argmax[out + i]] += dy[dyOff + out + i];
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------------

    /** Per-thread scratch: packing buffers, a tile for ragged edges, and a conv staging buffer. */
    static final class Workspace {
        float[] packA = new float[0];
        float[] packB = new float[0];
        float[] tile = new float[0];
        float[] tmp = new float[0];
        final MatrixSource.Dense a = new MatrixSource.Dense();
        final MatrixSource.Dense b = new MatrixSource.Dense();
        final MatrixSource.Batched batched = new MatrixSource.Batched();
        final MatrixSource.Im2col im2col = new MatrixSource.Im2col();

        void ensurePacking(int aSize, int bSize, int tileSize) {
            if (packA.length < aSize) {
                packA = new float[aSize];
            }
            if (packB.length < bSize) {
                packB = new float[bSize];
            }
            if (tile.length < tileSize) {
                tile = new float[tileSize];
            }
        }

        float[] ensureTmp(int size) {
            if (tmp.length < size) {
                tmp = new float[size];
            }
            return tmp;
        }
    }
}
