package org.siamese4j.train.eval;

import java.util.Arrays;

/**
 * Verification metrics over scored pairs (higher score = more likely the same): accuracy at a threshold,
 * the best threshold, ROC AUC, the equal error rate, and k-fold accuracy with the threshold chosen on the
 * other folds (LFW's protocol).
 */
public final class Verification {
    private Verification() {
    }

    /** The equal error rate and the threshold where false accepts and false rejects balance. */
    public record Eer(double rate, double threshold) {
    }

    public record Folds(double meanAccuracy, double std, double[] perFold, double[] thresholds) {
    }

    public static double accuracy(double[] scores, boolean[] same, double threshold) {
        int ok = 0;
        for (int i = 0; i < scores.length; i++) {
            if ((scores[i] >= threshold) == same[i]) {
                ok++;
            }
        }
        return scores.length == 0 ? 0 : (double) ok / scores.length;
    }

    /** The threshold that maximises accuracy, among midpoints between sorted scores. */
    public static double bestThreshold(double[] scores, boolean[] same) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double best = sorted.length == 0 ? 0.5 : sorted[0] - 1e-9;
        double bestAcc = -1;
        // candidates: below all, midpoints, above all
        for (int i = -1; i < sorted.length; i++) {
            double t;
            if (i < 0) {
                t = sorted[0] - 1e-9;
            } else if (i == sorted.length - 1) {
                t = sorted[i] + 1e-9;
            } else {
                t = (sorted[i] + sorted[i + 1]) / 2;
            }
            double acc = accuracy(scores, same, t);
            if (acc > bestAcc) {
                bestAcc = acc;
                best = t;
            }
        }
        return best;
    }

    /** Area under the ROC curve: the probability that a random same pair outscores a random different pair. */
    public static double auc(double[] scores, boolean[] same) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        // rank-sum with ties averaged
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (same[idx[k]]) {
                    rankSumPositive += rank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** The equal error rate: sweep thresholds until the false-accept rate meets the false-reject rate. */
    public static Eer eer(double[] scores, boolean[] same) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        long positives = 0;
        for (boolean s : same) {
            if (s) {
                positives++;
            }
        }
        long negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            return new Eer(Double.NaN, 0.5);
        }
        double bestGap = Double.POSITIVE_INFINITY;
        Eer best = new Eer(0.5, 0.5);
        for (int i = 0; i <= sorted.length; i++) {
            double t = i == 0 ? sorted[0] - 1e-9 : (i == sorted.length ? sorted[i - 1] + 1e-9 : (sorted[i - 1] + sorted[i]) / 2);
            long falseAccept = 0;
            long falseReject = 0;
            for (int k = 0; k < scores.length; k++) {
                boolean accept = scores[k] >= t;
                if (accept && !same[k]) {
                    falseAccept++;
                } else if (!accept && same[k]) {
                    falseReject++;
                }
            }
            double far = (double) falseAccept / negatives;
            double frr = (double) falseReject / positives;
            double gap = Math.abs(far - frr);
            if (gap < bestGap) {
                bestGap = gap;
                best = new Eer((far + frr) / 2, t);
            }
        }
        return best;
    }

    /** k-fold accuracy: for each fold, the threshold that is best on the other folds, tested on this fold. */
    public static Folds kFold(double[] scores, boolean[] same, int[] fold, int k) {
        double[] acc = new double[k];
        double[] thr = new double[k];
        for (int f = 0; f < k; f++) {
            int trainCount = 0;
            int testCount = 0;
            for (int v : fold) {
                if (v == f) {
                    testCount++;
                } else {
                    trainCount++;
                }
            }
            double[] trS = new double[trainCount];
            boolean[] trY = new boolean[trainCount];
            double[] teS = new double[testCount];
            boolean[] teY = new boolean[testCount];
            int a = 0;
            int b = 0;
            for (int i = 0; i < scores.length; i++) {
                if (fold[i] == f) {
                    teS[b] = scores[i];
                    teY[b++] = same[i];
                } else {
                    trS[a] = scores[i];
                    trY[a++] = same[i];
                }
            }
            thr[f] = bestThreshold(trS, trY);
            acc[f] = accuracy(teS, teY, thr[f]);
        }
        double mean = Arrays.stream(acc).average().orElse(0);
        double var = 0;
        for (double v : acc) {
            var += (v - mean) * (v - mean);
        }
        return new Folds(mean, Math.sqrt(var / Math.max(1, k - 1)), acc, thr);
    }
}
