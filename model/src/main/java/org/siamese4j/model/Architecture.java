package org.siamese4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.siamese4j.engine.layer.Activation;

/**
 * A Siamese network's architecture: the input size and the tower. The head is always the L1 join
 * |h1 - h2|, a dense layer to one logit and a sigmoid.
 */
public record Architecture(String name, int inputHeight, int inputWidth, List<LayerSpec> tower) {
    public static final int MAX_INPUT = 4096;
    public static final int MAX_LAYERS = 64;

    public Architecture {
        if (inputHeight < 1 || inputWidth < 1 || inputHeight > MAX_INPUT || inputWidth > MAX_INPUT) {
            throw new IllegalArgumentException("input size must be 1.." + MAX_INPUT + ", got " + inputWidth + "x" + inputHeight);
        }
        if (tower.isEmpty() || tower.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("a tower needs 1.." + MAX_LAYERS + " layers, got " + tower.size());
        }
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("architecture name must be 1-64 letters, digits, '_', '.' or '-'");
        }
        tower = List.copyOf(tower);
    }

    /** The net of Koch, Zemel and Salakhutdinov (2015) at 105x105: 38,951,745 parameters with the head. */
    public static Architecture koch() {
        return new Architecture("koch", 105, 105, LayerSpec.parseList(
                "conv 10x10 64 relu; pool 2; conv 7x7 128 relu; pool 2; conv 4x4 128 relu; pool 2; conv 4x4 256 relu; dense 4096 sigmoid"));
    }

    /** The PyTorch peer's small28 net: four conv3x3(64, pad 1) + ReLU + pool blocks, then dense 128. */
    public static Architecture small28() {
        return new Architecture("small28", 28, 28, LayerSpec.parseList(
                "conv 3x3 64 pad=1 relu; pool 2; conv 3x3 64 pad=1 relu; pool 2; conv 3x3 64 pad=1 relu; pool 2;"
                        + " conv 3x3 64 pad=1 relu; pool 2; dense 128 sigmoid"));
    }

    /**
     * The compact net for 2 CPU cores: four conv3x3 + batch-norm + ReLU + pool blocks on 48x48 input, then
     * a 256-d sigmoid embedding (260,161 parameters). Chosen by measurement on Omniglot validation alphabets:
     * 48 px beat 32 px (74.7% vs 72.6% 20-way within-alphabet after 3000 steps); see the README.
     */
    public static Architecture compact() {
        return new Architecture("compact", 48, 48, LayerSpec.parseList(
                "conv 3x3 64 pad=1 bn relu; pool 2; conv 3x3 64 pad=1 bn relu; pool 2; conv 3x3 64 pad=1 bn relu; pool 2;"
                        + " conv 3x3 64 pad=1 bn relu; pool 2; dense 256 sigmoid"));
    }

    public static List<String> presetNames() {
        return List.of("koch", "compact", "small28");
    }

    public static Architecture preset(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "koch":
                return koch();
            case "compact":
                return compact();
            case "small28":
                return small28();
            default:
                throw new IllegalArgumentException("unknown preset '" + name + "' (use " + String.join(", ", presetNames()) + ")");
        }
    }

    /** Same tower at another input size (e.g. a compact net for faces). */
    public Architecture withInput(String newName, int height, int width) {
        return new Architecture(newName, height, width, tower);
    }

    public String towerSpec() {
        List<String> items = new ArrayList<>();
        for (LayerSpec s : tower) {
            items.add(s.format());
        }
        return String.join("; ", items);
    }

    /** The embedding size (output of the tower), derived by walking the shapes. */
    public int embeddingSize() {
        return Shapes.walk(this).embeddingSize();
    }

    /** Total parameter count including the head, computed without allocating. */
    public long parameterCount() {
        return Shapes.walk(this).parameters() + embeddingSize() + 1L;
    }

    /** Multiply-adds of one tower pass for one image. */
    public long forwardMacsPerImage() {
        return Shapes.walk(this).macs();
    }

    public Activation lastActivation() {
        return tower.get(tower.size() - 1).activation();
    }
}
