package org.siamese4j.engine.layer;

import java.util.Arrays;
import java.util.List;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.PoolGeometry;
import org.siamese4j.engine.Tensor;

/**
 * Batch normalisation over the channels of [C, H, W] (or the features of [D]), with learned scale and
 * shift, running statistics for inference, and an optional fused ReLU. In training mode it normalises
 * by the batch's statistics; the running mean and variance are parameters of role STATISTIC, stored
 * with the weights but never trained. The passes themselves are the kernels' ({@link Kernels#batchNormForward},
 * {@link Kernels#batchNormBackward}), so that a broken backward pass can be injected and must be caught.
 *
 * <p>{@link #withMaxPool} makes batch norm, ReLU and a max-pool one layer over [C, H, W], computed by the kernels'
 * fused passes ({@link Kernels#batchNormPoolForward}): the same function and parameters as a BatchNorm followed by
 * a {@link MaxPool2d}, without storing the normalised tensor, which in a network's first block is the largest
 * one it has.
 */
public final class BatchNorm extends Layer {
    static final double EPS = 1e-5;
    private final int channels;
    private final int plane;
    final boolean relu;
    /** The max-pool after it (batch 1), or null. */
    final PoolGeometry pool;
    private int[] argmax;
    private final float momentum;
    final Param scale;
    final Param shift;
    private final Param runningMean;
    private final Param runningVar;
    private boolean training = true;
    private Tensor input;
    private float[] out;
    /** The statistics the last forward pass normalised by (the batch's, or the running ones). */
    final double[] mean;
    final double[] var;
    final float[] invStd;
    private float[] gradIn;
    private int batch;

    public BatchNorm(Kernels kernels, int[] shape, Activation activation) {
        this(kernels, shape, activation, null);
    }

    /** Batch norm over [C, H, W], then the activation, then max-pooling by square windows (floor rounding). */
    public static BatchNorm withMaxPool(Kernels kernels, int[] shape, Activation activation, int window, int stride) {
        if (shape.length != 3) {
            throw new IllegalArgumentException("batch norm with a max-pool needs a [C, H, W] shape, not "
                    + Arrays.toString(shape));
        }
        return new BatchNorm(kernels, shape, activation, new PoolGeometry(1, shape[0], shape[1], shape[2], window, stride));
    }

    private BatchNorm(Kernels kernels, int[] shape, Activation activation, PoolGeometry pool) {
        super(kernels, shape, pool == null ? shape : new int[] {pool.channels(), pool.outHeight(), pool.outWidth()});
        this.pool = pool;
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
        this.mean = new double[channels];
        this.var = new double[channels];
        this.invStd = new float[channels];
    }

    @Override
    public String kind() {
        return "batchnorm" + (relu ? "+relu" : "") + (pool == null ? "" : "+maxpool" + pool.window() + "x" + pool.window());
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
        out = grow(out, batch * outputSize());
        if (!training) {
            loadRunningStatistics();
        }
        Tensor gamma = scale.value();
        Tensor beta = shift.value();
        if (pool == null) {
            kernels.batchNormForward(batch, channels, plane, x.data, x.offset, gamma.data, gamma.offset, beta.data,
                    beta.offset, training, mean, var, invStd, EPS, out, 0, relu);
        } else {
            int pooled = batch * outputSize();
            if (argmax == null || argmax.length < pooled) {
                argmax = new int[pooled];
            }
            kernels.batchNormPoolForward(pool.withBatch(batch), x.data, x.offset, gamma.data, gamma.offset, beta.data,
                    beta.offset, training, mean, var, invStd, EPS, relu, out, 0, argmax);
        }
        if (training) {
            updateRunningStatistics(batch);
        }
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    /** Inference mode: normalise by the running statistics. */
    void loadRunningStatistics() {
        Tensor rm = runningMean.value();
        Tensor rv = runningVar.value();
        for (int c = 0; c < channels; c++) {
            mean[c] = rm.get(c);
            var[c] = rv.get(c);
        }
    }

    /** After a training-mode forward pass over {@code batch} samples: the running statistics move towards the batch's. */
    void updateRunningStatistics(int batch) {
        Tensor rm = runningMean.value();
        Tensor rv = runningVar.value();
        int count = batch * plane;
        for (int c = 0; c < channels; c++) {
            double unbiased = count > 1 ? var[c] * count / (count - 1) : var[c];
            rm.set(c, (float) ((1 - momentum) * rm.get(c) + momentum * mean[c]));
            rv.set(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
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
        Tensor gamma = scale.value();
        Tensor dGamma = scale.grad();
        Tensor dBeta = shift.grad();
        if (pool == null) {
            kernels.batchNormBackward(batch, channels, plane, input.data, input.offset, out, 0, dy.data, dy.offset,
                    gamma.data, gamma.offset, mean, invStd, relu, dGamma.data, dGamma.offset, dBeta.data, dBeta.offset,
                    wantInput ? gradIn : null, 0);
        } else {
            kernels.batchNormPoolBackward(pool.withBatch(batch), input.data, input.offset, out, 0, argmax, dy.data,
                    dy.offset, gamma.data, gamma.offset, mean, invStd, relu, dGamma.data, dGamma.offset, dBeta.data,
                    dBeta.offset, wantInput ? gradIn : null, 0);
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
        return pool == null ? y : MaxPool2d.reference(pool, y, n);
    }
}
