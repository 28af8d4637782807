package org.siamese4j.model;

/** The training loss and its two parts: binary cross-entropy and L2 weight decay. */
public record LossParts(double total, double crossEntropy, double weightDecay, int pairs) {
    public boolean finite() {
        return Double.isFinite(total);
    }
}
