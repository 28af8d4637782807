package org.siamese4j.engine.layer;

import org.siamese4j.engine.Kernels;

/** 1 / (1 + exp(-x)), element-wise. (Dense can also fuse it.) */
public final class Sigmoid extends Elementwise {
    public Sigmoid(Kernels kernels, int... shape) {
        super(kernels, shape);
    }

    @Override
    public String kind() {
        return "sigmoid";
    }

    @Override
    void apply(float[] x, int xOff, float[] y, int n) {
        kernels.sigmoidForward(x, xOff, y, 0, n);
    }

    @Override
    void derive(float[] y, float[] dy, int dyOff, float[] dx, int n) {
        kernels.sigmoidBackward(y, 0, dy, dyOff, dx, 0, n);
    }

    @Override
    double reference(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }
}
