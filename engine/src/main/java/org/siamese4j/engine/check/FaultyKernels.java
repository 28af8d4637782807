package org.siamese4j.engine.check;

import org.siamese4j.engine.ConvGeometry;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.PoolGeometry;

/**
 * Kernels with one deliberately broken backward pass, to show that the gradient checks catch real
 * bugs. Everything else delegates to a correct implementation.
 */
public final class FaultyKernels implements Kernels {
    /** The injected bug. */
    public enum Fault {
        /** The conv input gradient has the wrong sign. */
        CONV_INPUT_SIGN_FLIP,
        /** The conv weight gradient is shifted by one element, as from an off-by-one kernel index. */
        CONV_WEIGHT_OFF_BY_ONE,
        /** The ReLU mask is inverted: the gradient passes where the unit was off. */
        RELU_MASK_INVERTED,
        /** The max-pool gradient goes to the element after the maximum. */
        POOL_ARGMAX_OFF_BY_ONE,
        /** The L1 join's gradient has the wrong sign. */
        L1_SIGN_FLIP,
        /** Weight decay counts in the loss but adds nothing to the gradient. */
        WEIGHT_DECAY_DROPPED,
        /** Batch norm's input gradient misses the term through the batch mean (-scale invStd mean(g)). */
        BATCH_NORM_MEAN_TERM_DROPPED,
        /** Batch norm's shift gradient is not accumulated. */
        BATCH_NORM_SHIFT_GRADIENT_DROPPED
    }

    private final Kernels inner;
    private final Fault fault;

    public FaultyKernels(Kernels inner, Fault fault) {
        this.inner = inner;
        this.fault = fault;
    }

    public Fault fault() {
        return fault;
    }

    @Override
    public String name() {
        return inner.name() + "+fault:" + fault;
    }

    @Override
    public int vectorLength() {
        return inner.vectorLength();
    }

    @Override
    public int threads() {
        return inner.threads();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        inner.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                              float[] y, int yOff, boolean relu) {
        inner.conv2dForward(g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu);
    }

    @Override
    public void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        inner.conv2dBackwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
        if (fault == Fault.CONV_INPUT_SIGN_FLIP) {
            int n = g.batch() * g.inSize();
            for (int i = 0; i < n; i++) {
                dx[dxOff + i] = -dx[dxOff + i];
            }
        }
    }

    @Override
    public void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                     float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        if (fault != Fault.CONV_WEIGHT_OFF_BY_ONE) {
            inner.conv2dBackwardParams(g, x, xOff, dy, dyOff, dw, dwOff, dbias, dbiasOff);
            return;
        }
        int n = g.weightSize();
        float[] tmp = new float[n];
        inner.conv2dBackwardParams(g, x, xOff, dy, dyOff, tmp, 0, dbias, dbiasOff);
        for (int i = 0; i < n; i++) {
            dw[dwOff + i] += tmp[(i + 1) % n];
        }
    }

    @Override
    public void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        inner.maxPoolForward(g, x, xOff, y, yOff, argmax);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        if (fault != Fault.POOL_ARGMAX_OFF_BY_ONE) {
            inner.maxPoolBackward(g, dy, dyOff, argmax, dx, dxOff);
            return;
        }
        int outs = g.batch() * g.outSize();
        int[] shifted = new int[outs];
        for (int i = 0; i < outs; i++) {
            shifted[i] = Math.min(g.inSize() - 1, argmax[i] + 1);
        }
        inner.maxPoolBackward(g, dy, dyOff, shifted, dx, dxOff);
    }

    @Override
    public void batchNormForward(int batch, int channels, int plane, float[] x, int xOff, float[] scale, int scaleOff,
                                 float[] shift, int shiftOff, boolean batchStatistics, double[] mean, double[] var,
                                 float[] invStd, double eps, float[] y, int yOff, boolean relu) {
        inner.batchNormForward(batch, channels, plane, x, xOff, scale, scaleOff, shift, shiftOff, batchStatistics,
                mean, var, invStd, eps, y, yOff, relu);
    }

    @Override
    public void batchNormBackward(int batch, int channels, int plane, float[] x, int xOff, float[] y, int yOff,
                                  float[] dy, int dyOff, float[] scale, int scaleOff, double[] mean, float[] invStd,
                                  boolean relu, float[] dScale, int dScaleOff, float[] dShift, int dShiftOff,
                                  float[] dx, int dxOff) {
        float[] shiftBefore = fault == Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED
                ? java.util.Arrays.copyOfRange(dShift, dShiftOff, dShiftOff + channels) : null;
        inner.batchNormBackward(batch, channels, plane, x, xOff, y, yOff, dy, dyOff, scale, scaleOff, mean, invStd,
                relu, dScale, dScaleOff, dShift, dShiftOff, dx, dxOff);
        if (fault == Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED) {
            System.arraycopy(shiftBefore, 0, dShift, dShiftOff, channels);
        }
        if (fault == Fault.BATCH_NORM_MEAN_TERM_DROPPED && dx != null) {
            for (int c = 0; c < channels; c++) {
                // the mean of g (dy where the ReLU passed), which the correct pass subtracts
                double sum = 0;
                for (int i = 0; i < batch; i++) {
                    int base = (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        sum += relu && y[yOff + base + j] <= 0f ? 0 : dy[dyOff + base + j];
                    }
                }
                float dropped = (float) (scale[scaleOff + c] * invStd[c] * sum / (batch * plane));
                for (int i = 0; i < batch; i++) {
                    int base = dxOff + (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        dx[base + j] += dropped;
                    }
                }
            }
        }
    }

    @Override
    public void batchNormPoolForward(PoolGeometry g, float[] x, int xOff, float[] scale, int scaleOff, float[] shift,
                                     int shiftOff, boolean batchStatistics, double[] mean, double[] var,
                                     float[] invStd, double eps, boolean relu, float[] y, int yOff, int[] argmax) {
        inner.batchNormPoolForward(g, x, xOff, scale, scaleOff, shift, shiftOff, batchStatistics, mean, var, invStd,
                eps, relu, y, yOff, argmax);
    }

    /**
     * Under a pool, ReLU or batch-norm fault, the fused pass is taken apart into this class's own ReLU mask,
     * max-pool backward and batch-norm backward, so that each of those faults reaches it; else the correct pass.
     */
    @Override
    public void batchNormPoolBackward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax,
                                      float[] dy, int dyOff, float[] scale, int scaleOff, double[] mean,
                                      float[] invStd, boolean relu, float[] dScale, int dScaleOff, float[] dShift,
                                      int dShiftOff, float[] dx, int dxOff) {
        boolean reaches = fault == Fault.POOL_ARGMAX_OFF_BY_ONE || fault == Fault.BATCH_NORM_MEAN_TERM_DROPPED
                || fault == Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED || (relu && fault == Fault.RELU_MASK_INVERTED);
        if (!reaches) {
            inner.batchNormPoolBackward(g, x, xOff, y, yOff, argmax, dy, dyOff, scale, scaleOff, mean, invStd, relu,
                    dScale, dScaleOff, dShift, dShiftOff, dx, dxOff);
            return;
        }
        int outs = g.batch() * g.outSize();
        float[] passed = java.util.Arrays.copyOfRange(dy, dyOff, dyOff + outs);
        if (relu) {
            reluBackward(y, yOff, passed, 0, passed, 0, outs);
        }
        float[] normalisedGradient = new float[g.batch() * g.inSize()];
        maxPoolBackward(g, passed, 0, argmax, normalisedGradient, 0);
        batchNormBackward(g.batch(), g.channels(), g.inHeight() * g.inWidth(), x, xOff, null, 0, normalisedGradient, 0,
                scale, scaleOff, mean, invStd, false, dScale, dScaleOff, dShift, dShiftOff, dx, dxOff);
    }

    @Override
    public void convBatchNormPoolForward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w, int wOff,
                                         float[] scale, int scaleOff, float[] shift, int shiftOff,
                                         boolean batchStatistics, double[] mean, double[] var, float[] invStd,
                                         double eps, boolean relu, float[] y, int yOff, int[] argmax, float[] xAtMax) {
        inner.convBatchNormPoolForward(conv, pool, x, xOff, w, wOff, scale, scaleOff, shift, shiftOff, batchStatistics,
                mean, var, invStd, eps, relu, y, yOff, argmax, xAtMax);
    }

    /**
     * Under a fault of the convolution's weight gradient, the pool, the ReLU or batch norm, the fused first block is
     * taken apart: the convolution's output is recomputed, and this class's fused batch-norm + pool backward and
     * convolution weight gradient run on it, so that each of those faults reaches it; else the correct pass.
     */
    @Override
    public void convBatchNormPoolBackward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w,
                                          int wOff, float[] y, int yOff, int[] argmax, float[] xAtMax, float[] dy,
                                          int dyOff, float[] scale, int scaleOff, double[] mean, float[] invStd,
                                          boolean relu, float[] dScale, int dScaleOff, float[] dShift, int dShiftOff,
                                          float[] dw, int dwOff) {
        boolean reaches = fault == Fault.CONV_WEIGHT_OFF_BY_ONE || fault == Fault.POOL_ARGMAX_OFF_BY_ONE
                || fault == Fault.BATCH_NORM_MEAN_TERM_DROPPED || fault == Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED
                || (relu && fault == Fault.RELU_MASK_INVERTED);
        if (!reaches) {
            inner.convBatchNormPoolBackward(conv, pool, x, xOff, w, wOff, y, yOff, argmax, xAtMax, dy, dyOff, scale,
                    scaleOff, mean, invStd, relu, dScale, dScaleOff, dShift, dShiftOff, dw, dwOff);
            return;
        }
        float[] convOut = new float[conv.batch() * conv.outSize()];
        inner.conv2dForward(conv, x, xOff, w, wOff, null, 0, convOut, 0, false);
        float[] convGradient = new float[convOut.length];
        batchNormPoolBackward(pool, convOut, 0, y, yOff, argmax, dy, dyOff, scale, scaleOff, mean, invStd, relu,
                dScale, dScaleOff, dShift, dShiftOff, convGradient, 0);
        conv2dBackwardParams(conv, x, xOff, convGradient, 0, dw, dwOff, null, 0);
    }

    @Override
    public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        inner.reluForward(x, xOff, y, yOff, n);
    }

    @Override
    public void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        if (fault != Fault.RELU_MASK_INVERTED) {
            inner.reluBackward(y, yOff, dy, dyOff, dx, dxOff, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? 0f : dy[dyOff + i];
        }
    }

    @Override
    public void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n) {
        inner.sigmoidForward(x, xOff, y, yOff, n);
    }

    @Override
    public void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        inner.sigmoidBackward(y, yOff, dy, dyOff, dx, dxOff, n);
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        inner.l1JoinForward(a, aOff, b, bOff, out, outOff, n);
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        inner.l1JoinBackward(a, aOff, b, bOff, dOut, dOutOff, da, daOff, db, dbOff, n);
        if (fault == Fault.L1_SIGN_FLIP) {
            for (int i = 0; i < n; i++) {
                da[daOff + i] = -da[daOff + i];
                db[dbOff + i] = -db[dbOff + i];
            }
        }
    }

    @Override
    public void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff) {
        inner.addRowVector(y, yOff, rows, cols, bias, biasOff);
    }

    @Override
    public void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff) {
        inner.accumulateColumnSums(m, mOff, rows, cols, sums, sumsOff);
    }

    @Override
    public void momentumStep(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        inner.momentumStep(w, wOff, v, vOff, g, gOff, n, mu, lr);
    }

    @Override
    public double addWeightDecay(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        return inner.addWeightDecay(w, wOff, g, gOff, n, fault == Fault.WEIGHT_DECAY_DROPPED ? 0f : lambda);
    }
}
