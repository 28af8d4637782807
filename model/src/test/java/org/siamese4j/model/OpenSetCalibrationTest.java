package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OpenSetCalibrationTest {
    /** Best non-mated logits 0..999 for a gallery of 1 and 1000..1999 for a gallery of 10. */
    private static OpenSetCalibration twoSizes() {
        double[] one = new double[1000];
        double[] ten = new double[1000];
        for (int i = 0; i < 1000; i++) {
            one[999 - i] = i;
            ten[i] = 1000 + i;
        }
        return new OpenSetCalibration(50, new int[] {1, 10}, new long[] {1000, 1000},
                new double[][] {OpenSetCalibration.quantileTable(one, 101), OpenSetCalibration.quantileTable(ten, 101)});
    }

    @Test
    void readsTheQuantileOfTheBestStrangerScore() {
        OpenSetCalibration c = twoSizes();
        assertEquals(989.01, c.threshold(1, 0.01).logit(), 1e-4);
        assertEquals(1989.01, c.threshold(10, 0.01).logit(), 1e-4);
        assertEquals(899.1, c.threshold(1, 0.1).logit(), 1e-4);
    }

    @Test
    void interpolatesInLogSizeAndExtrapolatesAboveTheLargest() {
        OpenSetCalibration c = twoSizes();
        OpenSetCalibration.Threshold between = c.threshold(3, 0.01);
        double f = Math.log(3) / Math.log(10);
        assertEquals(989.01 + f * 1000, between.logit(), 1e-4);
        assertFalse(between.extrapolated());
        OpenSetCalibration.Threshold above = c.threshold(20, 0.01);
        assertTrue(above.extrapolated());
        // 1 - (1 - 0.01)^(10/20) of the size-10 searches may pass: a little over half a percent
        double p = Math.pow(0.99, 0.5);
        assertEquals(1000 + p * 999, above.logit(), 1e-4);
        assertTrue(c.threshold(1_000_000, 0.01).clamped(), "far beyond what was simulated");
    }

    @Test
    void roundTripsThroughItsStoredForm() {
        OpenSetCalibration c = twoSizes();
        OpenSetCalibration back = OpenSetCalibration.fromDoubles(c.toDoubles());
        assertArrayEquals(c.toDoubles(), back.toDoubles());
        assertEquals(c.threshold(7, 0.05), back.threshold(7, 0.05));
    }

    @Test
    void refusesMalformedTables() {
        double[] v = twoSizes().toDoubles();
        assertThrows(IllegalArgumentException.class, () -> OpenSetCalibration.fromDoubles(java.util.Arrays.copyOf(v, v.length - 1)));
        double[] descending = v.clone();
        descending[descending.length - 1] = -1;
        assertThrows(IllegalArgumentException.class, () -> OpenSetCalibration.fromDoubles(descending));
        double[] nan = v.clone();
        nan[10] = Double.NaN;
        assertThrows(IllegalArgumentException.class, () -> OpenSetCalibration.fromDoubles(nan));
        double[] format = v.clone();
        format[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> OpenSetCalibration.fromDoubles(format));
        double[] sizes = v.clone();
        sizes[5] = 1; // sizes 1, 1: not ascending
        assertThrows(IllegalArgumentException.class, () -> OpenSetCalibration.fromDoubles(sizes));
        assertThrows(IllegalArgumentException.class, () -> twoSizes().threshold(10, 0));
        assertThrows(IllegalArgumentException.class, () -> twoSizes().threshold(0, 0.01));
    }
}
