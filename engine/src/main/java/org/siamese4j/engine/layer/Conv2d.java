package org.siamese4j.engine.layer;

import org.siamese4j.engine.ConvGeometry;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

import java.util.List;

/** 2-D convolution with bias and an optional fused ReLU. Weights are [outC][inC][kh][kw]. */
public final class Conv2d extends Layer {
    private final ConvGeometry unit;
    /** Whether a ReLU follows (read by {@link ConvBatchNormPool}, which takes a convolution without one). */
    final boolean relu;
    private final Param weight;
    private final Param bias;
    private Tensor input;
    private float[] out;
    private float[] gradIn;
    private int batch;

    public Conv2d(Kernels kernels, int inChannels, int inHeight, int inWidth, int outChannels,
                  int kernelSize, int stride, int padding, Activation activation) {
        this(kernels, inChannels, inHeight, inWidth, outChannels, kernelSize, stride, padding, activation, true);
    }

    /** Without a bias when {@code withBias} is false (a batch norm right after makes it redundant). */
    public Conv2d(Kernels kernels, int inChannels, int inHeight, int inWidth, int outChannels,
                  int kernelSize, int stride, int padding, Activation activation, boolean withBias) {
        this(kernels, new ConvGeometry(1, inChannels, inHeight, inWidth, outChannels, kernelSize, kernelSize, stride, padding),
                activation, withBias);
    }

    private Conv2d(Kernels kernels, ConvGeometry g, Activation activation, boolean withBias) {
        super(kernels, new int[] {g.inChannels(), g.inHeight(), g.inWidth()},
                new int[] {g.outChannels(), g.outHeight(), g.outWidth()});
        if (activation == Activation.SIGMOID) {
            throw new IllegalArgumentException("conv supports a fused relu only; add a Sigmoid layer instead");
        }
        this.unit = g;
        this.relu = activation == Activation.RELU;
        this.weight = new Param("weight", Param.Role.WEIGHT, g.outChannels(), g.inChannels(), g.kernelHeight(), g.kernelWidth());
        this.bias = withBias ? new Param("bias", Param.Role.BIAS, g.outChannels()) : null;
    }

    @Override
    public String kind() {
        return "conv" + unit.kernelHeight() + "x" + unit.kernelWidth() + (relu ? "+relu" : "");
    }

    @Override
    public List<Param> params() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    public Param weight() {
        return weight;
    }

    public Param bias() {
        return bias;
    }

    public ConvGeometry geometry() {
        return unit;
    }

    @Override
    public long forwardMacsPerSample() {
        return unit.forwardMacs();
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        input = x;
        ConvGeometry g = unit.withBatch(batch);
        out = grow(out, batch * outputSize());
        Tensor w = weight.value();
        float[] b = bias == null ? null : bias.value().data;
        int bOff = bias == null ? 0 : bias.value().offset;
        kernels.conv2dForward(g, x.data, x.offset, w.data, w.offset, b, bOff, out, 0, relu);
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        ConvGeometry g = unit.withBatch(batch);
        if (relu) {
            kernels.reluBackward(out, 0, dy.data, dy.offset, dy.data, dy.offset, dy.size());
        }
        Tensor w = weight.value();
        Tensor dw = weight.grad();
        float[] db = bias == null ? null : bias.grad().data;
        int dbOff = bias == null ? 0 : bias.grad().offset;
        kernels.conv2dBackwardParams(g, input.data, input.offset, dy.data, dy.offset, dw.data, dw.offset, db, dbOff);
        if (!inputGradientNeeded()) {
            return null;
        }
        gradIn = grow(gradIn, batch * inputSize());
        kernels.conv2dBackwardInput(g, dy.data, dy.offset, w.data, w.offset, gradIn, 0);
        return Tensor.wrap(gradIn, 0, withBatch(batch, inShape));
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        double[] w = params[0];
        double[] b = bias == null ? new double[unit.outChannels()] : params[1];
        ConvGeometry g = unit;
        int oh = g.outHeight();
        int ow = g.outWidth();
        double[] y = new double[n * outputSize()];
        for (int img = 0; img < n; img++) {
            for (int co = 0; co < g.outChannels(); co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b[co];
                        for (int ci = 0; ci < g.inChannels(); ci++) {
                            for (int ky = 0; ky < g.kernelHeight(); ky++) {
                                int iy = oy * g.stride() - g.padding() + ky;
                                if (iy < 0 || iy >= g.inHeight()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kernelWidth(); kx++) {
                                    int ix = ox * g.stride() - g.padding() + kx;
                                    if (ix < 0 || ix >= g.inWidth()) {
                                        continue;
                                    }
                                    s += w[((co * g.inChannels() + ci) * g.kernelHeight() + ky) * g.kernelWidth() + kx]
                                            * x[((img * g.inChannels() + ci) * g.inHeight() + iy) * g.inWidth() + ix];
                                }
                            }
                        }
                        y[((img * g.outChannels() + co) * oh + oy) * ow + ox] = relu ? Math.max(0, s) : s;
                    }
                }
            }
        }
        return y;
    }
}
