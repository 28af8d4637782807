package org.siamese4j.engine;

/**
 * The element-wise kernels (ReLU, sigmoid, the L1 join) and the row-vector passes: checked here, computed by
 * the backend's loops; ReLU and sigmoid split over the threads in whole 64-element chunks when they are large
 * (each element is computed the same way whoever computes it).
 */
final class ElementwisePasses {
    /** Element-wise kernels are split across threads from this many elements on. */
    static final int PARALLEL_ELEMENTS = 1 << 15;

    private final Parallel parallel;
    private final VectorOps ops;
    private final ThreadLocal<ElementwiseTask> tasks = ThreadLocal.withInitial(ElementwiseTask::new);

    ElementwisePasses(Parallel parallel, VectorOps ops) {
        this.parallel = parallel;
        this.ops = ops;
    }

    void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.quickElementwise("relu input", n, x, xOff);
        Checks.quickElementwise("relu output", n, y, yOff);
        elementwise(VectorOps.RELU_FORWARD, x, xOff, null, 0, y, yOff, n);
    }

    void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.quickElementwise("relu output", n, y, yOff);
        Checks.quickElementwise("relu output gradient", n, dy, dyOff);
        Checks.quickElementwise("relu input gradient", n, dx, dxOff);
        elementwise(VectorOps.RELU_BACKWARD, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.quickElementwise("sigmoid input", n, x, xOff);
        Checks.quickElementwise("sigmoid output", n, y, yOff);
        elementwise(VectorOps.SIGMOID_FORWARD, x, xOff, null, 0, y, yOff, n);
    }

    void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.quickElementwise("sigmoid output", n, y, yOff);
        Checks.quickElementwise("sigmoid output gradient", n, dy, dyOff);
        Checks.quickElementwise("sigmoid input gradient", n, dx, dxOff);
        elementwise(VectorOps.SIGMOID_BACKWARD, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    /** Runs an element-wise op, split over the threads when it is large (each element is computed the same way). */
    private void elementwise(int op, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        if (parallel.threads() == 1 || n < PARALLEL_ELEMENTS) {
            ops.elementwiseRange(op, a, aOff, b, bOff, c, cOff, n);
            return;
        }
        ElementwiseTask t = tasks.get();
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

    void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        Checks.quickElementwise("l1 join left", n, a, aOff);
        Checks.quickElementwise("l1 join right", n, b, bOff);
        Checks.quickElementwise("l1 join output", n, out, outOff);
        ops.l1JoinForward(a, aOff, b, bOff, out, outOff, n);
    }

    void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                        float[] da, int daOff, float[] db, int dbOff, int n) {
        Checks.quickElementwise("l1 join left", n, a, aOff);
        Checks.quickElementwise("l1 join right", n, b, bOff);
        Checks.quickElementwise("l1 join output gradient", n, dOut, dOutOff);
        Checks.quickElementwise("l1 join left gradient", n, da, daOff);
        Checks.quickElementwise("l1 join right gradient", n, db, dbOff);
        ops.l1JoinBackward(a, aOff, b, bOff, dOut, dOutOff, da, daOff, db, dbOff, n);
    }

    void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff) {
        Checks.quickMatrix("matrix", y, yOff, (long) rows * cols, rows, cols);
        Checks.quickMatrix("row vector", bias, biasOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            ops.add(bias, biasOff, y, yOff + r * cols, cols);
        }
    }

    void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff) {
        Checks.quickMatrix("matrix", m, mOff, (long) rows * cols, rows, cols);
        Checks.quickMatrix("column sums", sums, sumsOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            ops.add(m, mOff + r * cols, sums, sumsOff, cols);
        }
    }

    /** One part of a large element-wise op; reused by its calling thread, so a call allocates nothing. */
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
}
