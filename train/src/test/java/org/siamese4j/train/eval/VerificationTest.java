package org.siamese4j.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VerificationTest {

    @Test
    void perfectSeparationGivesFullMarks() {
        double[] s = {0.9, 0.8, 0.7, 0.3, 0.2, 0.1};
        boolean[] y = {true, true, true, false, false, false};
        assertEquals(1.0, Verification.auc(s, y), 1e-12);
        assertEquals(0.0, Verification.eer(s, y).rate(), 1e-12);
        double t = Verification.bestThreshold(s, y);
        assertTrue(t > 0.3 && t <= 0.7, "threshold " + t);
        assertEquals(1.0, Verification.accuracy(s, y, t), 1e-12);
    }

    @Test
    void aucCountsTiesAsHalf() {
        double[] s = {0.5, 0.5};
        boolean[] y = {true, false};
        assertEquals(0.5, Verification.auc(s, y), 1e-12);
    }

    @Test
    void aucMatchesPairwiseDefinitionOnRandomScores() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 300;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextBoolean();
            s[i] = (y[i] ? 0.3 : 0) + r.nextDouble();
        }
        double wins = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] && !y[j]) {
                    total++;
                    wins += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0);
                }
            }
        }
        assertEquals(wins / total, Verification.auc(s, y), 1e-12);
        Verification.Eer eer = Verification.eer(s, y);
        assertTrue(eer.rate() > 0.2 && eer.rate() < 0.45, "eer " + eer);
    }

    @Test
    void kFoldChoosesThresholdsOnOtherFolds() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 600;
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2 == 0;
            s[i] = (y[i] ? 1 : 0) + 0.8 * r.nextGaussian();
            fold[i] = i % 10;
        }
        Verification.Folds f = Verification.kFold(s, y, fold, 10);
        assertEquals(10, f.perFold().length);
        assertTrue(f.meanAccuracy() > 0.65 && f.meanAccuracy() < 0.85, "accuracy " + f.meanAccuracy());
    }
}
