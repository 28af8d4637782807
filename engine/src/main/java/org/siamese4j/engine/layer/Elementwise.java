package org.siamese4j.engine.layer;

import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/** A layer applying one function to every element; backward needs only its output. */
abstract class Elementwise extends Layer {
    private float[] out;
    private float[] gradIn;
    private int batch;

    Elementwise(Kernels kernels, int... shape) {
        super(kernels, shape, shape);
    }

    /** y = f(x) over n elements. */
    abstract void apply(float[] x, int xOff, float[] y, int n);

    /** dx = dy * f'(x), from the output y. */
    abstract void derive(float[] y, float[] dy, int dyOff, float[] dx, int n);

    /** f in double precision, for the gradient check. */
    abstract double reference(double x);

    @Override
    public final Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        out = grow(out, x.size());
        apply(x.data, x.offset, out, x.size());
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public final Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!inputGradientNeeded()) {
            return null;
        }
        gradIn = grow(gradIn, dy.size());
        derive(out, dy.data, dy.offset, gradIn, dy.size());
        return Tensor.wrap(gradIn, 0, withBatch(batch, inShape));
    }

    @Override
    public final double[] referenceForward(double[] x, int n, double[][] params) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = reference(x[i]);
        }
        return y;
    }
}
