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
            // two passes (mean, then squared deviations) keep the variance accurate; float partial sums per image row
            double s = 0;
            for (int i = 0; i < batch; i++) {
                s += sum(xs, xo + (i * channels + c) * plane, plane);
            }
            int count = batch * plane;
            m = s / count;
            double ss = 0;
            for (int i = 0; i < batch; i++) {
                ss += squaredDeviations(xs, xo + (i * channels + c) * plane, plane, (float) m);
            }
            var = ss / count;
            double unbiased = count > 1 ? ss / (count - 1) : var;
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
        if (relu) {
            kernels.reluBackward(out, 0, dy.data, dy.offset, dy.data, dy.offset, dy.size());
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
        // sums of dy and of dy * h, with h = (x - mean) * inv recomputed rather than stored
        double sumDy = 0;
        double sumDyX = 0;
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            sumDy += sum(d, off + base, plane);
            sumDyX += dotCentered(d, off + base, xs, xo + base, plane, m);
        }
        double sumDyH = sumDyX * inv;
        Tensor dg = scale.grad();
        Tensor db = shift.grad();
        dg.set(c, dg.get(c) + (float) sumDyH);
        db.set(c, db.get(c) + (float) sumDy);
        if (!wantInput) {
            return;
        }
        // dx = gamma * inv / N * (N dy - sum(dy) - h sum(dy h)) = p dy + q (x - mean) + r
        int count = batch * plane;
        double k = scale.value().get(c) * inv / (double) count;
        float p = (float) (k * count);
        float q = (float) (-k * sumDyH * inv);
        float r = (float) (-k * sumDy);
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            int src = xo + base;
            int dsrc = off + base;
            for (int j = 0; j < plane; j++) {
                gradIn[base + j] = p * d[dsrc + j] + q * (xs[src + j] - m) + r;
            }
        }
    }

    /** Sum with four float accumulators (independent chains), returned in double. */
    private static double sum(float[] a, int off, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[off + j];
            s1 += a[off + j + 1];
            s2 += a[off + j + 2];
            s3 += a[off + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[off + j];
        }
        return (double) s0 + s1 + s2 + s3;
    }

    private static double squaredDeviations(float[] a, int off, int n, float m) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            float d0 = a[off + j] - m;
            float d1 = a[off + j + 1] - m;
            float d2 = a[off + j + 2] - m;
            float d3 = a[off + j + 3] - m;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; j < n; j++) {
            float d0 = a[off + j] - m;
            s0 += d0 * d0;
        }
        return (double) s0 + s1 + s2 + s3;
    }

    private static double dotCentered(float[] d, int dOff, float[] x, int xOff, int n, float m) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += d[dOff + j] * (x[xOff + j] - m);
            s1 += d[dOff + j + 1] * (x[xOff + j + 1] - m);
            s2 += d[dOff + j + 2] * (x[xOff + j + 2] - m);
            s3 += d[dOff + j + 3] * (x[xOff + j + 3] - m);
        }
        for (; j < n; j++) {
            s0 += d[dOff + j] * (x[xOff + j] - m);
        }
        return (double) s0 + s1 + s2 + s3;
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
