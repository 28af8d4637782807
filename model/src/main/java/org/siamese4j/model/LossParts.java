package org.siamese4j.model;

/**
 * The training loss and its two parts: the pair loss (binary cross-entropy, plus the softmax ranking term under
 * {@code bce+softmax}) and L2 weight decay.
 */
public record LossParts(double total, double pairLoss, double weightDecay, int pairs) {
    public boolean finite() {
        return Double.isFinite(total);
    }
}
