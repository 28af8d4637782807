package org.siamese4j.engine.layer;

import org.siamese4j.engine.Tensor;

/** [C, H, W] -> [C*H*W]: a view, no copy. */
public final class Flatten extends Layer {
    private int batch;

    public Flatten(int... inShape) {
        super(null, inShape, new int[] {sizeOf(inShape)});
    }

    @Override
    public String kind() {
        return "flatten";
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        return x.reshape(batch, outputSize());
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        return inputGradientNeeded() ? dy.reshape(withBatch(batch, inShape)) : null;
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        return x.clone();
    }
}
