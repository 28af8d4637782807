package org.siamese4j.faces;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import org.siamese4j.model.OpenSetCalibration;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.gallery.Gallery;

/**
 * When a gallery search names its best match, and when it answers "unknown". Three rules:
 * <ul>
 *   <li>{@link #fpir}: keep the false-positive identification rate (strangers named) at a target for the
 *   gallery's size, from the model's open-set calibration; the default, at 1 %;</li>
 *   <li>{@link #threshold}: a fixed p(same), the user's override;</li>
 *   <li>{@link #equalError}: the model's equal-error threshold of one comparison (what models without an
 *   open-set calibration fall back to; it names more strangers as the gallery grows).</li>
 * </ul>
 */
public sealed interface MatchRule {
    /** The default: strangers named in at most 1 % of searches. */
    double DEFAULT_FPIR = 0.01;

    /** A rule resolved for one model and gallery size: accept a match whose logit is at least {@code logit}. */
    record Decision(double logit, String rule, boolean fellBack) {
        public boolean accepts(Gallery.Match match) {
            return match.logit() >= logit;
        }

        /** The threshold as p(same). */
        public double probability() {
            return SiameseNet.sigmoid(logit);
        }
    }

    /** Resolves the rule for {@code model} and a gallery of {@code gallerySize} people. */
    Decision resolve(SiameseModel model, int gallerySize);

    static MatchRule defaults() {
        return fpir(DEFAULT_FPIR);
    }

    /** @throws IllegalArgumentException target not in (0, 1) */
    static MatchRule fpir(double target) {
        return new Fpir(target);
    }

    /** @throws IllegalArgumentException p not in [0, 1] */
    static MatchRule threshold(double p) {
        return new Threshold(p);
    }

    static MatchRule equalError() {
        return new EqualError();
    }

    /** Strangers named in at most {@code target} of the searches of a gallery of its size. */
    record Fpir(double target) implements MatchRule {
        public Fpir {
            if (!(target > 0 && target < 1)) {
                throw new IllegalArgumentException("FPIR must be between 0 and 1 (exclusive), got " + target);
            }
        }

        @Override
        public Decision resolve(SiameseModel model, int gallerySize) {
            if (model.openSetCalibration().isEmpty()) {
                Decision eer = new EqualError().resolve(model, gallerySize);
                return new Decision(eer.logit(), eer.rule() + " (this model has no open-set calibration, so FPIR "
                        + percent(target) + " cannot be set; run siamese calibrate on it)", true);
            }
            OpenSetCalibration c = model.openSetCalibration().get();
            OpenSetCalibration.Threshold t = c.threshold(gallerySize, target);
            String note = t.clamped() ? ", at the edge of what was simulated"
                    : t.extrapolated() ? ", extrapolated beyond " + c.largestGallerySize() + " people" : "";
            String rule = String.format(Locale.ROOT, "FPIR %s for a gallery of %d: p >= %s (%s%s)", percent(target),
                    gallerySize, probability(t.probability()), c.describe(), note);
            return new Decision(t.logit(), rule, false);
        }
    }

    /** A fixed p(same). */
    record Threshold(double p) implements MatchRule {
        public Threshold {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("a threshold is a probability from 0 to 1, got " + p);
            }
        }

        @Override
        public Decision resolve(SiameseModel model, int gallerySize) {
            return new Decision(SiameseNet.logitOf(p), "fixed threshold p >= " + probability(p), false);
        }
    }

    /** The model's equal-error threshold of one comparison. */
    record EqualError() implements MatchRule {
        @Override
        public Decision resolve(SiameseModel model, int gallerySize) {
            return new Decision(SiameseNet.logitOf(model.threshold()), "the model's equal-error threshold p >= "
                    + probability(model.threshold()), false);
        }
    }

    private static String percent(double fraction) {
        return new BigDecimal(100 * fraction).round(new MathContext(3)).stripTrailingZeros().toPlainString() + " %";
    }

    private static String probability(double p) {
        return String.format(Locale.ROOT, p > 0.999 && p < 1 ? "%.6f" : "%.4f", p);
    }
}
