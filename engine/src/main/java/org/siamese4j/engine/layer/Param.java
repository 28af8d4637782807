package org.siamese4j.engine.layer;

import org.siamese4j.engine.Tensor;

/**
 * A named parameter tensor of a layer and its gradient. Both are views into the buffers of a
 * {@link ParamSet}, so an optimizer can sweep all parameters in one pass.
 */
public final class Param {
    /**
     * What the parameter is for: initialisers treat weights and biases differently, weight decay applies
     * to weights, and statistics (batch-norm running mean and variance) are stored but never trained.
     */
    public enum Role {
        WEIGHT, BIAS, SCALE, SHIFT, STATISTIC;

        public boolean trained() {
            return this != STATISTIC;
        }
    }

    private final String name;
    private final Role role;
    private final int[] shape;
    private final int size;
    private Tensor value;
    private Tensor grad;

    public Param(String name, Role role, int... shape) {
        this.name = name;
        this.role = role;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("parameter " + name + " has a non-positive dimension");
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parameter " + name + " is too large");
        }
        this.size = (int) n;
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return size;
    }

    /** The values; throws until the parameter is bound to a {@link ParamSet}. */
    public Tensor value() {
        if (value == null) {
            throw new IllegalStateException("parameter " + name + " is not bound to a ParamSet");
        }
        return value;
    }

    /** The gradient; throws when the parameter set was made without gradients (inference only). */
    public Tensor grad() {
        if (grad == null) {
            throw new IllegalStateException("parameter " + name + " has no gradient buffer (inference-only parameters)");
        }
        return grad;
    }

    public boolean isBound() {
        return value != null;
    }

    public boolean hasGrad() {
        return grad != null;
    }

    void bind(float[] values, float[] grads, int offset) {
        this.value = Tensor.wrap(values, offset, shape);
        this.grad = grads == null ? null : Tensor.wrap(grads, offset, shape);
    }
}
