package org.siamese4j.engine.layer;

import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/** 1 / (1 + exp(-x)), element-wise. (Dense can also fuse it.) */
public final class Sigmoid extends Layer {
    private float[] out;
    private float[] gradIn;
    private int batch;

    public Sigmoid(Kernels kernels, int... shape) {
        super(kernels, shape, shape);
    }

    @Override
    public String kind() {
        return "sigmoid";
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        out = grow(out, x.size());
        kernels.sigmoidForward(x.data, x.offset, out, 0, x.size());
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!inputGradientNeeded()) {
            return null;
        }
        gradIn = grow(gradIn, dy.size());
        kernels.sigmoidBackward(out, 0, dy.data, dy.offset, gradIn, 0, dy.size());
        return Tensor.wrap(gradIn, 0, withBatch(batch, inShape));
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 1.0 / (1.0 + Math.exp(-x[i]));
        }
        return y;
    }
}
