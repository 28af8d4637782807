package org.siamese4j.engine;

import java.util.Arrays;

/**
 * The kernels of both backends: a packed, cache-blocked GEMM driver (in the style of BLIS/GotoBLAS) around a
 * backend-specific register-blocked micro-kernel, and convolutions as implicit GEMMs whose im2col
 * operand is packed straight from the image and never stored whole. The backend comes in as its
 * {@link VectorOps}.
 */
final class CpuKernels implements Kernels {
    private final VectorOps ops;
    private final Parallel parallel;
    private final ThreadLocal<Workspace> workspaces;
    private final PackedGemm gemm;
    private final ConvForward convForward;
    private final ConvBackwardInput convBackwardInput;
    private final ConvBackwardParams convBackwardParams;
    private final ThreadLocal<PoolTask> poolTasks = ThreadLocal.withInitial(PoolTask::new);
    private final ThreadLocal<ElementwiseTask> elementwiseTasks = ThreadLocal.withInitial(ElementwiseTask::new);
    private final ThreadLocal<ParameterTask> parameterTasks = ThreadLocal.withInitial(ParameterTask::new);

    CpuKernels(Parallel parallel, VectorOps ops) {
        this.ops = ops;
        this.parallel = parallel;
        this.workspaces = ThreadLocal.withInitial(() -> new Workspace(ops));
        this.gemm = new PackedGemm(parallel, ops, workspaces);
        this.convForward = new ConvForward(parallel, ops, gemm, workspaces);
        this.convBackwardInput = new ConvBackwardInput(parallel, ops, gemm, workspaces);
        this.convBackwardParams = new ConvBackwardParams(parallel, ops, gemm, workspaces);
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

    @Override
    public void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                              float[] y, int yOff, boolean relu) {
        convForward.conv2dForward(g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu);
    }

    @Override
    public void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        convBackwardInput.conv2dBackwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
    }

    @Override
    public void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                     float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        convBackwardParams.conv2dBackwardParams(g, x, xOff, dy, dyOff, dw, dwOff, dbias, dbiasOff);
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
