package org.siamese4j.engine;

/** The backend hooks in plain Java: the fallback when jdk.incubator.vector is absent, and the reference for the SIMD ones. */
final class ScalarOps implements VectorOps {
    private static final int MR = 4;
    private static final int NR = 16;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorLength() {
        return 1;
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void microKernel(int kc, float[] ap, int aOff, float[] bp, int bOff,
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
    public void packRuns(float[] x, int[] rowBase, int rows, int[] runSrc, int[] runDst, int[] runLen,
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
    public void elementwiseRange(int op, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
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
    public void momentumStepRange(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        for (int i = 0; i < n; i++) {
            float vi = mu * v[vOff + i] - lr * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    public double weightDecayBlock(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        float sq = 0f;
        for (int i = 0; i < n; i++) {
            float x = w[wOff + i];
            sq += x * x;
            g[gOff + i] += lambda * x;
        }
        return sq;
    }

    @Override
    public void biasActivate(float[] y, int off, int n, float bias, boolean relu) {
        for (int i = off; i < off + n; i++) {
            float v = y[i] + bias;
            y[i] = relu ? (v > 0f ? v : 0f) : v;
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        float s = 0f;
        for (int i = off; i < off + n; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    private void reluForwardRange(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v > 0f ? v : 0f;
        }
    }

    private void reluBackwardRange(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    /** 1 / (1 + e^-x) with Math.exp, which gives the same bits interpreted and compiled; SimdOps uses it too. */
    static void sigmoidForwardRange(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (1.0 / (1.0 + Math.exp(-x[xOff + i])));
        }
    }

    private void sigmoidBackwardRange(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Math.abs(a[aOff + i] - b[bOff + i]);
        }
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        for (int i = 0; i < n; i++) {
            float d = a[aOff + i] - b[bOff + i];
            float g = d > 0f ? dOut[dOutOff + i] : (d < 0f ? -dOut[dOutOff + i] : 0f);
            da[daOff + i] = g;
            db[dbOff + i] = -g;
        }
    }

    @Override
    public void centredAffine(float[] x, int xOff, float[] y, int yOff, int n, float q, float mean, float r) {
        for (int j = 0; j < n; j++) {
            y[yOff + j] = q * (x[xOff + j] - mean) + r;
        }
    }

    @Override
    public void gatedGradient(float[] dy, int dyAt, float[] y, int yAt, int n, boolean relu, float p, float[] q,
                              int qOff) {
        for (int j = 0; j < n; j++) {
            q[qOff + j] = relu && y[yAt + j] == 0f ? 0f : p * dy[dyAt + j];
        }
    }

    @Override
    public void pooledGradientMoments(float[] dy, int dyAt, float[] y, int yAt, int[] argmax, int aAt, int n,
                                      boolean relu, float[] x, int xImage, float mean, double[] result) {
        float s0 = 0;
        float s1 = 0;
        float t0 = 0;
        float t1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float g0 = relu ? passed(dy[dyAt + j], y[yAt + j]) : dy[dyAt + j];
            float g1 = relu ? passed(dy[dyAt + j + 1], y[yAt + j + 1]) : dy[dyAt + j + 1];
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[xImage + argmax[aAt + j]] - mean);
            t1 += g1 * (x[xImage + argmax[aAt + j + 1]] - mean);
        }
        for (; j < n; j++) {
            float g0 = relu ? passed(dy[dyAt + j], y[yAt + j]) : dy[dyAt + j];
            s0 += g0;
            t0 += g0 * (x[xImage + argmax[aAt + j]] - mean);
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) t0 + t1;
    }

    @Override
    public void deinterleave(float[] x, int xOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) {
        deinterleavePairs(x, xOff, pairs, even, evenOff, odd, oddOff);
    }

    /** {@link VectorOps#deinterleave} pair by pair, writing nothing past the last pair; SimdOps and ConvWinograd use it too. */
    static void deinterleavePairs(float[] x, int xOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) {
        for (int j = 0; j < pairs; j++) {
            even[evenOff + j] = x[xOff + 2 * j];
            odd[oddOff + j] = x[xOff + 2 * j + 1];
        }
    }

    @Override
    public void interleave(float[] even, int evenOff, float[] odd, int oddOff, int pairs, float add, boolean relu,
                           float[] y, int yOff) {
        interleavePairs(even, evenOff, odd, oddOff, pairs, add, relu, y, yOff);
    }

    /** {@link VectorOps#interleave} pair by pair, writing nothing past the last pair; SimdOps and ConvWinograd use it too. */
    static void interleavePairs(float[] even, int evenOff, float[] odd, int oddOff, int pairs, float add, boolean relu,
                                float[] y, int yOff) {
        for (int j = 0; j < pairs; j++) {
            float a = even[evenOff + j] + add;
            float b = odd[oddOff + j] + add;
            y[yOff + 2 * j] = relu ? Math.max(a, 0f) : a;
            y[yOff + 2 * j + 1] = relu ? Math.max(b, 0f) : b;
        }
    }

    /** None: the scalar backend convolves 3x3 kernels by the GEMM, where its micro-kernel spends the time either way. */
    @Override
    public boolean winogradTiles() {
        return false;
    }

    @Override
    public void winogradInputTiles(float[] poly, int at, int pp, int q, float[] v, int vOff, int vStride) {
        throw new UnsupportedOperationException("the scalar backend has no Winograd tiles");
    }

    @Override
    public void winogradOutputTiles(float[] m, int mOff, int mStride, float[] out, int outOff, int outStride) {
        throw new UnsupportedOperationException("the scalar backend has no Winograd tiles");
    }

    @Override
    public void interleaveLanes(float[] a, int aOff, int n, float[] dst, int dOff) {
        interleaveRows(a, aOff, 1, n, dst, dOff);
    }

    /** count rows of n floats, one after the other from a[aOff], interleaved: dst[d + k count + j] = a[aOff + j n + k]. */
    static void interleaveRows(float[] a, int aOff, int count, int n, float[] dst, int d) {
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < count; j++) {
                dst[d + k * count + j] = a[aOff + j * n + k];
            }
        }
    }

    @Override
    public void patchMoments3x3(float[] padded, int pOff, int pw, int oh, int ow, float[] scratch, double[] moments,
                                int mOff) {
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                addPatchMoments(padded, pOff + r * pw + c, pw, moments, mOff);
            }
        }
    }

    /** One output pixel's share of {@link VectorOps#patchMoments3x3}, its patch's top left at padded[at] (SimdOps's tails too). */
    static void addPatchMoments(float[] padded, int at, int pw, double[] moments, int mOff) {
        int pair = 9;
        for (int a = 0; a < 9; a++) {
            double ta = padded[at + (a / 3) * pw + a % 3];
            moments[mOff + a] += ta;
            for (int b = a; b < 9; b++) {
                moments[mOff + pair++] += ta * padded[at + (b / 3) * pw + b % 3];
            }
        }
    }

    /** None, as for {@link #winogradTiles}. */
    @Override
    public boolean winogradChannelTiles() {
        return false;
    }

    @Override
    public void winogradChannelInputTiles(float[] x, int xOff, int rowStride, int count, float[] v, int vOff,
                                          int tileStride, int vStride) {
        throw new UnsupportedOperationException("the scalar backend has no Winograd tiles");
    }

    @Override
    public void winogradChannelOutputGradientTiles(float[] dy, int dyOff, int rowStride, int count, float[] m,
                                                   int mOff, int blockStride, int mStride) {
        throw new UnsupportedOperationException("the scalar backend has no Winograd tiles");
    }

    /** Left to the GEMM, whose scalar micro-kernel does as well as a plain loop would. */
    @Override
    public boolean conv3x3OneChannel(float[] padded, int pOff, int pw, int oh, int ow, float[] w, int wOff, int outC,
                                     float[] bias, int biasOff, boolean relu, float[] y, int yOff) {
        return false;
    }

    @Override
    public boolean conv3x3OneChannelWeightGradient(float[] padded, int pOff, int images, int pw, int oh, int ow,
                                                   float[] dy, int dyOff, int dyImage, int outC, float[] dw, int dwOff) {
        return false;
    }

    /** Every window is left to the plain loop in the pooling pass. */
    @Override
    public int maxPool2x2Row(float[] x, int p, int w, int ow, float[] y, int yOff, int[] argmax, int aOff, int base) {
        return 0;
    }

    @Override
    public int maxPool2x2Plane(float[] x, int p, int w, int oh, int ow, float[] y, int yOff, int[] argmax, int aOff,
                               int base) {
        return 0;
    }

    @Override
    public void shiftedMoments(float[] a, int off, int n, float shiftBy, double[] result) {
        // two float sums each, so that one rounding chain does not run the whole plane
        float s0 = 0;
        float s1 = 0;
        float q0 = 0;
        float q1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float v0 = a[off + j] - shiftBy;
            float v1 = a[off + j + 1] - shiftBy;
            s0 += v0;
            s1 += v1;
            q0 += v0 * v0;
            q1 += v1 * v1;
        }
        for (; j < n; j++) {
            float v0 = a[off + j] - shiftBy;
            s0 += v0;
            q0 += v0 * v0;
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) q0 + q1;
    }

    @Override
    public void gradientMoments(float[] d, int dOff, float[] x, int xOff, float[] y, int yOff, int n, float m,
                                boolean relu, double[] result) {
        float s0 = 0;
        float s1 = 0;
        float t0 = 0;
        float t1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float g0 = relu ? passed(d[dOff + j], y[yOff + j]) : d[dOff + j];
            float g1 = relu ? passed(d[dOff + j + 1], y[yOff + j + 1]) : d[dOff + j + 1];
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[xOff + j] - m);
            t1 += g1 * (x[xOff + j + 1] - m);
        }
        for (; j < n; j++) {
            float g0 = relu ? passed(d[dOff + j], y[yOff + j]) : d[dOff + j];
            s0 += g0;
            t0 += g0 * (x[xOff + j] - m);
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) t0 + t1;
    }

    @Override
    public void scaleShift(float[] x, int xOff, float[] y, int yOff, int n, float a, float b, boolean relu) {
        if (relu) {
            for (int j = 0; j < n; j++) {
                y[yOff + j] = Math.max(a * x[xOff + j] + b, 0f);
            }
        } else {
            for (int j = 0; j < n; j++) {
                y[yOff + j] = a * x[xOff + j] + b;
            }
        }
    }

    @Override
    public void batchNormInputGradient(float[] d, int dOff, float[] x, int xOff, float[] y, int yOff, float[] dx,
                                       int dxOff, int n, float p, float q, float r, float m, boolean relu) {
        if (relu) {
            for (int j = 0; j < n; j++) {
                dx[dxOff + j] = p * passed(d[dOff + j], y[yOff + j]) + q * (x[xOff + j] - m) + r;
            }
        } else {
            for (int j = 0; j < n; j++) {
                dx[dxOff + j] = p * d[dOff + j] + q * (x[xOff + j] - m) + r;
            }
        }
    }

    /**
     * dy where the fused ReLU passed its input (y > 0), else 0, without a branch: about half the outputs are
     * zero in no predictable pattern, and mispredicted branches made this pass 7x slower than the forward one.
     * y is max(v, 0f), so +0 or positive (or NaN); its bits minus one are negative exactly for +0.
     */
    private static float passed(float dy, float y) {
        int keep = ~((Float.floatToRawIntBits(y) - 1) >> 31);
        return Float.intBitsToFloat(Float.floatToRawIntBits(dy) & keep);
    }
}
