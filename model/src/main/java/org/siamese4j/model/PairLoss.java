package org.siamese4j.model;

import java.util.Locale;

/**
 * The training loss on the head's pair logits z (p(same) = sigmoid(z)).
 *
 * <ul>
 *   <li>{@code BCE}: binary cross-entropy of every pair, weighted by the pair weights (Koch et al.).</li>
 *   <li>{@code BCE_SOFTMAX}: BCE plus, for every image that has a positive pair in the batch, the
 *   cross-entropy of picking its positives among all pairs it is in: -log(sum over its positive pairs of
 *   e^z / sum over all its pairs of e^z), averaged over those images. It trains the ranking that one-shot
 *   recognition uses (the best-scoring candidate wins) and needs batches of several classes with two or
 *   more images each.</li>
 * </ul>
 *
 * {@link #lossAndGradient} is the training path; {@link #value} is a plain double-precision statement of
 * the same loss that the gradient checks differentiate numerically.
 */
public enum PairLoss {
    BCE,
    BCE_SOFTMAX;

    public String cliName() {
        return this == BCE ? "bce" : "bce+softmax";
    }

    public static PairLoss parse(String name) {
        for (PairLoss l : values()) {
            if (l.cliName().equals(name.toLowerCase(Locale.ROOT))) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + name + "' (use bce or bce+softmax)");
    }

    /** Per-image sums of the softmax term, reused between steps (the training path allocates nothing). */
    public static final class Scratch {
        double[] max = new double[0];
        double[] all = new double[0];
        double[] positive = new double[0];

        void ensure(int images) {
            if (max.length < images) {
                max = new double[images];
                all = new double[images];
                positive = new double[images];
            }
        }
    }

    /**
     * The two cross-entropy parts of the loss of logits z[zOff..zOff + pairs.size()) over {@code images}
     * images; writes dLoss/dz into grad[0..pairs.size()).
     */
    public double lossAndGradient(float[] z, int zOff, PairBatch pairs, int images, float[] grad, Scratch s) {
        int p = pairs.size();
        double weightSum = 0;
        for (int k = 0; k < p; k++) {
            weightSum += pairs.weight(k);
        }
        double loss = 0;
        for (int k = 0; k < p; k++) {
            double zk = z[zOff + k];
            double y = pairs.label(k);
            double w = pairs.weight(k) / weightSum;
            loss += w * (Math.max(zk, 0) - zk * y + Math.log1p(Math.exp(-Math.abs(zk))));
            grad[k] = (float) (w * (SiameseNet.sigmoid(zk) - y));
        }
        if (this == BCE) {
            return loss;
        }
        s.ensure(images);
        java.util.Arrays.fill(s.max, 0, images, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(s.all, 0, images, 0);
        java.util.Arrays.fill(s.positive, 0, images, 0);
        for (int k = 0; k < p; k++) {
            s.max[pairs.left(k)] = Math.max(s.max[pairs.left(k)], z[zOff + k]);
            s.max[pairs.right(k)] = Math.max(s.max[pairs.right(k)], z[zOff + k]);
        }
        for (int k = 0; k < p; k++) {
            for (int side = 0; side < 2; side++) {
                int i = side == 0 ? pairs.left(k) : pairs.right(k);
                double e = Math.exp(z[zOff + k] - s.max[i]);
                s.all[i] += e;
                if (pairs.label(k) > 0.5f) {
                    s.positive[i] += e;
                }
            }
        }
        int queries = 0;
        double softmax = 0;
        for (int i = 0; i < images; i++) {
            if (s.positive[i] > 0) {
                queries++;
                softmax += Math.log(s.all[i]) - Math.log(s.positive[i]);
            }
        }
        if (queries == 0) {
            return loss;
        }
        // d/dz_k of query i's term: e^z_k / all_i - [k positive] e^z_k / positive_i
        for (int k = 0; k < p; k++) {
            double g = 0;
            for (int side = 0; side < 2; side++) {
                int i = side == 0 ? pairs.left(k) : pairs.right(k);
                if (s.positive[i] > 0) {
                    double e = Math.exp(z[zOff + k] - s.max[i]);
                    g += e / s.all[i] - (pairs.label(k) > 0.5f ? e / s.positive[i] : 0);
                }
            }
            grad[k] += (float) (g / queries);
        }
        return loss + softmax / queries;
    }

    /** The same loss, written plainly in double precision (the gradient checks' reference). */
    public double value(double[] z, PairBatch pairs, int images) {
        double weightSum = 0;
        for (int k = 0; k < pairs.size(); k++) {
            weightSum += pairs.weight(k);
        }
        double bce = 0;
        for (int k = 0; k < pairs.size(); k++) {
            double y = pairs.label(k);
            // -(y log p + (1 - y) log(1 - p)) with p = sigmoid(z), in the form that cannot overflow
            bce += pairs.weight(k) / weightSum * (Math.max(z[k], 0) - z[k] * y + Math.log1p(Math.exp(-Math.abs(z[k]))));
        }
        if (this == BCE) {
            return bce;
        }
        double softmax = 0;
        int queries = 0;
        for (int i = 0; i < images; i++) {
            double all = 0;
            double positive = 0;
            for (int k = 0; k < pairs.size(); k++) {
                if (pairs.left(k) == i || pairs.right(k) == i) {
                    all += Math.exp(z[k]);
                    positive += pairs.label(k) > 0.5f ? Math.exp(z[k]) : 0;
                }
            }
            if (positive > 0) {
                softmax += -Math.log(positive / all);
                queries++;
            }
        }
        return queries == 0 ? bce : bce + softmax / queries;
    }
}
