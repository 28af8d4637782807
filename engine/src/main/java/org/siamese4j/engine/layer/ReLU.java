package org.siamese4j.engine.layer;

import org.siamese4j.engine.Kernels;

/** max(x, 0), element-wise. (Conv2d, Dense and BatchNorm can also fuse it.) */
public final class ReLU extends Elementwise {
    public ReLU(Kernels kernels, int... shape) {
        super(kernels, shape);
    }

    @Override
    public String kind() {
        return "relu";
    }

    @Override
    void apply(float[] x, int xOff, float[] y, int n) {
        kernels.reluForward(x, xOff, y, 0, n);
    }

    @Override
    void derive(float[] y, float[] dy, int dyOff, float[] dx, int n) {
        kernels.reluBackward(y, 0, dy, dyOff, dx, 0, n);
    }

    @Override
    double reference(double x) {
        return Math.max(0, x);
    }
}
