package org.siamese4j.train;

import java.util.Locale;

/** Formatting for the progress line. */
final class Progress {
    private Progress() {
    }

    static String duration(long seconds) {
        if (seconds < 0) {
            return "?";
        }
        long h = seconds / 3600;
        long m = (seconds % 3600) / 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }

    /** Time left under the tightest of the step, epoch and time budgets. */
    static String eta(long step, long stepsPerEpoch, TrainOptions o, double elapsedSeconds, double stepsPerSecond) {
        double left = Double.POSITIVE_INFINITY;
        if (stepsPerSecond > 0) {
            if (o.maxSteps != Long.MAX_VALUE) {
                left = Math.min(left, (o.maxSteps - step) / stepsPerSecond);
            }
            if (!Double.isInfinite(o.maxEpochs)) {
                left = Math.min(left, (o.maxEpochs * stepsPerEpoch - step) / stepsPerSecond);
            }
        }
        if (o.timeLimit != null) {
            left = Math.min(left, o.timeLimit.toSeconds() - elapsedSeconds);
        }
        return Double.isInfinite(left) ? "?" : duration((long) Math.max(0, left));
    }
}
