package org.siamese4j.engine.layer;

import java.util.List;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/**
 * Batch normalisation over the channels of [C, H, W] (or the features of [D]), with learned scale and
 * shift, running statistics for inference, and an optional fused ReLU. In training mode it normalises
 * by the batch's statistics; the running mean and variance are parameters of role STATISTIC, stored
 * with the weights but never trained.
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
    private boolean training = true;
    private float[] out;
    private float[] normalized;
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
        int n = x.size();
        out = grow(out, n);
        normalized = grow(normalized, n);
        invStd = grow(invStd, channels);
        float[] xs = x.data;
        int xo = x.offset;
        Tensor g = scale.value();
        Tensor b = shift.value();
        Tensor rm = runningMean.value();
        Tensor rv = runningVar.value();
        int count = batch * plane;
        for (int c = 0; c < channels; c++) {
            double mean;
            double var;
            if (training) {
                double s = 0;
                for (int i = 0; i < batch; i++) {
                    int base = xo + (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        s += xs[base + j];
                    }
                }
                mean = s / count;
                double ss = 0;
                for (int i = 0; i < batch; i++) {
                    int base = xo + (i * channels + c) * plane;
                    for (int j = 0; j < plane; j++) {
                        double d = xs[base + j] - mean;
                        ss += d * d;
                    }
                }
                var = ss / count;
                double unbiased = count > 1 ? ss / (count - 1) : var;
                rm.set(c, (float) ((1 - momentum) * rm.get(c) + momentum * mean));
                rv.set(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
            } else {
                mean = rm.get(c);
                var = rv.get(c);
            }
            float inv = (float) (1.0 / Math.sqrt(var + EPS));
            invStd[c] = inv;
            float gc = g.get(c);
            float bc = b.get(c);
            float m = (float) mean;
            for (int i = 0; i < batch; i++) {
                int base = (i * channels + c) * plane;
                for (int j = 0; j < plane; j++) {
                    float h = (xs[xo + base + j] - m) * inv;
                    normalized[base + j] = h;
                    float y = gc * h + bc;
                    out[base + j] = relu && y < 0f ? 0f : y;
                }
            }
        }
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!training) {
            throw new IllegalStateException("batch norm backward needs a training-mode forward pass");
        }
        float[] d = dy.data;
        int off = dy.offset;
        if (relu) {
            kernels.reluBackward(out, 0, d, off, d, off, dy.size());
        }
        Tensor g = scale.value();
        Tensor dg = scale.grad();
        Tensor db = shift.grad();
        boolean wantInput = inputGradientNeeded();
        if (wantInput) {
            gradIn = grow(gradIn, batch * inputSize());
        }
        int count = batch * plane;
        for (int c = 0; c < channels; c++) {
            double sumDy = 0;
            double sumDyH = 0;
            for (int i = 0; i < batch; i++) {
                int base = (i * channels + c) * plane;
                for (int j = 0; j < plane; j++) {
                    float v = d[off + base + j];
                    sumDy += v;
                    sumDyH += v * normalized[base + j];
                }
            }
            dg.set(c, dg.get(c) + (float) sumDyH);
            db.set(c, db.get(c) + (float) sumDy);
            if (!wantInput) {
                continue;
            }
            // dx = gamma * invStd / count * (count * dy - sum(dy) - h * sum(dy * h))
            float k = (float) (g.get(c) * invStd[c] / count);
            float meanDy = (float) sumDy;
            float meanDyH = (float) sumDyH;
            for (int i = 0; i < batch; i++) {
                int base = (i * channels + c) * plane;
                for (int j = 0; j < plane; j++) {
                    gradIn[base + j] = k * (count * d[off + base + j] - meanDy - normalized[base + j] * meanDyH);
                }
            }
        }
        return wantInput ? Tensor.wrap(gradIn, 0, withBatch(batch, inShape)) : null;
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        double[] gamma = params[0];
        double[] beta = params[1];
        double[] y = new double[x.length];
        int count = n * plane;
        for (int c = 0; c < channels; c++) {
            double mean = 0;
            double var = 0;
            if (training) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < plane; j++) {
                        mean += x[(i * channels + c) * plane + j];
                    }
                }
                mean /= count;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < plane; j++) {
                        double dd = x[(i * channels + c) * plane + j] - mean;
                        var += dd * dd;
                    }
                }
                var /= count;
            } else {
                mean = params[2][c];
                var = params[3][c];
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < plane; j++) {
                    int at = (i * channels + c) * plane + j;
                    double v = gamma[c] * (x[at] - mean) / Math.sqrt(var + EPS) + beta[c];
                    y[at] = relu ? Math.max(0, v) : v;
                }
            }
        }
        return y;
    }
}
