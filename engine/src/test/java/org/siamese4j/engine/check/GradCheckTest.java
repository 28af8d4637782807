package org.siamese4j.engine.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GradCheckTest {
    @Test
    void aTensorWhoseEveryElementSatOnAKinkFailsInsteadOfReportingNoError() {
        GradCheck.TensorError allKinks = GradCheck.errorOf("relu input", new float[] {1f, -2f}, 0, new double[] {0.3, 7.0},
                new boolean[] {true, true});
        assertEquals(0, allKinks.checked());
        assertEquals(2, allKinks.skippedKinks());
        assertFalse(allKinks.within(1e-2), "nothing was checked, so nothing passed");
        GradCheck.Report report = new GradCheck.Report("layer", List.of(allKinks), 1e-2);
        assertFalse(report.passed());
        assertTrue(report.format().contains("every element sat on a kink"), report.format());

        GradCheck.TensorError oneChecked = GradCheck.errorOf("relu input", new float[] {1f, -2f}, 0, new double[] {1.0, 7.0},
                new boolean[] {false, true});
        assertEquals(1, oneChecked.checked());
        assertTrue(oneChecked.within(1e-2));
    }
}
