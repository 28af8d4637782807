package org.siamese4j.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The open-set identification benchmark on held-out people (ISO/IEC 19795-1 terms): for galleries of several
 * sizes, rank-1 accuracy of mated searches, FNIR at the thresholds that hold this test's own FPIR at 1 % and
 * 10 %, and FPIR and FNIR at the rule a deployment would use: the model's open-set calibration for the
 * gallery's size at FPIR 1 % (which says whether the calibration on validation people holds on new people)
 * and, before calibration, the model's equal-error threshold. Intervals are 95 % Wilson intervals over
 * searches (searches of one probe in several random galleries are not independent, so they are a little
 * narrow for the smaller galleries).
 */
public final class OpenSetReport {
    /** Random galleries per size below "everybody". */
    public static final int GALLERIES = 100;
    /** The FPIR a deployment is calibrated to by default. */
    public static final double TARGET_FPIR = 0.01;

    /** A rate measured over {@code n} searches, with its interval. */
    public record Rate(double value, int n, double low, double high) {
        static Rate of(int hits, int n) {
            double[] ci = Proportions.wilson95(hits, n);
            return new Rate(n == 0 ? Double.NaN : (double) hits / n, n, ci[0], ci[1]);
        }
    }

    /**
     * One gallery size. {@code calibratedLogit} is NaN when the model has no open-set calibration (then the
     * two rates at it are NaN too).
     */
    public record Row(int gallerySize, int galleries, int matedSearches, int nonMatedSearches, Rate rankOne,
                      Rate fnirAtFpir1, Rate fnirAtFpir10, double calibratedLogit, Rate fpirAtCalibrated,
                      Rate fnirAtCalibrated, double eerLogit, Rate fpirAtEer, Rate fnirAtEer) {
    }

    private OpenSetReport() {
    }

    /**
     * Runs the benchmark for each size in {@code sizes} that the people allow (sizes above
     * {@link GallerySearches#enrollable()} are replaced by it once: "all").
     */
    public static List<Row> run(GallerySearches searches, int[] sizes, Optional<OpenSetCalibration> calibration,
                                double eerProbability, long seed) {
        List<Integer> chosen = new ArrayList<>();
        for (int n : sizes) {
            int size = Math.min(n, searches.enrollable());
            if (!chosen.contains(size)) {
                chosen.add(size);
            }
        }
        double eerLogit = SiameseNet.logitOf(eerProbability);
        List<Row> rows = new ArrayList<>();
        for (int size : chosen) {
            GallerySearches.Outcomes o = searches.search(size, GALLERIES, seed + size);
            double calibrated = calibration.map(c -> c.threshold(size, TARGET_FPIR).logit()).orElse(Double.NaN);
            rows.add(new Row(size, o.galleries(), o.matedSearches(), o.nonMatedSearches(),
                    Rate.of(o.rankOneCount(), o.matedSearches()),
                    fnir(o, o.nonMatedSearches() == 0 ? Double.NaN : o.logitAtFpir(0.01)),
                    fnir(o, o.nonMatedSearches() == 0 ? Double.NaN : o.logitAtFpir(0.10)),
                    calibrated, fpir(o, calibrated), fnir(o, calibrated),
                    eerLogit, fpir(o, eerLogit), fnir(o, eerLogit)));
        }
        return rows;
    }

    private static Rate fpir(GallerySearches.Outcomes o, double logit) {
        if (Double.isNaN(logit)) {
            return new Rate(Double.NaN, o.nonMatedSearches(), Double.NaN, Double.NaN);
        }
        return Rate.of(o.strangersNamed(logit), o.nonMatedSearches());
    }

    private static Rate fnir(GallerySearches.Outcomes o, double logit) {
        if (Double.isNaN(logit)) {
            return new Rate(Double.NaN, o.matedSearches(), Double.NaN, Double.NaN);
        }
        return Rate.of(o.matesMissed(logit), o.matedSearches());
    }
}
