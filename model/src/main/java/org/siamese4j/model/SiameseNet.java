package org.siamese4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.layer.Activation;
import org.siamese4j.engine.layer.BatchNorm;
import org.siamese4j.engine.layer.Conv2d;
import org.siamese4j.engine.layer.ConvBatchNormPool;
import org.siamese4j.engine.layer.Dense;
import org.siamese4j.engine.layer.Flatten;
import org.siamese4j.engine.layer.Layer;
import org.siamese4j.engine.layer.MaxPool2d;
import org.siamese4j.engine.layer.Param;
import org.siamese4j.engine.layer.ParamSet;
import org.siamese4j.engine.layer.Sequential;

/**
 * The Siamese network: one tower applied to every image of a batch (so both branches share weights and
 * their gradients add up), the L1 join |h1 - h2| of the pairs, and a dense head to one logit; p(same)
 * is its sigmoid. Not thread-safe: it keeps activations; see {@link #sharingWeights()} for another
 * instance on the same weights.
 */
public final class SiameseNet {
    private final Architecture architecture;
    private final Kernels kernels;
    private final Sequential tower;
    private final Dense head;
    private final ParamSet params;
    private final List<ParamGroup> groups;
    private final int embedding;
    // reusable buffers
    private float[] joined = new float[0];
    private float[] logitGrad = new float[0];
    private final PairLoss.Scratch lossScratch = new PairLoss.Scratch();
    private float[] embeddingGrad = new float[0];
    private float[] scratchLeft = new float[0];
    private float[] scratchRight = new float[0];

    /** A trainable layer's parameters, for per-layer learning rates and weight decay. */
    public record ParamGroup(String name, List<Param> params) {
    }

    private SiameseNet(Architecture architecture, Kernels kernels, boolean withGradients, float[] sharedValues) {
        this.architecture = architecture;
        this.kernels = kernels;
        this.embedding = architecture.embeddingSize();
        List<Layer> layers = new ArrayList<>();
        List<ParamGroup> g = new ArrayList<>();
        int c = 1;
        int h = architecture.inputHeight();
        int w = architecture.inputWidth();
        boolean flat = false;
        int convs = 0;
        int denses = 0;
        List<LayerSpec> specs = architecture.tower();
        for (int at = 0; at < specs.size(); at++) {
            LayerSpec s = specs.get(at);
            switch (s.kind()) {
                case CONV: {
                    Activation convAct = s.batchNorm() ? Activation.NONE : s.activation();
                    Conv2d conv = new Conv2d(kernels, c, h, w, s.size(), s.kernel(), s.stride(), s.padding(), convAct, !s.batchNorm());
                    boolean first = layers.isEmpty();
                    List<Param> ps = new ArrayList<>(conv.params());
                    c = s.size();
                    h = conv.outputShape()[1];
                    w = conv.outputShape()[2];
                    if (!s.batchNorm()) {
                        layers.add(conv);
                    } else {
                        // a pool right after it joins it: one pass over the block's largest tensor, not three
                        LayerSpec next = at + 1 < specs.size() ? specs.get(at + 1) : null;
                        boolean pooled = next != null && next.kind() == LayerSpec.Kind.POOL;
                        BatchNorm bn = pooled
                                ? BatchNorm.withMaxPool(kernels, new int[] {c, h, w}, s.activation(), next.size(), next.size())
                                : new BatchNorm(kernels, new int[] {c, h, w}, s.activation());
                        if (first && pooled && ConvBatchNormPool.fits(conv.geometry())) {
                            // the whole first block as one: its convolution's output is never stored
                            layers.add(new ConvBatchNormPool(kernels, conv, bn));
                        } else {
                            layers.add(conv);
                            layers.add(bn);
                        }
                        ps.addAll(bn.params());
                        if (pooled) {
                            h = bn.outputShape()[1];
                            w = bn.outputShape()[2];
                            at++;
                        }
                    }
                    g.add(new ParamGroup("conv" + (++convs), ps));
                    break;
                }
                case POOL: {
                    MaxPool2d pool = new MaxPool2d(kernels, c, h, w, s.size(), s.size());
                    layers.add(pool);
                    h = pool.outputShape()[1];
                    w = pool.outputShape()[2];
                    break;
                }
                default: {
                    int in = flat ? c : c * h * w;
                    if (!flat) {
                        layers.add(new Flatten(c, h, w));
                    }
                    Dense d = new Dense(kernels, in, s.size(), s.batchNorm() ? Activation.NONE : s.activation());
                    layers.add(d);
                    List<Param> ps = new ArrayList<>(d.params());
                    if (s.batchNorm()) {
                        BatchNorm bn = new BatchNorm(kernels, new int[] {s.size()}, s.activation());
                        layers.add(bn);
                        ps.addAll(bn.params());
                    }
                    g.add(new ParamGroup("dense" + (++denses), ps));
                    c = s.size();
                    h = 1;
                    w = 1;
                    flat = true;
                }
            }
        }
        if (!flat) {
            layers.add(new Flatten(c, h, w));
        }
        this.tower = new Sequential(layers);
        this.head = new Dense(kernels, embedding, 1, Activation.NONE);
        g.add(new ParamGroup("head", head.params()));
        this.groups = Collections.unmodifiableList(g);
        List<Layer> all = new ArrayList<>(layers);
        all.add(head);
        this.params = sharedValues == null ? ParamSet.of(all, withGradients) : ParamSet.sharing(all, sharedValues);
        tower.setTraining(withGradients);
    }

    /** A network with fresh (zero) parameters; initialise them with {@link Initializer}. */
    public static SiameseNet create(Architecture architecture, Kernels kernels, boolean withGradients) {
        return new SiameseNet(architecture, kernels, withGradients, null);
    }

    /** Another inference-only instance on the same weights, for use from another thread. */
    public SiameseNet sharingWeights() {
        return new SiameseNet(architecture, kernels, false, params.values());
    }

    public Architecture architecture() {
        return architecture;
    }

    public Kernels kernels() {
        return kernels;
    }

    public ParamSet params() {
        return params;
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    public Sequential tower() {
        return tower;
    }

    public Dense head() {
        return head;
    }

    public int embeddingSize() {
        return embedding;
    }

    public int inputSize() {
        return architecture.inputHeight() * architecture.inputWidth();
    }

    /**
     * One training pass: towers over {@code n} images, the head over the pairs, binary cross-entropy from
     * the logits (stable form), plus weight decay (l2[g] / 2) * ||W||^2 on each group's weights. Adds the
     * gradients of the total loss to the gradient buffer (the caller zeroes it between steps).
     */
    public LossParts forwardBackward(float[] images, int n, PairBatch pairs, double[] l2PerGroup) {
        return forwardBackward(images, n, pairs, l2PerGroup, PairLoss.BCE);
    }

    /** The same with another loss on the pair logits (see {@link PairLoss}). */
    public LossParts forwardBackward(float[] images, int n, PairBatch pairs, double[] l2PerGroup, PairLoss loss) {
        checkImages(images, n);
        if (pairs.size() == 0) {
            throw new IllegalArgumentException("no pairs to train on");
        }
        tower.setTraining(true);
        Tensor emb = tower.forward(Tensor.of(images, n, 1, architecture.inputHeight(), architecture.inputWidth()));
        int p = pairs.size();
        Tensor logits = headForward(emb, pairs);
        // loss and its gradient with respect to each logit
        logitGrad = grow(logitGrad, p);
        double pairLoss = loss.lossAndGradient(logits.data, logits.offset, pairs, n, logitGrad, lossScratch);
        Tensor dJoined = head.backward(Tensor.of(logitGrad, p, 1));
        // through the L1 join: each pair adds to the gradients of its two embeddings
        embeddingGrad = grow(embeddingGrad, n * embedding);
        Arrays.fill(embeddingGrad, 0, n * embedding, 0f);
        scratchLeft = grow(scratchLeft, embedding);
        scratchRight = grow(scratchRight, embedding);
        for (int i = 0; i < p; i++) {
            int l = pairs.left(i) * embedding;
            int r = pairs.right(i) * embedding;
            kernels.l1JoinBackward(emb.data, emb.offset + l, emb.data, emb.offset + r, dJoined.data, dJoined.offset + i * embedding,
                    scratchLeft, 0, scratchRight, 0, embedding);
            addInto(scratchLeft, embeddingGrad, l, embedding);
            addInto(scratchRight, embeddingGrad, r, embedding);
        }
        tower.backward(Tensor.of(embeddingGrad, n, embedding));
        double decay = applyWeightDecay(l2PerGroup);
        return new LossParts(pairLoss + decay, pairLoss, decay, p);
    }

    /** (l2/2)||W||^2 per group, added to the loss; l2 * W added to the gradients. */
    private double applyWeightDecay(double[] l2PerGroup) {
        if (l2PerGroup == null) {
            return 0;
        }
        if (l2PerGroup.length != groups.size()) {
            throw new IllegalArgumentException("weight decay for " + l2PerGroup.length + " groups, network has " + groups.size());
        }
        double total = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            double lambda = l2PerGroup[gi];
            if (lambda == 0) {
                continue;
            }
            for (Param prm : groups.get(gi).params()) {
                if (prm.role() != Param.Role.WEIGHT) {
                    continue;
                }
                Tensor v = prm.value();
                Tensor g = prm.grad();
                double sq = kernels.addWeightDecay(v.data, v.offset, g.data, g.offset, v.size(), (float) lambda);
                total += 0.5 * lambda * sq;
            }
        }
        return total;
    }

    private Tensor headForward(Tensor emb, PairBatch pairs) {
        int p = pairs.size();
        joined = grow(joined, p * embedding);
        for (int i = 0; i < p; i++) {
            int l = pairs.left(i);
            int r = pairs.right(i);
            if (l < 0 || r < 0 || l >= emb.dim(0) || r >= emb.dim(0)) {
                throw new IllegalArgumentException("pair " + i + " (" + l + ", " + r + ") outside a batch of " + emb.dim(0));
            }
            kernels.l1JoinForward(emb.data, emb.offset + l * embedding, emb.data, emb.offset + r * embedding, joined, i * embedding, embedding);
        }
        return head.forward(Tensor.of(joined, p, embedding));
    }

    /** Embeddings (tower outputs) of n preprocessed images, in inference mode: n x embeddingSize(). */
    public float[] embed(float[] images, int n) {
        checkImages(images, n);
        tower.setTraining(false);
        Tensor emb = tower.forward(Tensor.of(images, n, 1, architecture.inputHeight(), architecture.inputWidth()));
        return Arrays.copyOf(emb.data, n * embedding);
    }

    /** The head on two cached embeddings: the logit of p(same). No tower pass. */
    public float logit(float[] a, int aOff, float[] b, int bOff) {
        Tensor w = head.weight().value();
        double z = head.bias().value().get(0);
        for (int i = 0; i < embedding; i++) {
            z += w.get(i) * Math.abs(a[aOff + i] - b[bOff + i]);
        }
        return (float) z;
    }

    /** p(same) for two cached embeddings. */
    public float score(float[] a, int aOff, float[] b, int bOff) {
        return (float) sigmoid(logit(a, aOff, b, bOff));
    }

    public static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** The inverse of {@link #sigmoid}: the logit of a probability (infinite at 0 and 1). */
    public static double logitOf(double p) {
        return Math.log(p) - Math.log1p(-p);
    }

    public long forwardMacsPerImage() {
        return tower.forwardMacsPerSample();
    }

    private void checkImages(float[] images, int n) {
        if (n < 1 || images.length < (long) n * inputSize()) {
            throw new IllegalArgumentException(n + " images of " + architecture.inputWidth() + "x" + architecture.inputHeight()
                    + " need " + ((long) n * inputSize()) + " floats, got " + images.length);
        }
    }

    private static void addInto(float[] src, float[] dst, int off, int n) {
        for (int i = 0; i < n; i++) {
            dst[off + i] += src[i];
        }
    }

    private static float[] grow(float[] a, int n) {
        return a.length >= n ? a : new float[n];
    }
}
