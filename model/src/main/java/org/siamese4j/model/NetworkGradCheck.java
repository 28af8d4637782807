package org.siamese4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.check.GradCheck;
import org.siamese4j.engine.layer.Layer;
import org.siamese4j.engine.layer.Param;

/**
 * The gradient check of the whole Siamese network: the analytic gradient of the full loss (binary
 * cross-entropy over the pairs plus L2 weight decay) for every parameter tensor, both towers' shared
 * weights and the head included, against central differences of a double-precision reference of the
 * same network. Same bound and error measure as the per-layer checks in the engine.
 */
public final class NetworkGradCheck {
    private NetworkGradCheck() {
    }

    /** A small instance with every kind of layer: conv (plain, padded, batch-norm), pool and dense. */
    public static Architecture smallInstance() {
        return new Architecture("gradcheck", 14, 13, LayerSpec.parseList(
                "conv 3x3 3 relu; pool 2; conv 3x3 4 pad=1 bn relu; pool 2; conv 2x2 5 relu; dense 6 sigmoid"));
    }

    /**
     * A scaled-down compact: its blocks of conv, batch norm, ReLU and pool, at 8x20 with few filters, so that the
     * first block is the fused one ({@code ConvBatchNormPool}) on rows of a SIMD vector and a tail.
     */
    public static Architecture smallCompact() {
        return new Architecture("gradcheck-compact", 8, 20, LayerSpec.parseList(
                "conv 3x3 8 pad=1 bn relu; pool 2; conv 3x3 8 pad=1 bn relu; pool 2; dense 6 sigmoid"));
    }

    /** A scaled-down koch: the paper's layer kinds at 20x20 with few filters. */
    public static Architecture smallKoch() {
        return new Architecture("gradcheck-koch", 20, 20, LayerSpec.parseList(
                "conv 5x5 4 relu; pool 2; conv 3x3 4 relu; pool 2; conv 2x2 6 relu; dense 8 sigmoid"));
    }

    /** Runs the check: 3 Koch pairs over 6 images plus a few extra pairs among them, L2 on every layer. */
    public static GradCheck.Report run(Architecture arch, Kernels kernels, long seed, double bound) {
        return run(arch, kernels, seed, bound, PairLoss.BCE);
    }

    /** The same with another training loss. */
    public static GradCheck.Report run(Architecture arch, Kernels kernels, long seed, double bound, PairLoss pairLoss) {
        SiameseNet net = SiameseNet.create(arch, kernels, true);
        Initializer.HE.initialize(net, seed);
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        // perturb scales and shifts away from 1 and 0 so their gradients are generic
        for (SiameseNet.ParamGroup g : net.groups()) {
            for (Param p : g.params()) {
                if (p.role() == Param.Role.SCALE || p.role() == Param.Role.SHIFT || p.role() == Param.Role.BIAS) {
                    Tensor v = p.value();
                    for (int i = 0; i < v.size(); i++) {
                        v.set(i, v.get(i) + (float) rnd.nextDouble(-0.3, 0.3));
                    }
                }
            }
        }
        int images = 6;
        float[] x = new float[images * net.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        PairBatch pairs = new PairBatch();
        pairs.add(0, 3, true, 1f);
        pairs.add(1, 4, false, 1f);
        pairs.add(2, 5, true, 1f);
        pairs.add(0, 1, false, 0.5f);
        pairs.add(4, 2, true, 2f);
        pairs.add(4, 5, false, 1f);
        pairs.add(0, 2, false, 1f);
        double[] l2 = new double[net.groups().size()];
        for (int i = 0; i < l2.length; i++) {
            l2[i] = 0.01 * (i + 1);
        }
        net.params().zeroGrads();
        net.forwardBackward(x, images, pairs, l2, pairLoss);

        // double-precision copies of every parameter, per layer in network order
        List<Layer> layers = new ArrayList<>(net.tower().layers());
        layers.add(net.head());
        double[][][] pd = new double[layers.size()][][];
        for (int li = 0; li < layers.size(); li++) {
            List<Param> ps = layers.get(li).params();
            pd[li] = new double[ps.size()][];
            for (int pi = 0; pi < ps.size(); pi++) {
                Tensor v = ps.get(pi).value();
                pd[li][pi] = new double[v.size()];
                for (int j = 0; j < v.size(); j++) {
                    pd[li][pi][j] = v.get(j);
                }
            }
        }
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        GradCheck.Objective loss = () -> referenceLoss(net, layers, pd, xd, images, pairs, l2, pairLoss);
        List<GradCheck.TensorError> errors = new ArrayList<>();
        for (int li = 0; li < layers.size(); li++) {
            List<Param> ps = layers.get(li).params();
            for (int pi = 0; pi < ps.size(); pi++) {
                Param p = ps.get(pi);
                if (!p.role().trained()) {
                    continue;
                }
                String name = groupOf(net, p) + "/" + p.name();
                errors.add(GradCheck.compare(name, pd[li][pi], loss, p.grad().data, p.grad().offset));
            }
        }
        return new GradCheck.Report(arch.name(), errors, bound);
    }

    private static String groupOf(SiameseNet net, Param p) {
        for (SiameseNet.ParamGroup g : net.groups()) {
            if (g.params().contains(p)) {
                return g.name();
            }
        }
        return "?";
    }

    /** The loss in double precision: the network's reference forward, L1 join, head, the pair loss and L2. */
    static double referenceLoss(SiameseNet net, List<Layer> layers, double[][][] pd, double[] x, int images,
                                PairBatch pairs, double[] l2, PairLoss pairLoss) {
        int towerLayers = layers.size() - 1;
        double[] t = x;
        for (int li = 0; li < towerLayers; li++) {
            t = layers.get(li).referenceForward(t, images, pd[li]);
        }
        int d = net.embeddingSize();
        double[] w = pd[towerLayers][0];
        double b = pd[towerLayers][1][0];
        double[] z = new double[pairs.size()];
        for (int p = 0; p < pairs.size(); p++) {
            z[p] = b;
            int l = pairs.left(p) * d;
            int r = pairs.right(p) * d;
            for (int i = 0; i < d; i++) {
                z[p] += w[i] * Math.abs(t[l + i] - t[r + i]);
            }
        }
        double pairTerm = pairLoss.value(z, pairs, images);
        double decay = 0;
        for (int gi = 0; gi < net.groups().size(); gi++) {
            for (Param p : net.groups().get(gi).params()) {
                if (p.role() != Param.Role.WEIGHT) {
                    continue;
                }
                double[] v = valuesOf(layers, pd, p);
                double sq = 0;
                for (double e : v) {
                    sq += e * e;
                }
                decay += 0.5 * l2[gi] * sq;
            }
        }
        return pairTerm + decay;
    }

    private static double[] valuesOf(List<Layer> layers, double[][][] pd, Param p) {
        for (int li = 0; li < layers.size(); li++) {
            int pi = layers.get(li).params().indexOf(p);
            if (pi >= 0) {
                return pd[li][pi];
            }
        }
        throw new IllegalStateException("parameter not found");
    }
}
