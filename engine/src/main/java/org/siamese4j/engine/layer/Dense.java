package org.siamese4j.engine.layer;

import java.util.List;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/** y = act(x W^T + b), by way of GEMM. W is [out][in]. */
public final class Dense extends Layer {
    private final int in;
    private final int outDim;
    private final Activation activation;
    private final Param weight;
    private final Param bias;
    private Tensor input;
    private float[] out;
    private float[] gradIn;
    private int batch;

    public Dense(Kernels kernels, int in, int out, Activation activation) {
        super(kernels, new int[] {in}, new int[] {out});
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("dense layer sizes must be positive, got " + in + " -> " + out);
        }
        this.in = in;
        this.outDim = out;
        this.activation = activation;
        this.weight = new Param("weight", Param.Role.WEIGHT, out, in);
        this.bias = new Param("bias", Param.Role.BIAS, out);
    }

    @Override
    public String kind() {
        return "dense" + (activation == Activation.NONE ? "" : "+" + activation.label());
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public List<Param> params() {
        return List.of(weight, bias);
    }

    public Param weight() {
        return weight;
    }

    public Param bias() {
        return bias;
    }

    @Override
    public long forwardMacsPerSample() {
        return (long) in * outDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        input = x;
        int n = batch * outDim;
        out = grow(out, n);
        Tensor w = weight.value();
        Tensor b = bias.value();
        kernels.gemm(false, true, batch, outDim, in, 1f, x.data, x.offset, in, w.data, w.offset, in, 0f, out, 0, outDim);
        kernels.addRowVector(out, 0, batch, outDim, b.data, b.offset);
        if (activation == Activation.RELU) {
            kernels.reluForward(out, 0, out, 0, n);
        } else if (activation == Activation.SIGMOID) {
            kernels.sigmoidForward(out, 0, out, 0, n);
        }
        return Tensor.wrap(out, 0, batch, outDim);
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        int n = batch * outDim;
        // through the activation, in place in dy
        if (activation == Activation.RELU) {
            kernels.reluBackward(out, 0, dy.data, dy.offset, dy.data, dy.offset, n);
        } else if (activation == Activation.SIGMOID) {
            kernels.sigmoidBackward(out, 0, dy.data, dy.offset, dy.data, dy.offset, n);
        }
        Tensor w = weight.value();
        Tensor dw = weight.grad();
        Tensor db = bias.grad();
        // dW += dZ^T x ; db += column sums of dZ
        kernels.gemm(true, false, outDim, in, batch, 1f, dy.data, dy.offset, outDim, input.data, input.offset, in,
                1f, dw.data, dw.offset, in);
        kernels.accumulateColumnSums(dy.data, dy.offset, batch, outDim, db.data, db.offset);
        if (!inputGradientNeeded()) {
            return null;
        }
        gradIn = grow(gradIn, batch * in);
        kernels.gemm(false, false, batch, in, outDim, 1f, dy.data, dy.offset, outDim, w.data, w.offset, in, 0f, gradIn, 0, in);
        return Tensor.wrap(gradIn, 0, batch, in);
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        double[] w = params[0];
        double[] b = params[1];
        double[] y = new double[n * outDim];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < outDim; o++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    acc += w[o * in + i] * x[s * in + i];
                }
                y[s * outDim + o] = activation.apply(acc);
            }
        }
        return y;
    }
}
