package org.siamese4j.engine.layer;

import java.util.List;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Parallel;
import org.siamese4j.engine.Tensor;

/**
 * Batch normalisation over the channels of [C, H, W] (or the features of [D]), with learned scale and
 * shift, running statistics for inference, and an optional fused ReLU. In training mode it normalises
 * by the batch's statistics; the running mean and variance are parameters of role STATISTIC, stored
 * with the weights but never trained. Channels are independent, so they are spread over the threads;
 * each channel is computed the same way whatever the thread count.
 */
public final class BatchNorm extends Layer {
    private static final double EPS = 1e-5;
    private final int channels;
    private final int plane;
    private final boolean relu;
    private final float momentum;
    private final Param scale;
    private final Param shift;
    private final Param runningMean;
    private final Param runningVar;
    private final Parallel parallel;
    private boolean training = true;
    private Tensor input;
    private float[] out;
    private float[] mean;
    private float[] invStd;
    private float[] gradIn;
    private int batch;

    public BatchNorm(Kernels kernels, int[] shape, Activation activation) {
        super(kernels, shape, shape);
        if (activation == Activation.SIGMOID) {
            throw new IllegalArgumentException("batch norm supports a fused relu only");
        }
        this.channels = shape[0];
        this.plane = sizeOf(shape) / channels;
        this.relu = activation == Activation.RELU;
        this.momentum = 0.1f;
        this.scale = new Param("scale", Param.Role.SCALE, channels);
        this.shift = new Param("shift", Param.Role.SHIFT, channels);
        this.runningMean = new Param("running-mean", Param.Role.STATISTIC, channels);
        this.runningVar = new Param("running-var", Param.Role.STATISTIC, channels);
        this.parallel = Backend.pool(kernels.threads());
    }

    @Override
    public String kind() {
        return "batchnorm" + (relu ? "+relu" : "");
    }

    @Override
    public List<Param> params() {
        return List.of(scale, shift, runningMean, runningVar);
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean training() {
        return training;
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        input = x;
        out = grow(out, x.size());
        mean = grow(mean, channels);
        invStd = grow(invStd, channels);
        parallel.run((part, parts) -> {
            int c0 = Parallel.rangeStart(channels, part, parts);
            int c1 = Parallel.rangeStart(channels, part + 1, parts);
            for (int c = c0; c < c1; c++) {
                forwardChannel(x.data, x.offset, c);
            }
        });
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    private void forwardChannel(float[] xs, int xo, int c) {
        Tensor rm = runningMean.value();
        Tensor rv = runningVar.value();
        double m;
        double var;
        if (training) {
            // one pass for both moments, shifted by the channel's first value so the variance stays accurate
            float shiftBy = xs[xo + c * plane];
            double s = 0;
            double sq = 0;
            for (int i = 0; i < batch; i++) {
                int base = xo + (i * channels + c) * plane;
                double[] moments = MOMENTS.get();
                shiftedMoments(xs, base, plane, shiftBy, moments);
                s += moments[0];
                sq += moments[1];
            }
            int count = batch * plane;
            double shiftedMean = s / count;
            m = shiftBy + shiftedMean;
            var = Math.max(0, sq / count - shiftedMean * shiftedMean);
            double unbiased = count > 1 ? var * count / (count - 1) : var;
            rm.set(c, (float) ((1 - momentum) * rm.get(c) + momentum * m));
            rv.set(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
        } else {
            m = rm.get(c);
            var = rv.get(c);
        }
        float inv = (float) (1.0 / Math.sqrt(var + EPS));
        mean[c] = (float) m;
        invStd[c] = inv;
        // y = a x + b with a = gamma / std, b = beta - a mean
        float a = scale.value().get(c) * inv;
        float b = shift.value().get(c) - a * (float) m;
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            int src = xo + base;
            if (relu) {
                for (int j = 0; j < plane; j++) {
                    out[base + j] = Math.max(a * xs[src + j] + b, 0f);
                }
            } else {
                for (int j = 0; j < plane; j++) {
                    out[base + j] = a * xs[src + j] + b;
                }
            }
        }
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!training) {
            throw new IllegalStateException("batch norm backward needs a training-mode forward pass");
        }
        boolean wantInput = inputGradientNeeded();
        if (wantInput) {
            gradIn = grow(gradIn, batch * inputSize());
        }
        parallel.run((part, parts) -> {
            int c0 = Parallel.rangeStart(channels, part, parts);
            int c1 = Parallel.rangeStart(channels, part + 1, parts);
            for (int c = c0; c < c1; c++) {
                backwardChannel(dy.data, dy.offset, c, wantInput);
            }
        });
        return wantInput ? Tensor.wrap(gradIn, 0, withBatch(batch, inShape)) : null;
    }

    private void backwardChannel(float[] d, int off, int c, boolean wantInput) {
        float[] xs = input.data;
        int xo = input.offset;
        float m = mean[c];
        float inv = invStd[c];
        // sums of g and of g * (x - mean), where g is dy through the fused ReLU's mask; h = (x - mean) * inv
        double sumDy = 0;
        double sumDyX = 0;
        double[] moments = MOMENTS.get();
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            if (relu) {
                maskedMoments(d, off + base, xs, xo + base, out, base, plane, m, moments);
            } else {
                centeredMoments(d, off + base, xs, xo + base, plane, m, moments);
            }
            sumDy += moments[0];
            sumDyX += moments[1];
        }
        double sumDyH = sumDyX * inv;
        Tensor dg = scale.grad();
        Tensor db = shift.grad();
        dg.set(c, dg.get(c) + (float) sumDyH);
        db.set(c, db.get(c) + (float) sumDy);
        if (!wantInput) {
            return;
        }
        // dx = gamma * inv / N * (N g - sum(g) - h sum(g h)) = p g + q (x - mean) + r
        int count = batch * plane;
        double k = scale.value().get(c) * inv / (double) count;
        float p = (float) (k * count);
        float q = (float) (-k * sumDyH * inv);
        float r = (float) (-k * sumDy);
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            int src = xo + base;
            int dsrc = off + base;
            if (relu) {
                for (int j = 0; j < plane; j++) {
                    gradIn[base + j] = p * passed(d[dsrc + j], out[base + j]) + q * (xs[src + j] - m) + r;
                }
            } else {
                for (int j = 0; j < plane; j++) {
                    gradIn[base + j] = p * d[dsrc + j] + q * (xs[src + j] - m) + r;
                }
            }
        }
    }

    /** Per-thread scratch for the two sums a pass returns. */
    private static final ThreadLocal<double[]> MOMENTS = ThreadLocal.withInitial(() -> new double[2]);

    /** sum(x - shift) and sum((x - shift)^2) over a run, in float partial sums. */
    private static void shiftedMoments(float[] a, int off, int n, float shiftBy, double[] result) {
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

    /** sum(dy) and sum(dy * (x - m)). */
    private static void centeredMoments(float[] d, int dOff, float[] x, int xOff, int n, float m, double[] result) {
        float s0 = 0;
        float s1 = 0;
        float t0 = 0;
        float t1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float g0 = d[dOff + j];
            float g1 = d[dOff + j + 1];
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[xOff + j] - m);
            t1 += g1 * (x[xOff + j + 1] - m);
        }
        for (; j < n; j++) {
            float g0 = d[dOff + j];
            s0 += g0;
            t0 += g0 * (x[xOff + j] - m);
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) t0 + t1;
    }

    /** The same sums with dy masked where the fused ReLU was off (out <= 0). */
    private static void maskedMoments(float[] d, int dOff, float[] x, int xOff, float[] y, int yOff, int n, float m,
                                      double[] result) {
        float s0 = 0;
        float s1 = 0;
        float t0 = 0;
        float t1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float g0 = passed(d[dOff + j], y[yOff + j]);
            float g1 = passed(d[dOff + j + 1], y[yOff + j + 1]);
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[xOff + j] - m);
            t1 += g1 * (x[xOff + j + 1] - m);
        }
        for (; j < n; j++) {
            float g0 = passed(d[dOff + j], y[yOff + j]);
            s0 += g0;
            t0 += g0 * (x[xOff + j] - m);
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) t0 + t1;
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

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        double[] gamma = params[0];
        double[] beta = params[1];
        double[] y = new double[x.length];
        int count = n * plane;
        for (int c = 0; c < channels; c++) {
            double m = 0;
            double var = 0;
            if (training) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < plane; j++) {
                        m += x[(i * channels + c) * plane + j];
                    }
                }
                m /= count;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < plane; j++) {
                        double dd = x[(i * channels + c) * plane + j] - m;
                        var += dd * dd;
                    }
                }
                var /= count;
            } else {
                m = params[2][c];
                var = params[3][c];
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < plane; j++) {
                    int at = (i * channels + c) * plane + j;
                    double v = gamma[c] * (x[at] - m) / Math.sqrt(var + EPS) + beta[c];
                    y[at] = relu ? Math.max(0, v) : v;
                }
            }
        }
        return y;
    }
}
