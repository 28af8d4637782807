package org.siamese4j.engine.layer;

import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/** max(x, 0), element-wise. (Conv2d and Dense can also fuse it.) */
public final class ReLU extends Layer {
    private float[] out;
    private float[] gradIn;
    private int batch;

    public ReLU(Kernels kernels, int... shape) {
        super(kernels, shape, shape);
    }

    @Override
    public String kind() {
        return "relu";
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        out = grow(out, x.size());
        kernels.reluForward(x.data, x.offset, out, 0, x.size());
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!inputGradientNeeded()) {
            return null;
        }
        gradIn = grow(gradIn, dy.size());
        kernels.reluBackward(out, 0, dy.data, dy.offset, gradIn, 0, dy.size());
        return Tensor.wrap(gradIn, 0, withBatch(batch, inShape));
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }
}
