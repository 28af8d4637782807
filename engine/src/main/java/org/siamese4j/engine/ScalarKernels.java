package org.siamese4j.engine;

/** Plain-Java kernels: the fallback when jdk.incubator.vector is absent, and the reference for the SIMD ones. */
public final class ScalarKernels extends AbstractKernels {
    private static final int MR = 4;
    private static final int NR = 16;

    public ScalarKernels(Parallel parallel) {
        super(parallel, MR, NR);
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorLength() {
        return 1;
    }

    @Override
    protected void microKernel(int kc, float[] ap, int aOff, float[] bp, int bOff,
                               float[] c, int cOff, int ldc, boolean overwrite) {
        // accumulate straight into the rows of C (no scratch to allocate); C2 vectorises the j loops
        if (overwrite) {
            for (int r = 0; r < MR; r++) {
                java.util.Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + NR, 0f);
            }
        }
        for (int p = 0; p < kc; p++) {
            int b = bOff + p * NR;
            int a = aOff + p * MR;
            for (int r = 0; r < MR; r++) {
                float av = ap[a + r];
                int row = cOff + r * ldc;
                for (int j = 0; j < NR; j++) {
                    c[row + j] += av * bp[b + j];
                }
            }
        }
    }

    @Override
    protected void packRuns(float[] x, int[] rowBase, int rows, int[] runSrc, int[] runDst, int[] runLen,
                            int runs, float[] dst, int d, int nr, int live, int[] opSrc, int[] opDst) {
        for (int p = 0; p < rows; p++) {
            int rb = rowBase[p];
            int row = d + p * nr;
            for (int r = 0; r < runs; r++) {
                System.arraycopy(x, rb + runSrc[r], dst, row + runDst[r], runLen[r]);
            }
            for (int c = live; c < nr; c++) {
                dst[row + c] = 0f;
            }
        }
    }

    @Override
    protected void elementwiseRange(int op, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        switch (op) {
            case RELU_FORWARD:
                reluForwardRange(a, aOff, c, cOff, n);
                break;
            case RELU_BACKWARD:
                reluBackwardRange(a, aOff, b, bOff, c, cOff, n);
                break;
            case SIGMOID_FORWARD:
                sigmoidForwardRange(a, aOff, c, cOff, n);
                break;
            case SIGMOID_BACKWARD:
                sigmoidBackwardRange(a, aOff, b, bOff, c, cOff, n);
                break;
            default:
                throw new IllegalArgumentException("unknown element-wise op " + op);
        }
    }

    @Override
    protected void momentumStepRange(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        for (int i = 0; i < n; i++) {
            float vi = mu * v[vOff + i] - lr * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    protected double weightDecayBlock(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        float sq = 0f;
        for (int i = 0; i < n; i++) {
            float x = w[wOff + i];
            sq += x * x;
            g[gOff + i] += lambda * x;
        }
        return sq;
    }

    @Override
    protected void biasActivate(float[] y, int off, int n, float bias, boolean relu) {
        for (int i = off; i < off + n; i++) {
            float v = y[i] + bias;
            y[i] = relu ? (v > 0f ? v : 0f) : v;
        }
    }

    @Override
    protected float sum(float[] x, int off, int n) {
        float s = 0f;
        for (int i = off; i < off + n; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    protected void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    @Override
    public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        checkElementwise("relu input", n, x, xOff);
        checkElementwise("relu output", n, y, yOff);
        elementwise(RELU_FORWARD, x, xOff, null, 0, y, yOff, n);
    }

    private void reluForwardRange(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v > 0f ? v : 0f;
        }
    }

    @Override
    public void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        checkElementwise("relu output", n, y, yOff);
        checkElementwise("relu output gradient", n, dy, dyOff);
        checkElementwise("relu input gradient", n, dx, dxOff);
        elementwise(RELU_BACKWARD, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    private void reluBackwardRange(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    @Override
    public void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n) {
        checkElementwise("sigmoid input", n, x, xOff);
        checkElementwise("sigmoid output", n, y, yOff);
        elementwise(SIGMOID_FORWARD, x, xOff, null, 0, y, yOff, n);
    }

    private void sigmoidForwardRange(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
        }
    }

    @Override
    public void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        checkElementwise("sigmoid output", n, y, yOff);
        checkElementwise("sigmoid output gradient", n, dy, dyOff);
        checkElementwise("sigmoid input gradient", n, dx, dxOff);
        elementwise(SIGMOID_BACKWARD, y, yOff, dy, dyOff, dx, dxOff, n);
    }

    private void sigmoidBackwardRange(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        checkElementwise("l1 join left", n, a, aOff);
        checkElementwise("l1 join right", n, b, bOff);
        checkElementwise("l1 join output", n, out, outOff);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.abs(a[aOff + i] - b[bOff + i]);
        }
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        checkElementwise("l1 join left", n, a, aOff);
        checkElementwise("l1 join right", n, b, bOff);
        checkElementwise("l1 join output gradient", n, dOut, dOutOff);
        checkElementwise("l1 join left gradient", n, da, daOff);
        checkElementwise("l1 join right gradient", n, db, dbOff);
        for (int i = 0; i < n; i++) {
            float d = a[aOff + i] - b[bOff + i];
            float g = d > 0f ? dOut[dOutOff + i] : (d < 0f ? -dOut[dOutOff + i] : 0f);
            da[daOff + i] = g;
            db[dbOff + i] = -g;
        }
    }

    @Override
    public void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff) {
        checkMatrix("matrix", y, yOff, (long) rows * cols, rows, cols);
        checkMatrix("row vector", bias, biasOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            int row = yOff + r * cols;
            for (int j = 0; j < cols; j++) {
                y[row + j] += bias[biasOff + j];
            }
        }
    }

    @Override
    public void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff) {
        checkMatrix("matrix", m, mOff, (long) rows * cols, rows, cols);
        checkMatrix("column sums", sums, sumsOff, cols, rows, cols);
        for (int r = 0; r < rows; r++) {
            int row = mOff + r * cols;
            for (int j = 0; j < cols; j++) {
                sums[sumsOff + j] += m[row + j];
            }
        }
    }
}
