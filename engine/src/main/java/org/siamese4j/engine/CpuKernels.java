package org.siamese4j.engine;

import java.util.Arrays;

/**
 * The kernels of both backends: a packed, cache-blocked GEMM driver (in the style of BLIS/GotoBLAS) around a
 * backend-specific register-blocked micro-kernel, and convolutions as implicit GEMMs whose im2col
 * operand is packed straight from the image and never stored whole. The backend comes in as its
 * {@link VectorOps}.
 */
final class CpuKernels implements Kernels {
    /** Columns for which at least this many per conv GEMM call are batched from several images. */
    private static final int MIN_CONV_COLUMNS = 512;
    /** Zero-padded image copies for the weight gradient are made this many floats at a time at most. */
    private static final int PAD_CHUNK_FLOATS = 1 << 20;
    /** Output pixels per block of the col2im matrix (mc taps x this many columns stay in L2). */
    private static final int COL2IM_COLUMNS = 512;
    /** Images packed per chunk by the shift-GEMM weight gradient: about this many floats (L2-sized). */
    private static final int SHIFT_CHUNK_FLOATS = 1 << 17;

    private final VectorOps ops;
    private final Parallel parallel;
    /** Micro-tile: mr rows by nr columns of C stay in registers. */
    private final int mr;
    private final int nr;
    private final int mc;
    private final ThreadLocal<Workspace> workspaces;
    private final PackedGemm gemm;
    private final ThreadLocal<ConvTask> convTasks = ThreadLocal.withInitial(ConvTask::new);
    private final ThreadLocal<PoolTask> poolTasks = ThreadLocal.withInitial(PoolTask::new);
    private final ThreadLocal<ElementwiseTask> elementwiseTasks = ThreadLocal.withInitial(ElementwiseTask::new);
    private final ThreadLocal<ParameterTask> parameterTasks = ThreadLocal.withInitial(ParameterTask::new);
    /** Per-part weight-gradient partial sums; backward passes on one instance are serialised by this lock. */
    private final Object partialLock = new Object();
    private float[][] partialWeights = new float[0][];
    private float[][] partialBias = new float[0][];

    CpuKernels(Parallel parallel, VectorOps ops) {
        this.ops = ops;
        this.parallel = parallel;
        this.mr = ops.mr();
        this.nr = ops.nr();
        this.workspaces = ThreadLocal.withInitial(() -> new Workspace(ops));
        this.gemm = new PackedGemm(parallel, ops, workspaces);
        this.mc = gemm.mc;
    }

    @Override
    public String name() {
        return ops.name();
    }

    @Override
    public int vectorLength() {
        return ops.vectorLength();
    }

    @Override
    public int threads() {
        return parallel.threads();
    }

    /** Element-wise kernels are split across threads from this many elements on. */
    private static final int PARALLEL_ELEMENTS = 1 << 15;

    @Override
    public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.quickElementwise("relu input", n, x, xOff);
        Checks.quickElementwise("relu output", n, y, yOff);
        elementwise(VectorOps.RELU_FORWARD, x, xOff, null, 0, y, yOff, n);
    }

    @Override
    public void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.quickElementwise("relu output", n, y, yOff);
        Checks.quickElementwise("relu output gradient", n, dy, dyOff);
        Checks.quickElementwise("relu input gradient", n, dx, dxOff);
        elementwise(VectorOps.RELU_BACKWARD, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    @Override
    public void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.quickElementwise("sigmoid input", n, x, xOff);
        Checks.quickElementwise("sigmoid output", n, y, yOff);
        elementwise(VectorOps.SIGMOID_FORWARD, x, xOff, null, 0, y, yOff, n);
    }

    @Override
    public void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.quickElementwise("sigmoid output", n, y, yOff);
        Checks.quickElementwise("sigmoid output gradient", n, dy, dyOff);
        Checks.quickElementwise("sigmoid input gradient", n, dx, dxOff);
        elementwise(VectorOps.SIGMOID_BACKWARD, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        Checks.quickElementwise("l1 join left", n, a, aOff);
        Checks.quickElementwise("l1 join right", n, b, bOff);
        Checks.quickElementwise("l1 join output", n, out, outOff);
        ops.l1JoinForward(a, aOff, b, bOff, out, outOff, n);
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        Checks.quickElementwise("l1 join left", n, a, aOff);
        Checks.quickElementwise("l1 join right", n, b, bOff);
        Checks.quickElementwise("l1 join output gradient", n, dOut, dOutOff);
        Checks.quickElementwise("l1 join left gradient", n, da, daOff);
        Checks.quickElementwise("l1 join right gradient", n, db, dbOff);
        ops.l1JoinBackward(a, aOff, b, bOff, dOut, dOutOff, da, daOff, db, dbOff, n);
    }

    @Override
    public void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff) {
        Checks.quickMatrix("matrix", y, yOff, (long) rows * cols, rows, cols);
        Checks.quickMatrix("row vector", bias, biasOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            ops.add(bias, biasOff, y, yOff + r * cols, cols);
        }
    }

    @Override
    public void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff) {
        Checks.quickMatrix("matrix", m, mOff, (long) rows * cols, rows, cols);
        Checks.quickMatrix("column sums", sums, sumsOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            ops.add(m, mOff + r * cols, sums, sumsOff, cols);
        }
    }

    /** Runs an element-wise op, split over the threads when it is large (each element is computed the same way). */
    private void elementwise(int op, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        if (parallel.threads() == 1 || n < PARALLEL_ELEMENTS) {
            ops.elementwiseRange(op, a, aOff, b, bOff, c, cOff, n);
            return;
        }
        ElementwiseTask t = elementwiseTasks.get();
        t.op = op;
        t.a = a;
        t.aOff = aOff;
        t.b = b;
        t.bOff = bOff;
        t.c = c;
        t.cOff = cOff;
        t.n = n;
        try {
            parallel.run(t);
        } finally {
            t.a = null;
            t.b = null;
            t.c = null;
        }
    }

    private final class ElementwiseTask implements Parallel.Body {
        int op;
        float[] a;
        int aOff;
        float[] b;
        int bOff;
        float[] c;
        int cOff;
        int n;

        @Override
        public void run(int part, int parts) {
            // parts of whole 64-element chunks
            int chunks = (n + 63) / 64;
            int from = Parallel.rangeStart(chunks, part, parts) * 64;
            int to = Math.min(n, Parallel.rangeStart(chunks, part + 1, parts) * 64);
            if (from < to) {
                ops.elementwiseRange(op, a, aOff + from, b, b == null ? 0 : bOff + from, c, cOff + from, to - from);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Optimizer passes over all parameters: memory-bound, so split over the threads in fixed blocks

    /** Parameter blocks: sums of squares are taken per block, so they do not depend on the thread count. */
    static final int PARAM_BLOCK = 1024;
    private static final int MOMENTUM_STEP = 0;
    private static final int WEIGHT_DECAY = 1;

    @Override
    public void momentumStep(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        Checks.quickElementwise("momentumStep w", n, w, wOff);
        Checks.quickElementwise("momentumStep v", n, v, vOff);
        Checks.quickElementwise("momentumStep g", n, g, gOff);
        parameterPass(MOMENTUM_STEP, w, wOff, v, vOff, g, gOff, n, mu, lr);
    }

    @Override
    public double addWeightDecay(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        Checks.quickElementwise("addWeightDecay w", n, w, wOff);
        Checks.quickElementwise("addWeightDecay g", n, g, gOff);
        return parameterPass(WEIGHT_DECAY, w, wOff, null, 0, g, gOff, n, lambda, 0f);
    }

    private double parameterPass(int op, float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float x, float y) {
        ParameterTask t = parameterTasks.get();
        t.op = op;
        t.w = w;
        t.wOff = wOff;
        t.v = v;
        t.vOff = vOff;
        t.g = g;
        t.gOff = gOff;
        t.n = n;
        t.x = x;
        t.y = y;
        try {
            if (parallel.threads() == 1 || n < PARALLEL_ELEMENTS) {
                for (int p = 0; p < parallel.threads(); p++) {
                    t.run(p, parallel.threads());
                }
            } else {
                parallel.run(t);
            }
            double sum = 0;
            for (int p = 0; p < parallel.threads(); p++) {
                sum += t.partSums[p];
            }
            return sum;
        } finally {
            t.w = null;
            t.v = null;
            t.g = null;
        }
    }

    private final class ParameterTask implements Parallel.Body {
        final double[] partSums = new double[parallel.threads()];
        int op;
        float[] w;
        int wOff;
        float[] v;
        int vOff;
        float[] g;
        int gOff;
        int n;
        float x;
        float y;

        @Override
        public void run(int part, int parts) {
            int blocks = (n + PARAM_BLOCK - 1) / PARAM_BLOCK;
            int from = Parallel.rangeStart(blocks, part, parts) * PARAM_BLOCK;
            int to = Math.min(n, Parallel.rangeStart(blocks, part + 1, parts) * PARAM_BLOCK);
            double sum = 0;
            if (op == MOMENTUM_STEP) {
                if (from < to) {
                    ops.momentumStepRange(w, wOff + from, v, vOff + from, g, gOff + from, to - from, x, y);
                }
            } else {
                // block by block in a fixed order: the same sum on any number of threads up to rounding
                // of the per-part totals
                for (int b = from; b < to; b += PARAM_BLOCK) {
                    sum += ops.weightDecayBlock(w, wOff + b, g, gOff + b, Math.min(PARAM_BLOCK, to - b), x);
                }
            }
            partSums[part] = sum;
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    // ---------------------------------------------------------------------------------------------
    // Convolution

    /** How many images to put side by side in one GEMM so that it has enough columns. */
    private static int imagesPerGemm(int pixels, int available) {
        int want = (MIN_CONV_COLUMNS + pixels - 1) / pixels;
        return Math.max(1, Math.min(want, available));
    }

    /**
     * Copies n images of channels x h x w from src into dst with padY zero rows above and below and padX
     * zero columns left and right of every plane.
     */
    private static void padImages(float[] src, int sOff, int n, int channels, int h, int w, int padY, int padX, float[] dst) {
        int pw = w + 2 * padX;
        int ph = h + 2 * padY;
        int d = 0;
        int s = sOff;
        for (int plane = 0; plane < n * channels; plane++) {
            Arrays.fill(dst, d, d + padY * pw + padX, 0f);
            d += padY * pw + padX;
            for (int y = 0; y < h; y++) {
                System.arraycopy(src, s, dst, d, w);
                s += w;
                d += w;
                if (y < h - 1) {
                    Arrays.fill(dst, d, d + 2 * padX, 0f);
                    d += 2 * padX;
                }
            }
            Arrays.fill(dst, d, d + padX + padY * pw, 0f);
            d += padX + padY * pw;
        }
        assert d == n * channels * ph * pw;
    }

    /** The three convolution passes as one reusable parallel body. */
    private final class ConvTask implements Parallel.Body {
        static final int FORWARD = 0;
        static final int BACKWARD_INPUT = 1;
        static final int BACKWARD_PARAMS = 2;
        int pass;
        ConvGeometry g;
        float[] x;
        int xOff;
        float[] w;
        int wOff;
        float[] bias;
        int biasOff;
        float[] y;
        int yOff;
        boolean relu;

        void clear() {
            g = null;
            x = null;
            w = null;
            bias = null;
            y = null;
        }

        @Override
        public void run(int part, int parts) {
            switch (pass) {
                case FORWARD:
                    forwardPart(part, parts, g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu);
                    break;
                case BACKWARD_INPUT:
                    // x = dy, y = dx
                    backwardInputPart(part, parts, g, x, xOff, w, wOff, y, yOff);
                    break;
                default:
                    // x = input, y = dy, w = dw, bias = dbias
                    backwardParamsPart(part, parts, g, x, xOff, y, yOff, w, wOff, bias, biasOff);
                    break;
            }
        }
    }

    @Override
    public void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                                    float[] y, int yOff, boolean relu) {
        Checks.range("conv input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("conv weights", w, wOff, g.weightSize(), g);
        if (bias != null) {
            Checks.range("conv bias", bias, biasOff, g.outChannels(), g);
        }
        Checks.range("conv output", y, yOff, (long) g.batch() * g.outSize(), g);
        ConvTask t = convTasks.get();
        t.pass = ConvTask.FORWARD;
        t.g = g;
        t.x = x;
        t.xOff = xOff;
        t.w = w;
        t.wOff = wOff;
        t.bias = bias;
        t.biasOff = biasOff;
        t.y = y;
        t.yOff = yOff;
        t.relu = relu;
        try {
            parallel.run(t);
        } finally {
            t.clear();
        }
    }

    private void forwardPart(int part, int parts, ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
                             float[] bias, int biasOff, float[] y, int yOff, boolean relu) {
        int i0 = Parallel.rangeStart(g.batch(), part, parts);
        int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
        if (i0 >= i1) {
            return;
        }
        Workspace ws = workspaces.get();
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        int pad = g.padding();
        boolean prepad = pad > 0 && g.stride() == 1;
        int ph = g.inHeight() + 2 * pad;
        int pw = g.inWidth() + 2 * pad;
        int paddedSize = g.inChannels() * ph * pw;
        // the weights are the A operand of every image's GEMM: pack them once
        MatrixSource.Packed weights = gemm.prepack(ws.a.set(w, wOff, patch, false), outC, patch, ws);
        int group = imagesPerGemm(pixels, i1 - i0);
        for (int img = i0; img < i1; img += group) {
            int n = Math.min(group, i1 - img);
            int cols = n * pixels;
            MatrixSource.Im2col cols2;
            if (prepad) {
                float[] buf = ws.ensurePadded(n * paddedSize);
                padImages(x, xOff + img * g.inSize(), n, g.inChannels(), g.inHeight(), g.inWidth(), pad, pad, buf);
                cols2 = ws.im2col.set(buf, 0, g.inChannels(), ph, pw, g.kernelHeight(), g.kernelWidth(), 1, 0, false);
            } else {
                cols2 = ws.im2col.set(x, xOff + img * g.inSize(), g, false);
            }
            if (n == 1) {
                int out = yOff + img * g.outSize();
                gemm.gemmSerial(weights, cols2, outC, pixels, patch, 1f, 0f, y, out, pixels, ws);
                for (int c = 0; c < outC; c++) {
                    ops.biasActivate(y, out + c * pixels, pixels, bias == null ? 0f : bias[biasOff + c], relu);
                }
            } else {
                float[] tmp = ws.ensureTmp(outC * cols);
                gemm.gemmSerial(weights, cols2, outC, cols, patch, 1f, 0f, tmp, 0, cols, ws);
                for (int c = 0; c < outC; c++) {
                    for (int i = 0; i < n; i++) {
                        int out = yOff + (img + i) * g.outSize() + c * pixels;
                        System.arraycopy(tmp, c * cols + i * pixels, y, out, pixels);
                        ops.biasActivate(y, out, pixels, bias == null ? 0f : bias[biasOff + c], relu);
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        Checks.range("conv output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("conv weights", w, wOff, g.weightSize(), g);
        Checks.range("conv input gradient", dx, dxOff, (long) g.batch() * g.inSize(), g);
        ConvTask t = convTasks.get();
        t.pass = ConvTask.BACKWARD_INPUT;
        t.g = g;
        t.x = dy;
        t.xOff = dyOff;
        t.w = w;
        t.wOff = wOff;
        t.y = dx;
        t.yOff = dxOff;
        try {
            parallel.run(t);
        } finally {
            t.clear();
        }
    }

    private void backwardInputPart(int part, int parts, ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                   float[] dx, int dxOff) {
        int i0 = Parallel.rangeStart(g.batch(), part, parts);
        int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
        if (i0 >= i1) {
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
        int group = imagesPerGemm(pixels, i1 - i0);
        for (int img = i0; img < i1; img += group) {
            int n = Math.min(group, i1 - img);
            int cols = n * pixels;
            MatrixSource.Im2col src;
            if (padded) {
                float[] buf = ws.ensurePadded(n * paddedSize);
                padImages(dy, dyOff + img * g.outSize(), n, outC, oh, ow, padY, padX, buf);
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

    @Override
    public void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                           float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        Checks.range("conv input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("conv output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("conv weight gradient", dw, dwOff, g.weightSize(), g);
        if (dbias != null) {
            Checks.range("conv bias gradient", dbias, dbiasOff, g.outChannels(), g);
        }
        int outC = g.outChannels();
        synchronized (partialLock) {
            int parts = parallel.threads();
            ensurePartials(parts, g.weightSize(), outC);
            ConvTask t = convTasks.get();
            t.pass = ConvTask.BACKWARD_PARAMS;
            t.g = g;
            t.x = x;
            t.xOff = xOff;
            t.y = dy;
            t.yOff = dyOff;
            t.w = dw;
            t.wOff = dwOff;
            t.bias = dbias;
            t.biasOff = dbiasOff;
            try {
                parallel.run(t);
            } finally {
                t.clear();
            }
            for (int p = 1; p < parts; p++) {
                ops.add(partialWeights[p], 0, dw, dwOff, g.weightSize());
                if (dbias != null) {
                    ops.add(partialBias[p], 0, dbias, dbiasOff, outC);
                }
            }
        }
    }

    private void backwardParamsPart(int part, int count, ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                    float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
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
        int pad = g.padding();
        if (shiftGemmFits(g)) {
            backwardParamsByShifts(i0, i1, g, x, xOff, dy, dyOff, wTarget, wAt, ws);
        } else if (pad > 0 && g.stride() == 1) {
            // zero-padded copies, a chunk of images at a time, so that the im2col runs are contiguous
            int ph = g.inHeight() + 2 * pad;
            int pw = g.inWidth() + 2 * pad;
            int paddedSize = g.inChannels() * ph * pw;
            int chunk = Math.max(1, Math.min(i1 - i0, PAD_CHUNK_FLOATS / paddedSize));
            for (int img = i0; img < i1; img += chunk) {
                int n = Math.min(chunk, i1 - img);
                float[] buf = ws.ensurePadded(n * paddedSize);
                padImages(x, xOff + img * g.inSize(), n, g.inChannels(), g.inHeight(), g.inWidth(), pad, pad, buf);
                MatrixSource.Batched dys = ws.batched.set(dy, dyOff + img * g.outSize(), g.outSize(), pixels);
                MatrixSource.Im2col colsT = ws.im2col.set(buf, 0, g.inChannels(), ph, pw, g.kernelHeight(), g.kernelWidth(),
                        1, 0, true);
                gemm.gemmSerial(dys, colsT, outC, patch, n * pixels, 1f, 1f, wTarget, wAt, patch, ws);
            }
        } else {
            // dW (outC x patch) += dY (outC x (images*pixels)) * im2col^T ((images*pixels) x patch)
            MatrixSource.Batched dys = ws.batched.set(dy, dyOff + i0 * g.outSize(), g.outSize(), pixels);
            MatrixSource.Im2col colsT = ws.im2col.set(x, xOff + i0 * g.inSize(), g, true);
            gemm.gemmSerial(dys, colsT, outC, patch, (i1 - i0) * pixels, 1f, 1f, wTarget, wAt, patch, ws);
        }
        for (int img = i0; img < i1 && bTarget != null; img++) {
            int base = dyOff + img * g.outSize();
            for (int c = 0; c < outC; c++) {
                bTarget[bAt + c] += ops.sum(dy, base + c * pixels, pixels);
            }
        }
    }

    /**
     * Stride 1, channels enough for the rows of a micro-tile, few junk columns on the padded-width grid, and
     * either padding (which the im2col path must copy and packs in short runs) or images large enough for
     * long micro-kernel calls (measured: the im2col path wins on small unpadded images, e.g. 9x9).
     */
    private boolean shiftGemmFits(ConvGeometry g) {
        if (g.stride() != 1 || g.inChannels() < 8) {
            return false;
        }
        int pw = g.inWidth() + 2 * g.padding();
        long grid = (long) (g.outHeight() - 1) * pw + g.outWidth();
        return 2 * grid <= 3L * g.outPixels() && (g.padding() > 0 || grid >= 128);
    }

    /**
     * The weight gradient as one small GEMM per kernel tap, with nothing packed per tap. On the padded
     * input's grid (row width pw), output pixel (oy, ox) sits at p = oy * pw + ox and tap (ky, kx) reads
     * the input at p + ky * pw + kx: a fixed shift. So with x stored channel-interleaved (mr channels per
     * panel, one pixel after another) and dy likewise (nr channels per panel, zero at the junk columns
     * ox >= ow), dW[., ., ky, kx]^T (inC x outC) = sum over p of X[., p + shift] dY[., p]^T, and the
     * micro-kernel reads both operands straight from those two buffers, shifting only A's offset. Each
     * image is packed once (its own size) instead of expanding im2col kh * kw times.
     */
    private void backwardParamsByShifts(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                        float[] wTarget, int wAt, Workspace ws) {
        int inC = g.inChannels();
        int outC = g.outChannels();
        int kh = g.kernelHeight();
        int kw = g.kernelWidth();
        int pad = g.padding();
        int h = g.inHeight();
        int w = g.inWidth();
        int ph = h + 2 * pad;
        int pw = w + 2 * pad;
        int plane = ph * pw;
        int oh = g.outHeight();
        int ow = g.outWidth();
        int outPixels = oh * ow;
        int grid = (oh - 1) * pw + ow;
        int cBlocks = (inC + mr - 1) / mr;
        int oBlocks = (outC + nr - 1) / nr;
        int inCp = cBlocks * mr;
        int outCp = oBlocks * nr;
        int shifts = kh * kw;
        float[] acc = ws.ensureShiftAcc(shifts * inCp * outCp);
        Arrays.fill(acc, 0, shifts * inCp * outCp, 0f);
        // a chunk of images is packed at a time, small enough to stay in L2; each accumulator tile then
        // stays in L1 while the images of the chunk go by
        int xSize = cBlocks * plane * mr;
        int dySize = oBlocks * grid * nr;
        int chunk = Math.max(1, Math.min(i1 - i0, SHIFT_CHUNK_FLOATS / (xSize + dySize)));
        float[] px = ws.ensureShiftX(chunk * xSize);
        float[] pd = ws.ensureShiftDy(chunk * dySize);
        for (int first = i0; first < i1; first += chunk) {
            int n = Math.min(chunk, i1 - first);
            for (int i = 0; i < n; i++) {
                int img = first + i;
                // x: zero-padded planes, interleaved mr channels at a time
                float[] src = x;
                int sOff = xOff + img * g.inSize();
                if (pad > 0) {
                    src = ws.ensurePadded(inC * plane);
                    padImages(x, sOff, 1, inC, h, w, pad, pad, src);
                    sOff = 0;
                }
                for (int cb = 0; cb < cBlocks; cb++) {
                    int base = i * xSize + cb * plane * mr;
                    int live = Math.min(mr, inC - cb * mr);
                    if (live == 8 && mr == 8) {
                        MatrixSource.interleave8(src, sOff + cb * mr * plane, plane, plane, px, base);
                    } else {
                        for (int p = 0; p < plane; p++) {
                            for (int r = 0; r < mr; r++) {
                                px[base + p * mr + r] = r < live ? src[sOff + (cb * mr + r) * plane + p] : 0f;
                            }
                        }
                    }
                }
                // dy: nr channels at a time on the padded-width grid, zero at the junk columns
                int dOff = dyOff + img * g.outSize();
                for (int ob = 0; ob < oBlocks; ob++) {
                    int base = i * dySize + ob * grid * nr;
                    int live = Math.min(nr, outC - ob * nr);
                    for (int oy = 0; oy < oh; oy++) {
                        int row = base + oy * pw * nr;
                        for (int c = 0; c < live; c++) {
                            int src2 = dOff + (ob * nr + c) * outPixels + oy * ow;
                            for (int ox = 0; ox < ow; ox++) {
                                pd[row + ox * nr + c] = dy[src2 + ox];
                            }
                        }
                        for (int ox = 0; ox < ow; ox++) {
                            for (int c = live; c < nr; c++) {
                                pd[row + ox * nr + c] = 0f;
                            }
                        }
                        if (oy < oh - 1) {
                            Arrays.fill(pd, row + ow * nr, row + pw * nr, 0f);
                        }
                    }
                }
            }
            for (int ob = 0; ob < oBlocks; ob++) {
                for (int cb = 0; cb < cBlocks; cb++) {
                    shiftTiles(px, (cb * plane) * mr, xSize, pd, ob * grid * nr, dySize, n, grid, kh, kw, pw,
                            acc, (cb * mr) * outCp + ob * nr, inCp * outCp, outCp);
                }
            }
        }
        // dW[co][ci][ky][kx] += acc[ky*kw+kx][ci][co]
        for (int co = 0; co < outC; co++) {
            for (int ci = 0; ci < inC; ci++) {
                int d = wAt + (co * inC + ci) * shifts;
                for (int sh = 0; sh < shifts; sh++) {
                    wTarget[d + sh] += acc[(sh * inCp + ci) * outCp + co];
                }
            }
        }
    }

    /**
     * The kh * kw tap tiles of one (channel block, output-channel block) pair, over n images. A method of
     * its own, called often, so that the JIT compiles it whole: compiled on-stack-replacement inside the
     * long image loop, the inlined micro-kernel was seen to box its vectors on JDK 17.
     */
    private void shiftTiles(float[] px, int aBase, int xSize, float[] pd, int bBase, int dySize, int n, int grid,
                            int kh, int kw, int pw, float[] acc, int tileBase, int tileStride, int ldc) {
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int tile = tileBase + (ky * kw + kx) * tileStride;
                int aAt = aBase + (ky * pw + kx) * mr;
                for (int i = 0; i < n; i++) {
                    ops.microKernel(grid, px, i * xSize + aAt, pd, i * dySize + bBase, acc, tile, ldc, false);
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
    // Max-pool: memory-bound and shuffle-heavy, so both backends share these plain loops.

    /** Both max-pool passes as one reusable parallel body. */
    private final class PoolTask implements Parallel.Body {
        boolean forward;
        PoolGeometry g;
        float[] x;
        int xOff;
        float[] y;
        int yOff;
        int[] argmax;

        @Override
        public void run(int part, int parts) {
            if (forward) {
                poolForwardPart(ops, part, parts, g, x, xOff, y, yOff, argmax);
            } else {
                // x = dy, y = dx
                poolBackwardPart(part, parts, g, x, xOff, argmax, y, yOff);
            }
        }
    }

    private void runPool(boolean forward, PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        PoolTask t = poolTasks.get();
        t.forward = forward;
        t.g = g;
        t.x = x;
        t.xOff = xOff;
        t.y = y;
        t.yOff = yOff;
        t.argmax = argmax;
        try {
            parallel.run(t);
        } finally {
            t.g = null;
            t.x = null;
            t.y = null;
            t.argmax = null;
        }
    }

    @Override
    public void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        Checks.range("pool input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("pool output", y, yOff, (long) g.batch() * g.outSize(), g);
        if (argmax.length < (long) g.batch() * g.outSize()) {
            throw new IllegalArgumentException("argmax of length " + argmax.length + " is too short for " + g);
        }
        runPool(true, g, x, xOff, y, yOff, argmax);
    }

    private static void poolForwardPart(VectorOps ops, int part, int parts, PoolGeometry g, float[] x, int xOff,
                                        float[] y, int yOff, int[] argmax) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int h = g.inHeight();
        int w = g.inWidth();
        int k = g.window();
        int s = g.stride();
        int planes = g.batch() * g.channels();
        int p0 = Parallel.rangeStart(planes, part, parts);
        int p1 = Parallel.rangeStart(planes, part + 1, parts);
        for (int plane = p0; plane < p1; plane++) {
            int img = plane / g.channels();
            int inPlane = xOff + plane * h * w;
            int within = (plane - img * g.channels()) * h * w;
            int outPlane = plane * oh * ow;
            if (k == 2) {
                // the common 2x2 window, with the same result as the general loop
                for (int oy = 0; oy < oh; oy++) {
                    int r0 = oy * s * w;
                    int r1 = r0 + w;
                    int o = outPlane + oy * ow;
                    int done = s == 2 ? ops.maxPool2x2Row(x, inPlane + r0, w, ow, y, yOff + o, argmax, o, within + r0) : 0;
                    for (int ox = done; ox < ow; ox++) {
                        int i = r0 + ox * s;
                        int j = r1 + ox * s;
                        float a = x[inPlane + i];
                        float b = x[inPlane + i + 1];
                        float c = x[inPlane + j];
                        float d = x[inPlane + j + 1];
                        // branch-free: the maximum (NaN if any is NaN), then the first element equal to it
                        // (or the first NaN); that is the element the sequential scan keeps, -0/+0 included
                        float m = Math.max(Math.max(a, b), Math.max(c, d));
                        int best = (d == m) | (d != d) ? j + 1 : i;
                        best = (c == m) | (c != c) ? j : best;
                        best = (b == m) | (b != b) ? i + 1 : best;
                        best = (a == m) | (a != a) ? i : best;
                        y[yOff + o + ox] = x[inPlane + best];
                        argmax[o + ox] = within + best;
                    }
                }
                continue;
            }
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = (oy * s) * w + ox * s;
                    float bestValue = x[inPlane + best];
                    for (int dy = 0; dy < k; dy++) {
                        int row = (oy * s + dy) * w + ox * s;
                        for (int dx = 0; dx < k; dx++) {
                            float v = x[inPlane + row + dx];
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
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        Checks.range("pool output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("pool input gradient", dx, dxOff, (long) g.batch() * g.inSize(), g);
        runPool(false, g, dy, dyOff, dx, dxOff, argmax);
    }

    private static void poolBackwardPart(int part, int parts, PoolGeometry g, float[] dy, int dyOff, int[] argmax,
                                         float[] dx, int dxOff) {
        int outSize = g.outSize();
        int inSize = g.inSize();
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
    }
}
