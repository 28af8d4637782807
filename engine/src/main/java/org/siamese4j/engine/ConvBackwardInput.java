package org.siamese4j.engine;

import java.util.Arrays;

/**
 * dx = the gradient of the loss with respect to the conv input, overwritten; per thread a run of images, by
 * one of two strategies. Stride 1 with a thin zero border and channels enough: the full convolution of dy
 * (zero-padded by k - 1 - pad) with the flipped kernels, an implicit GEMM like the forward pass. Otherwise:
 * col2im, dcol = W^T dY a block at a time, each block scattered onto dx while it is in L2.
 */
final class ConvBackwardInput {
    /** Output pixels per block of the col2im matrix (mc taps x this many columns stay in L2). */
    private static final int COL2IM_COLUMNS = 512;

    private final Parallel parallel;
    private final VectorOps ops;
    private final PackedGemm gemm;
    private final ThreadLocal<Workspace> workspaces;
    private final ThreadLocal<Task> tasks = ThreadLocal.withInitial(Task::new);
    private final int mc;
    private final ConvWinograd winograd;

    ConvBackwardInput(Parallel parallel, VectorOps ops, PackedGemm gemm, ThreadLocal<Workspace> workspaces,
                      ConvWinograd winograd) {
        this.parallel = parallel;
        this.ops = ops;
        this.gemm = gemm;
        this.workspaces = workspaces;
        this.mc = gemm.mc;
        this.winograd = winograd;
    }

    /** {@link Kernels#conv2dBackwardInput}: checked, then split over the threads by images. */
    void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        Checks.range("conv output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("conv weights", w, wOff, g.weightSize(), g);
        Checks.range("conv input gradient", dx, dxOff, (long) g.batch() * g.inSize(), g);
        Task t = tasks.get();
        t.g = g;
        t.dy = dy;
        t.dyOff = dyOff;
        t.w = w;
        t.wOff = wOff;
        t.dx = dx;
        t.dxOff = dxOff;
        try {
            parallel.run(t);
        } finally {
            t.clear();
        }
    }

    /** One part: images [i0, i1) of the batch, by the full convolution when it pays, else by col2im. */
    private void part(int part, int parts, ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                      float[] dx, int dxOff) {
        int i0 = Parallel.rangeStart(g.batch(), part, parts);
        int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
        if (i0 >= i1) {
            return;
        }
        if (winograd.backwardInputApplies(g)) {
            winograd.backwardInput(i0, i1, g, dy, dyOff, w, wOff, dx, dxOff);
            return;
        }
        Workspace ws = workspaces.get();
        int kh = g.kernelHeight();
        int kw = g.kernelWidth();
        int pad = g.padding();
        // the full convolution below also multiplies the zero border of dy: worth it when that border is
        // thin next to the image and there are channels enough to fill the GEMM's rows
        boolean full = g.stride() == 1 && pad < kh && pad < kw && g.inChannels() >= 16
                && 2L * g.inHeight() * g.inWidth() <= 3L * g.outPixels();
        if (!full) {
            backwardInputByCol2im(i0, i1, g, dy, dyOff, w, wOff, dx, dxOff, ws);
            return;
        }
        // stride 1: dx is the full convolution of dy (zero-padded by k - 1 - pad) with the flipped kernels,
        // wf[ci][co][u][v] = w[co][ci][kh-1-u][kw-1-v]: an implicit GEMM like the forward pass, no col2im
        int outC = g.outChannels();
        int inC = g.inChannels();
        int padY = kh - 1 - pad;
        int padX = kw - 1 - pad;
        int oh = g.outHeight();
        int ow = g.outWidth();
        int ph = oh + 2 * padY;
        int pw = ow + 2 * padX;
        int depth = outC * kh * kw;
        int pixels = g.inHeight() * g.inWidth();
        float[] wf = ws.ensureFlipped(inC * depth);
        for (int co = 0; co < outC; co++) {
            for (int ci = 0; ci < inC; ci++) {
                int s = wOff + (co * inC + ci) * kh * kw;
                int d = ci * depth + co * kh * kw;
                for (int u = 0; u < kh; u++) {
                    for (int v = 0; v < kw; v++) {
                        wf[d + u * kw + v] = w[s + (kh - 1 - u) * kw + (kw - 1 - v)];
                    }
                }
            }
        }
        MatrixSource.Packed weights = gemm.prepack(ws.a.set(wf, 0, depth, false), inC, depth, ws);
        int paddedSize = outC * ph * pw;
        boolean padded = padY > 0 || padX > 0;
        int group = ConvImages.imagesPerGemm(pixels, i1 - i0);
        for (int img = i0; img < i1; img += group) {
            int n = Math.min(group, i1 - img);
            int cols = n * pixels;
            MatrixSource.Im2col src;
            if (padded) {
                float[] buf = ws.ensurePadded(n * paddedSize);
                ConvImages.padImages(dy, dyOff + img * g.outSize(), n, outC, oh, ow, padY, padX, buf);
                src = ws.im2col.set(buf, 0, outC, ph, pw, kh, kw, 1, 0, false);
            } else {
                src = ws.im2col.set(dy, dyOff + img * g.outSize(), outC, oh, ow, kh, kw, 1, 0, false);
            }
            if (n == 1) {
                gemm.gemmSerial(weights, src, inC, pixels, depth, 1f, 0f, dx, dxOff + img * g.inSize(), pixels, ws);
            } else {
                float[] tmp = ws.ensureTmp(inC * cols);
                gemm.gemmSerial(weights, src, inC, cols, depth, 1f, 0f, tmp, 0, cols, ws);
                for (int c = 0; c < inC; c++) {
                    for (int i = 0; i < n; i++) {
                        System.arraycopy(tmp, c * cols + i * pixels, dx, dxOff + (img + i) * g.inSize() + c * pixels, pixels);
                    }
                }
            }
        }
    }

    /**
     * Any stride: dcol = W^T dY for a block of output pixels and a block of mc kernel taps at a time (that
     * piece of dcol stays in L2), scattered onto dx right away; W^T is packed once per call.
     */
    private void backwardInputByCol2im(int i0, int i1, ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                       float[] dx, int dxOff, Workspace ws) {
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        int dxBase = dxOff + i0 * g.inSize();
        Arrays.fill(dx, dxBase, dxOff + i1 * g.inSize(), 0f);
        MatrixSource.Packed wt = gemm.prepack(ws.a.set(w, wOff, patch, true), patch, outC, ws);
        int block = COL2IM_COLUMNS;
        int perBlock = Math.max(1, block / pixels);
        float[] dcol = ws.ensureTmp(mc * Math.max(block, perBlock * pixels));
        MatrixSource.Batched dys = ws.batched.set(dy, dyOff + i0 * g.outSize(), g.outSize(), pixels);
        // blocks hold whole images, or split one image at fixed multiples of the block: the order in which
        // a pixel of dx receives its terms then does not depend on where this part's images begin
        for (int img = i0; img < i1; ) {
            int j0 = (img - i0) * pixels;
            if (pixels <= block) {
                int n = Math.min(perBlock, i1 - img);
                scatterBlock(g, wt, dys, patch, outC, n * pixels, j0, dcol, dx, dxBase, ws);
                img += n;
            } else {
                for (int c = 0; c < pixels; c += block) {
                    scatterBlock(g, wt, dys, patch, outC, Math.min(block, pixels - c), j0 + c, dcol, dx, dxBase, ws);
                }
                img++;
            }
        }
    }

    /** For columns j0..j0+nb: dcol (taps x nb) = W^T (taps x outC) * dY (outC x nb), mc taps at a time, onto dx. */
    private void scatterBlock(ConvGeometry g, MatrixSource.Packed wt, MatrixSource.Batched dys, int patch, int outC,
                              int nb, int j0, float[] dcol, float[] dx, int dxBase, Workspace ws) {
        for (int q0 = 0; q0 < patch; q0 += mc) {
            int rows = Math.min(mc, patch - q0);
            gemm.gemmSerial(ws.packedRows.view(wt, q0, rows), dys.from(j0), rows, nb, outC, 1f, 0f, dcol, 0, nb, ws);
            col2imBlock(g, dcol, q0, rows, nb, j0, dx, dxBase, ws);
        }
    }

    /**
     * Adds rows [q0, q0+taps) of the col2im matrix, held in dcol (row q at (q - q0) * nb) for columns j0..j0+nb
     * of the images from dxBase on, onto the pixels they were read from.
     */
    private void col2imBlock(ConvGeometry g, float[] dcol, int q0, int taps, int nb, int j0, float[] dx, int dxBase,
                             Workspace ws) {
        int kh = g.kernelHeight();
        int kw = g.kernelWidth();
        int ow = g.outWidth();
        int h = g.inHeight();
        int w = g.inWidth();
        int s = g.stride();
        int pad = g.padding();
        int pixels = g.outPixels();
        int inSize = g.inSize();
        // the block's columns as runs along output rows, the same for every tap
        int[] segCol = ws.ensureSegments(nb + 1);
        int[] segBase = ws.segBase;
        int[] segOy = ws.segOy;
        int[] segOx = ws.segOx;
        int segs = 0;
        for (int c = 0; c < nb; ) {
            int j = j0 + c;
            int img = j / pixels;
            int within = j - img * pixels;
            int oy = within / ow;
            int ox = within - oy * ow;
            int len = Math.min(nb - c, ow - ox);
            segCol[segs] = c;
            segBase[segs] = dxBase + img * inSize;
            segOy[segs] = oy;
            segOx[segs] = ox;
            segs++;
            c += len;
        }
        segCol[segs] = nb;
        int kk = kh * kw;
        for (int q = q0; q < q0 + taps; q++) {
            int ci = q / kk;
            int ky = (q - ci * kk) / kw;
            int kx = q - ci * kk - ky * kw;
            int planeOff = ci * h * w;
            int row = (q - q0) * nb;
            for (int sg = 0; sg < segs; sg++) {
                int iy = segOy[sg] * s - pad + ky;
                if (iy < 0 || iy >= h) {
                    continue;
                }
                int c0 = segCol[sg];
                int len = segCol[sg + 1] - c0;
                int drow = segBase[sg] + planeOff + iy * w;
                int ix0 = segOx[sg] * s - pad + kx;
                if (s == 1) {
                    int lo = Math.max(0, -ix0);
                    int hi = Math.min(len, w - ix0);
                    if (hi > lo) {
                        ops.add(dcol, row + c0 + lo, dx, drow + ix0 + lo, hi - lo);
                    }
                } else {
                    for (int t = 0; t < len; t++) {
                        int ix = ix0 + t * s;
                        if (ix >= 0 && ix < w) {
                            dx[drow + ix] += dcol[row + c0 + t];
                        }
                    }
                }
            }
        }
    }

    /** The pass as a reusable parallel body (one per calling thread, so a call allocates nothing). */
    private final class Task implements Parallel.Body {
        ConvGeometry g;
        float[] dy;
        int dyOff;
        float[] w;
        int wOff;
        float[] dx;
        int dxOff;

        void clear() {
            g = null;
            dy = null;
            w = null;
            dx = null;
        }

        @Override
        public void run(int part, int parts) {
            part(part, parts, g, dy, dyOff, w, wOff, dx, dxOff);
        }
    }
}
