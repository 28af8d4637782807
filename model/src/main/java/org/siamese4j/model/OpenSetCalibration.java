package org.siamese4j.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * What it takes to keep the false-positive identification rate (FPIR: the share of searches by people who are
 * not enrolled that return a name, ISO/IEC 19795-1) at a target, for a gallery of N people.
 *
 * <p>A gallery search compares the probe with every enrolled person and names the best one if its score is
 * high enough, so a stranger is named when the <em>best</em> of N non-mated scores passes the threshold, and
 * that best grows with N. This calibration holds, for a grid of gallery sizes, the distribution of that best
 * non-mated logit over simulated searches on validation people ({@link GallerySearches#calibrate}) as a
 * quantile table. {@link #threshold} reads the (1 - FPIR) quantile; between grid sizes it interpolates in
 * log N, and above the largest it assumes the extra comparisons are independent:
 * {@code FPIR_N(t) = 1 - (1 - FPIR_M(t))^(N/M)}, flagged as extrapolated. Immutable.
 */
public final class OpenSetCalibration {
    /** Format version of {@link #toDoubles()}. */
    private static final int FORMAT = 1;
    /** Quantiles stored per gallery size: every 0.2 % of the searches, interpolated between. */
    public static final int QUANTILES = 501;
    public static final int MAX_SIZES = 64;
    public static final int MAX_QUANTILES = 10_001;

    /** A threshold for a gallery size and an FPIR target, and how it was obtained. */
    public record Threshold(double logit, int gallerySize, double fpir, boolean extrapolated, boolean clamped) {
        /** The threshold as p(same). */
        public double probability() {
            return SiameseNet.sigmoid(logit);
        }
    }

    private final int people;
    private final int[] gallerySizes;
    private final long[] searches;
    /** Per gallery size, QUANTILES best non-mated logits at probabilities j / (q - 1), ascending. */
    private final double[][] quantiles;

    /**
     * @param people validation identities the searches were simulated on
     * @param gallerySizes ascending, from 1
     * @param searches non-mated searches simulated per size
     * @param quantiles per size, the ascending quantile table of the best non-mated logit
     */
    public OpenSetCalibration(int people, int[] gallerySizes, long[] searches, double[][] quantiles) {
        if (people < 2) {
            throw new IllegalArgumentException("an open-set calibration needs at least 2 people, got " + people);
        }
        if (gallerySizes.length == 0 || gallerySizes.length > MAX_SIZES || searches.length != gallerySizes.length
                || quantiles.length != gallerySizes.length) {
            throw new IllegalArgumentException("1 to " + MAX_SIZES + " gallery sizes, each with searches and quantiles");
        }
        int q = quantiles[0].length;
        if (q < 2 || q > MAX_QUANTILES) {
            throw new IllegalArgumentException("2 to " + MAX_QUANTILES + " quantiles per size, got " + q);
        }
        for (int k = 0; k < gallerySizes.length; k++) {
            if (gallerySizes[k] < 1 || (k > 0 && gallerySizes[k] <= gallerySizes[k - 1])) {
                throw new IllegalArgumentException("gallery sizes must be ascending and >= 1");
            }
            if (searches[k] < 1) {
                throw new IllegalArgumentException("each gallery size needs at least one search");
            }
            double[] row = quantiles[k];
            if (row.length != q) {
                throw new IllegalArgumentException("every gallery size needs " + q + " quantiles");
            }
            for (int j = 0; j < q; j++) {
                if (!Double.isFinite(row[j]) || (j > 0 && row[j] < row[j - 1])) {
                    throw new IllegalArgumentException("quantiles must be finite and ascending");
                }
            }
        }
        this.people = people;
        this.gallerySizes = gallerySizes.clone();
        this.searches = searches.clone();
        this.quantiles = new double[quantiles.length][];
        for (int k = 0; k < quantiles.length; k++) {
            this.quantiles[k] = quantiles[k].clone();
        }
    }

    /**
     * Builds the quantile table of one gallery size from its searches' best non-mated logits (any order).
     * Values are rounded to float precision, far finer than the searches resolve, so that a model file
     * (and a jar that ships one) compresses them well.
     */
    public static double[] quantileTable(double[] bestNonMatedLogits, int count) {
        double[] sorted = Arrays.copyOf(bestNonMatedLogits, bestNonMatedLogits.length);
        Arrays.sort(sorted);
        double[] table = new double[count];
        for (int j = 0; j < count; j++) {
            table[j] = (float) quantile(sorted, (double) j / (count - 1));
        }
        return table;
    }

    /** The p-quantile of ascending values, interpolated linearly between order statistics. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    public int people() {
        return people;
    }

    public int[] gallerySizes() {
        return gallerySizes.clone();
    }

    public int largestGallerySize() {
        return gallerySizes[gallerySizes.length - 1];
    }

    /**
     * The logit threshold that names a stranger in at most {@code fpir} of searches of a gallery of
     * {@code gallerySize} people.
     *
     * @throws IllegalArgumentException fpir not in (0, 1), or gallerySize &lt; 1
     */
    public Threshold threshold(int gallerySize, double fpir) {
        if (!(fpir > 0 && fpir < 1)) {
            throw new IllegalArgumentException("FPIR must be between 0 and 1 (exclusive), got " + fpir);
        }
        if (gallerySize < 1) {
            throw new IllegalArgumentException("gallery size must be >= 1, got " + gallerySize);
        }
        int last = gallerySizes.length - 1;
        if (gallerySize >= gallerySizes[last]) {
            // independent extra comparisons: the largest size's quantile at (1 - fpir)^(M/N)
            double p = Math.pow(1 - fpir, (double) gallerySizes[last] / gallerySize);
            double resolution = 1.0 / searches[last];
            boolean clamped = 1 - p < resolution;
            return new Threshold(at(last, Math.min(p, 1.0)), gallerySize, fpir, gallerySize > gallerySizes[last], clamped);
        }
        if (gallerySize <= gallerySizes[0]) {
            return new Threshold(at(0, 1 - fpir), gallerySize, fpir, false, false);
        }
        int k = 0;
        while (gallerySizes[k + 1] < gallerySize) {
            k++;
        }
        double a = at(k, 1 - fpir);
        double b = at(k + 1, 1 - fpir);
        double f = (Math.log(gallerySize) - Math.log(gallerySizes[k])) / (Math.log(gallerySizes[k + 1]) - Math.log(gallerySizes[k]));
        return new Threshold(a + f * (b - a), gallerySize, fpir, false, false);
    }

    private double at(int size, double p) {
        return quantile(quantiles[size], p);
    }

    /** One line for people: what was simulated. */
    public String describe() {
        return String.format(Locale.ROOT, "calibrated on %d validation people, galleries of %d to %d", people,
                gallerySizes[0], largestGallerySize());
    }

    /** The stored form: format, people, sizes, quantiles, then sizes, searches and the tables. */
    public double[] toDoubles() {
        int q = quantiles[0].length;
        int n = gallerySizes.length;
        double[] out = new double[4 + 2 * n + n * q];
        out[0] = FORMAT;
        out[1] = people;
        out[2] = n;
        out[3] = q;
        for (int k = 0; k < n; k++) {
            out[4 + k] = gallerySizes[k];
            out[4 + n + k] = searches[k];
            System.arraycopy(quantiles[k], 0, out, 4 + 2 * n + k * q, q);
        }
        return out;
    }

    /**
     * Reads {@link #toDoubles()}'s form.
     *
     * @throws IllegalArgumentException the values are not a valid calibration (wrong length, format, sizes,
     *     or non-ascending quantiles)
     */
    public static OpenSetCalibration fromDoubles(double[] v) {
        if (v.length < 4 || v[0] != FORMAT) {
            throw new IllegalArgumentException("unknown open-set calibration format");
        }
        int people = wholeNumber(v[1], Integer.MAX_VALUE, "people");
        int n = wholeNumber(v[2], MAX_SIZES, "gallery sizes");
        int q = wholeNumber(v[3], MAX_QUANTILES, "quantiles");
        if (v.length != 4 + 2L * n + (long) n * q) {
            throw new IllegalArgumentException("open-set calibration holds " + v.length + " values, expected "
                    + (4 + 2L * n + (long) n * q));
        }
        int[] sizes = new int[n];
        long[] searches = new long[n];
        double[][] tables = new double[n][];
        for (int k = 0; k < n; k++) {
            sizes[k] = wholeNumber(v[4 + k], Integer.MAX_VALUE, "gallery size");
            searches[k] = wholeNumber(v[4 + n + k], Integer.MAX_VALUE, "searches");
            tables[k] = Arrays.copyOfRange(v, 4 + 2 * n + k * q, 4 + 2 * n + (k + 1) * q);
        }
        return new OpenSetCalibration(people, sizes, searches, tables);
    }

    private static int wholeNumber(double v, int max, String what) {
        if (!(v >= 0 && v <= max) || v != Math.rint(v)) {
            throw new IllegalArgumentException("invalid number of " + what + ": " + v);
        }
        return (int) v;
    }
}
