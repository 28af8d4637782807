package org.siamese4j.engine.layer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Every parameter of a network in one contiguous buffer, with an optional gradient buffer of the same layout. */
public final class ParamSet {
    private final List<Param> params;
    private final float[] values;
    private final float[] grads;

    private ParamSet(List<Param> params, boolean withGradients, float[] shared) {
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        long total = 0;
        for (Param p : params) {
            total += p.size();
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("network has " + total + " parameters, more than one buffer holds");
        }
        if (shared != null && shared.length != total) {
            throw new IllegalArgumentException("shared buffer of " + shared.length + " floats for " + total + " parameters");
        }
        this.values = shared != null ? shared : new float[(int) total];
        this.grads = withGradients ? new float[(int) total] : null;
        int offset = 0;
        for (Param p : params) {
            p.bind(values, grads, offset);
            offset += p.size();
        }
    }

    /** Binds the parameters of these layers, in order, to fresh buffers. */
    public static ParamSet of(List<? extends Layer> layers, boolean withGradients) {
        List<Param> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.params());
        }
        return new ParamSet(all, withGradients, null);
    }

    /** Binds these layers to an existing value buffer (weights shared with another network, no gradients). */
    public static ParamSet sharing(List<? extends Layer> layers, float[] values) {
        List<Param> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.params());
        }
        return new ParamSet(all, false, values);
    }

    public static ParamSet of(Layer layer) {
        return of(List.of(layer), true);
    }

    public List<Param> params() {
        return params;
    }

    public float[] values() {
        return values;
    }

    /** The gradient buffer, or null for an inference-only set. */
    public float[] grads() {
        return grads;
    }

    public int size() {
        return values.length;
    }

    public void zeroGrads() {
        if (grads != null) {
            java.util.Arrays.fill(grads, 0f);
        }
    }

    /** Offset of a parameter in the shared buffers. */
    public int offsetOf(Param p) {
        return p.value().offset;
    }
}
