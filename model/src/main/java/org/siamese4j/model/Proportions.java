package org.siamese4j.model;

/** Confidence intervals for measured rates (accuracy, FPIR, FNIR). */
public final class Proportions {
    private Proportions() {
    }

    /** 95% Wilson score interval for a binomial proportion: {low, high}; {0, 1} when n is 0. */
    public static double[] wilson95(int successes, int n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double z = 1.959963984540054;
        double p = (double) successes / n;
        double denom = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }
}
