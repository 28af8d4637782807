package org.siamese4j.engine.layer;

import java.util.Locale;

/** An activation fused into the layer before it (saves a pass over memory and a buffer). */
public enum Activation {
    NONE, RELU, SIGMOID;

    public static Activation parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown activation '" + s + "' (use none, relu or sigmoid)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    double apply(double x) {
        switch (this) {
            case RELU:
                return x > 0 ? x : 0;
            case SIGMOID:
                return 1.0 / (1.0 + Math.exp(-x));
            default:
                return x;
        }
    }
}
