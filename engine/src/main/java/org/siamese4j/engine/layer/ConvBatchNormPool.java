package org.siamese4j.engine.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.siamese4j.engine.ConvGeometry;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.PoolGeometry;
import org.siamese4j.engine.Tensor;

/**
 * A network's first block as one layer: a 3x3, stride-1 convolution of one-channel images without a bias, then
 * a batch norm with its ReLU and max-pool ({@link BatchNorm#withMaxPool}). The same function and parameters, in
 * the same order, as those two layers, computed by the kernels' fused passes
 * ({@link Kernels#convBatchNormPoolForward}), which recompute the convolution's output a plane at a time instead of
 * storing it: in a network's first block it is the largest tensor there is.
 *
 * <p>Its input is the images, which need no gradient, so it has none to give: {@link #providesInputGradient()}
 * is false, and it must come first in a network.
 */
public final class ConvBatchNormPool extends Layer {
    private final Conv2d conv;
    private final BatchNorm norm;
    private Tensor input;
    private float[] out;
    private int[] argmax;
    private float[] xAtMax;
    private int batch;

    /**
     * @param conv a 3x3, stride-1 convolution of one channel, without a bias
     * @param norm a batch norm over the convolution's output with a max-pool ({@link BatchNorm#withMaxPool})
     */
    public ConvBatchNormPool(Kernels kernels, Conv2d conv, BatchNorm norm) {
        super(kernels, conv.inputShape(), norm.outputShape());
        ConvGeometry g = conv.geometry();
        if (!fits(g) || conv.bias() != null || conv.relu) {
            throw new IllegalArgumentException("a first block needs a 3x3, stride-1 convolution of one channel without"
                    + " bias or activation, not " + conv.describe());
        }
        if (norm.pool == null || !Arrays.equals(norm.inputShape(), conv.outputShape())) {
            throw new IllegalArgumentException("a first block needs a batch norm with a max-pool over "
                    + Arrays.toString(conv.outputShape()) + ", not " + norm.describe());
        }
        this.conv = conv;
        this.norm = norm;
    }

    /** Whether a convolution of this geometry can start a first block. */
    public static boolean fits(ConvGeometry g) {
        return g.oneChannel3x3();
    }

    @Override
    public String kind() {
        return conv.kind() + "+" + norm.kind();
    }

    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>(conv.params());
        all.addAll(norm.params());
        return all;
    }

    @Override
    public void setTraining(boolean training) {
        norm.setTraining(training);
    }

    @Override
    public long forwardMacsPerSample() {
        return conv.forwardMacsPerSample();
    }

    @Override
    public boolean providesInputGradient() {
        return false;
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        input = x;
        int pooled = batch * outputSize();
        out = grow(out, pooled);
        xAtMax = grow(xAtMax, pooled);
        if (argmax == null || argmax.length < pooled) {
            argmax = new int[pooled];
        }
        boolean training = norm.training();
        if (!training) {
            norm.loadRunningStatistics();
        }
        Tensor w = conv.weight().value();
        Tensor gamma = norm.scale.value();
        Tensor beta = norm.shift.value();
        kernels.convBatchNormPoolForward(conv.geometry().withBatch(batch), poolGeometry(), x.data, x.offset, w.data,
                w.offset, gamma.data, gamma.offset, beta.data, beta.offset, training, norm.mean, norm.var, norm.invStd,
                BatchNorm.EPS, norm.relu, out, 0, argmax, xAtMax);
        if (training) {
            norm.updateRunningStatistics(batch);
        }
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!norm.training()) {
            throw new IllegalStateException("a first block's backward pass needs a training-mode forward pass");
        }
        if (inputGradientNeeded()) {
            throw new IllegalStateException("a first block gives no input gradient: it must come first in a network");
        }
        Tensor w = conv.weight().value();
        Tensor dw = conv.weight().grad();
        Tensor gamma = norm.scale.value();
        Tensor dGamma = norm.scale.grad();
        Tensor dBeta = norm.shift.grad();
        kernels.convBatchNormPoolBackward(conv.geometry().withBatch(batch), poolGeometry(), input.data, input.offset,
                w.data, w.offset, out, 0, argmax, xAtMax, dy.data, dy.offset, gamma.data, gamma.offset, norm.mean,
                norm.invStd, norm.relu, dGamma.data, dGamma.offset, dBeta.data, dBeta.offset, dw.data, dw.offset);
        return null;
    }

    private PoolGeometry poolGeometry() {
        return norm.pool.withBatch(batch);
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        int convParams = conv.params().size();
        double[] convolved = conv.referenceForward(x, n, Arrays.copyOfRange(params, 0, convParams));
        return norm.referenceForward(convolved, n, Arrays.copyOfRange(params, convParams, params.length));
    }
}
