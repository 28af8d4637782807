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
        Checks.elementwise("relu input", n, x, xOff);
        Checks.elementwise("relu output", n, y, yOff);
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v > 0f ? v : 0f;
        }
    }

    @Override
    public void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.elementwise("relu output", n, y, yOff);
        Checks.elementwise("relu output gradient", n, dy, dyOff);
        Checks.elementwise("relu input gradient", n, dx, dxOff);
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    @Override
    public void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.elementwise("sigmoid input", n, x, xOff);
        Checks.elementwise("sigmoid output", n, y, yOff);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
        }
    }

    @Override
    public void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        Checks.elementwise("sigmoid output", n, y, yOff);
        Checks.elementwise("sigmoid output gradient", n, dy, dyOff);
        Checks.elementwise("sigmoid input gradient", n, dx, dxOff);
        for (int i = 0; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        Checks.elementwise("l1 join left", n, a, aOff);
        Checks.elementwise("l1 join right", n, b, bOff);
        Checks.elementwise("l1 join output", n, out, outOff);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.abs(a[aOff + i] - b[bOff + i]);
        }
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        Checks.elementwise("l1 join left", n, a, aOff);
        Checks.elementwise("l1 join right", n, b, bOff);
        Checks.elementwise("l1 join output gradient", n, dOut, dOutOff);
        Checks.elementwise("l1 join left gradient", n, da, daOff);
        Checks.elementwise("l1 join right gradient", n, db, dbOff);
        for (int i = 0; i < n; i++) {
            float d = a[aOff + i] - b[bOff + i];
            float g = d > 0f ? dOut[dOutOff + i] : (d < 0f ? -dOut[dOutOff + i] : 0f);
            da[daOff + i] = g;
            db[dbOff + i] = -g;
        }
    }

    @Override
    public void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff) {
        Checks.range("matrix", y, yOff, (long) rows * cols, rows + "x" + cols);
        Checks.range("row vector", bias, biasOff, cols, rows + "x" + cols);
        for (int r = 0; r < rows; r++) {
            int row = yOff + r * cols;
            for (int j = 0; j < cols; j++) {
                y[row + j] += bias[biasOff + j];
            }
        }
    }

    @Override
    public void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff) {
        Checks.range("matrix", m, mOff, (long) rows * cols, rows + "x" + cols);
        Checks.range("column sums", sums, sumsOff, cols, rows + "x" + cols);
        for (int r = 0; r < rows; r++) {
            int row = mOff + r * cols;
            for (int j = 0; j < cols; j++) {
                sums[sumsOff + j] += m[row + j];
            }
        }
    }
}
