package org.siamese4j.model;

import java.util.Locale;
import java.util.SplittableRandom;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.layer.Param;

/** Parameter initialisation schemes, deterministic from a seed. */
public enum Initializer {
    /**
     * Koch et al. 2015: conv weights N(0, 1e-2), biases N(0.5, 1e-2), dense weights N(0, 2e-1)
     * (standard deviations).
     */
    PAPER,
    /** He et al.: weights N(0, sqrt(2 / fan-in)) (Xavier for sigmoid layers), biases 0. Trains faster from scratch. */
    HE;

    public static Initializer parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown initialisation '" + s + "' (use paper or he)");
        }
    }

    public void initialize(SiameseNet net, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.List<SiameseNet.ParamGroup> groups = net.groups();
        int specIndex = 0;
        java.util.List<LayerSpec> tower = net.architecture().tower();
        for (int gi = 0; gi < groups.size(); gi++) {
            SiameseNet.ParamGroup group = groups.get(gi);
            boolean isHead = gi == groups.size() - 1;
            LayerSpec spec = null;
            if (!isHead) {
                while (tower.get(specIndex).kind() == LayerSpec.Kind.POOL) {
                    specIndex++;
                }
                spec = tower.get(specIndex++);
            }
            boolean conv = spec != null && spec.kind() == LayerSpec.Kind.CONV;
            boolean sigmoid = isHead || (spec != null && spec.activation() == org.siamese4j.engine.layer.Activation.SIGMOID);
            for (Param p : group.params()) {
                Tensor v = p.value();
                switch (p.role()) {
                    case WEIGHT: {
                        int[] shape = p.shape();
                        int fanIn = v.size() / shape[0];
                        double std;
                        if (this == PAPER) {
                            std = conv ? 1e-2 : 2e-1;
                        } else {
                            std = sigmoid ? Math.sqrt(1.0 / fanIn) : Math.sqrt(2.0 / fanIn);
                        }
                        fillGaussian(v, rnd, 0, std);
                        break;
                    }
                    case BIAS:
                        if (this == PAPER) {
                            fillGaussian(v, rnd, 0.5, 1e-2);
                        } else {
                            v.fill(0f);
                        }
                        break;
                    case SCALE:
                        v.fill(1f);
                        break;
                    case SHIFT:
                        v.fill(0f);
                        break;
                    case STATISTIC:
                        // running mean 0, running variance 1
                        v.fill(p.name().contains("var") ? 1f : 0f);
                        break;
                    default:
                        throw new IllegalStateException("unknown role " + p.role());
                }
            }
        }
    }

    private static void fillGaussian(Tensor t, SplittableRandom rnd, double mean, double std) {
        for (int i = 0; i < t.size(); i++) {
            t.set(i, (float) (mean + std * rnd.nextGaussian()));
        }
    }
}
