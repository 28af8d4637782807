package org.siamese4j.engine.layer;

import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.PoolGeometry;
import org.siamese4j.engine.Tensor;

/** Max-pooling over square windows (2x2, stride 2 by default), floor rounding. */
public final class MaxPool2d extends Layer {
    private final PoolGeometry unit;
    private float[] out;
    private int[] argmax;
    private float[] gradIn;
    private int batch;

    public MaxPool2d(Kernels kernels, int channels, int height, int width, int window, int stride) {
        this(kernels, new PoolGeometry(1, channels, height, width, window, stride));
    }

    public MaxPool2d(Kernels kernels, int channels, int height, int width) {
        this(kernels, channels, height, width, 2, 2);
    }

    private MaxPool2d(Kernels kernels, PoolGeometry g) {
        super(kernels, new int[] {g.channels(), g.inHeight(), g.inWidth()}, new int[] {g.channels(), g.outHeight(), g.outWidth()});
        this.unit = g;
    }

    @Override
    public String kind() {
        return "maxpool" + unit.window() + "x" + unit.window();
    }

    @Override
    public Tensor forward(Tensor x) {
        batch = batchOf(x, "input");
        int n = batch * outputSize();
        out = grow(out, n);
        if (argmax == null || argmax.length < n) {
            argmax = new int[n];
        }
        kernels.maxPoolForward(unit.withBatch(batch), x.data, x.offset, out, 0, argmax);
        return Tensor.wrap(out, 0, withBatch(batch, outShape));
    }

    @Override
    public Tensor backward(Tensor dy) {
        checkGradOutput(dy, batch);
        if (!inputGradientNeeded()) {
            return null;
        }
        gradIn = grow(gradIn, batch * inputSize());
        kernels.maxPoolBackward(unit.withBatch(batch), dy.data, dy.offset, argmax, gradIn, 0);
        return Tensor.wrap(gradIn, 0, withBatch(batch, inShape));
    }

    @Override
    public double[] referenceForward(double[] x, int n, double[][] params) {
        return reference(unit, x, n);
    }

    /** The max of each window of g (batch ignored) over n samples, in double precision with naive loops. */
    static double[] reference(PoolGeometry g, double[] x, int n) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        double[] y = new double[n * g.outSize()];
        for (int plane = 0; plane < n * g.channels(); plane++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < g.window(); dy++) {
                        for (int dx = 0; dx < g.window(); dx++) {
                            best = Math.max(best, x[(plane * g.inHeight() + oy * g.stride() + dy) * g.inWidth() + ox * g.stride() + dx]);
                        }
                    }
                    y[(plane * oh + oy) * ow + ox] = best;
                }
            }
        }
        return y;
    }
}
