package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SgdMomentumTest {
    @Test
    void kochScheduleDecaysOncePerEpoch() {
        SgdMomentum.Schedule s = SgdMomentum.Schedule.koch(100);
        assertEquals(1.0, s.learningRateFactor(0));
        assertEquals(1.0, s.learningRateFactor(99));
        assertEquals(0.99, s.learningRateFactor(100), 1e-15);
        assertEquals(Math.pow(0.99, 7), s.learningRateFactor(750), 1e-15);
    }

    @Test
    void cosineScheduleGoesFromFullToZeroAndStays() {
        SgdMomentum.Schedule s = new SgdMomentum.Schedule(100, 0.5, 2, 0.99, 1000);
        assertEquals(1.0, s.learningRateFactor(0), 1e-15);
        assertEquals(0.5, s.learningRateFactor(500), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), s.learningRateFactor(250), 1e-12);
        assertEquals(0.0, s.learningRateFactor(1000), 1e-15);
        assertEquals(0.0, s.learningRateFactor(5000), 1e-15);
        // the per-epoch decay does not apply on top of it
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.1)), s.learningRateFactor(100), 1e-12);
    }

    @Test
    void theCosineFollowsWhicheverBudgetEndsFirst() {
        SgdMomentum.Schedule s = new SgdMomentum.Schedule(100, 0.5, 2, 0.99, 1000);
        assertEquals(0.5, s.learningRateFactor(500, 0.1), 1e-12, "steps ahead of time: the steps decide");
        assertEquals(0.5, s.learningRateFactor(100, 0.5), 1e-12, "time ahead of steps: the time decides");
        assertEquals(0.0, s.learningRateFactor(10, 1.0), 1e-12, "the time budget spent: annealed");
        assertEquals(0.0, s.learningRateFactor(10, 3.0), 1e-12, "past it: stays at 0");
        SgdMomentum.Schedule koch = SgdMomentum.Schedule.koch(100);
        assertEquals(koch.learningRateFactor(250), koch.learningRateFactor(250, 0.9), "Koch's decay has no horizon");
    }

    @Test
    void rejectsNegativeCosineHorizon() {
        assertThrows(IllegalArgumentException.class, () -> new SgdMomentum.Schedule(100, 0.5, 2, 0.99, -1));
    }
}
