package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairLossTest {
    /** 4 classes x 3 images, every pair, logits at random: the batch shape training uses. */
    private static PairBatch allPairs(int classes, int perClass) {
        PairBatch b = new PairBatch();
        int n = classes * perClass;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                boolean same = i / perClass == j / perClass;
                b.add(i, j, same, same ? 2f : 0.5f);
            }
        }
        return b;
    }

    @Test
    void gradientMatchesCentralDifferencesOfTheValue() {
        PairBatch pairs = allPairs(4, 3);
        SplittableRandom r = new SplittableRandom(3);
        for (PairLoss loss : PairLoss.values()) {
            float[] z = new float[pairs.size()];
            for (int k = 0; k < z.length; k++) {
                z[k] = (float) r.nextDouble(-4, 4);
            }
            float[] grad = new float[z.length];
            double fast = loss.lossAndGradient(z, 0, pairs, 12, grad, new PairLoss.Scratch());
            double[] zd = new double[z.length];
            for (int k = 0; k < z.length; k++) {
                zd[k] = z[k];
            }
            assertEquals(loss.value(zd, pairs, 12), fast, 1e-9, loss + " value");
            for (int k = 0; k < z.length; k++) {
                double h = 1e-5;
                zd[k] = z[k] + h;
                double up = loss.value(zd, pairs, 12);
                zd[k] = z[k] - h;
                double down = loss.value(zd, pairs, 12);
                zd[k] = z[k];
                assertEquals((up - down) / (2 * h), grad[k], 1e-6, loss + " d/dz " + k);
            }
        }
    }

    @Test
    void softmaxTermRewardsRankingThePartnerFirst() {
        PairBatch pairs = allPairs(3, 2);
        float[] right = new float[pairs.size()];
        float[] wrong = new float[pairs.size()];
        for (int k = 0; k < pairs.size(); k++) {
            // the same margins for BCE's sake, but only "right" ranks each image's partner first
            right[k] = pairs.label(k) > 0.5f ? 1f : -1f;
            wrong[k] = pairs.label(k) > 0.5f ? -3f : -1f;
        }
        double softRight = PairLoss.BCE_SOFTMAX.lossAndGradient(right, 0, pairs, 6, new float[15], new PairLoss.Scratch())
                - PairLoss.BCE.lossAndGradient(right, 0, pairs, 6, new float[15], new PairLoss.Scratch());
        double softWrong = PairLoss.BCE_SOFTMAX.lossAndGradient(wrong, 0, pairs, 6, new float[15], new PairLoss.Scratch())
                - PairLoss.BCE.lossAndGradient(wrong, 0, pairs, 6, new float[15], new PairLoss.Scratch());
        // each image: one positive among 5 pairs
        assertEquals(Math.log(1 + 4 * Math.exp(-2)), softRight, 1e-6);
        assertEquals(Math.log(1 + 4 * Math.exp(2)), softWrong, 1e-6);
        assertTrue(softRight < softWrong);
    }

    @Test
    void namesRoundTrip() {
        for (PairLoss l : PairLoss.values()) {
            assertEquals(l, PairLoss.parse(l.cliName()));
        }
        assertThrows(IllegalArgumentException.class, () -> PairLoss.parse("hinge"));
    }
}
