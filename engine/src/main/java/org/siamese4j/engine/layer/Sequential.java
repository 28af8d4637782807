package org.siamese4j.engine.layer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.siamese4j.engine.Tensor;

/** Layers applied in order; backward runs them in reverse. */
public final class Sequential {
    private final List<Layer> layers;

    public Sequential(List<? extends Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            int[] prev = layers.get(i - 1).outputShape();
            int[] next = layers.get(i).inputShape();
            if (!Arrays.equals(prev, next)) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i).kind() + ") expects "
                        + Arrays.toString(next) + " but layer " + (i - 1) + " (" + layers.get(i - 1).kind()
                        + ") gives " + Arrays.toString(prev));
            }
        }
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        // nothing upstream of the first layer wants its input gradient
        this.layers.get(0).setInputGradientNeeded(false);
    }

    public List<Layer> layers() {
        return layers;
    }

    public int[] inputShape() {
        return layers.get(0).inputShape();
    }

    public int[] outputShape() {
        return layers.get(layers.size() - 1).outputShape();
    }

    public Tensor forward(Tensor x) {
        Tensor t = x;
        for (Layer l : layers) {
            t = l.forward(t);
        }
        return t;
    }

    /** Adds parameter gradients; the output gradient may be overwritten. */
    public void backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= 0 && g != null; i--) {
            g = layers.get(i).backward(g);
        }
    }

    public void setTraining(boolean training) {
        for (Layer l : layers) {
            l.setTraining(training);
        }
    }

    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.params());
        }
        return all;
    }

    public long forwardMacsPerSample() {
        long m = 0;
        for (Layer l : layers) {
            m += l.forwardMacsPerSample();
        }
        return m;
    }
}
