package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GallerySearchesTest {
    /** A head that scores minus ten times the L1 distance: the closer, the likelier the same person. */
    private static final GallerySearches.Logit NEAR = (a, ao, b, bo) -> {
        float d = 0;
        for (int i = 0; i < 2; i++) {
            d += Math.abs(a[ao + i] - b[bo + i]);
        }
        return -10 * d;
    };

    @Test
    void everyoneEnrolledGivesOneMatedSearchPerExtraImageAndStrangersForSingles() {
        // people 0..2 with two images each (the second near the first), people 3 and 4 with one image
        float[] e = {0, 0, 0.1f, 0, 5, 5, 5.1f, 5, 9, 0, 9.1f, 0, 2, 2, 7, 7};
        int[] id = {0, 0, 1, 1, 2, 2, 3, 4};
        GallerySearches s = new GallerySearches(e, 2, id, false, NEAR);
        assertEquals(3, s.enrollable());
        GallerySearches.Outcomes all = s.search(3, 50, 1);
        assertEquals(1, all.galleries(), "the gallery of everybody is drawn once");
        assertEquals(3, all.matedSearches());
        assertEquals(2, all.nonMatedSearches());
        assertEquals(1.0, all.rankOne());
        // mates score -1 (distance 0.1); stranger (2,2) is 4 from (0,0), stranger (7,7) is 4 from (5,5): -40 each
        assertArrayEquals(new double[] {-40, -40}, all.nonMatedBest(), 1e-4);
        assertEquals(0.0, all.fpir(-39));
        assertEquals(1.0, all.fpir(-40));
        assertEquals(0.0, all.fnir(-1.01));
        assertEquals(1.0, all.fnir(-0.5), "a mate below the threshold is missed");
    }

    @Test
    void smallerGalleriesTurnTheLeftOutPeopleIntoStrangers() {
        float[] e = {0, 0, 0.1f, 0, 5, 5, 5.1f, 5, 9, 0, 9.1f, 0};
        int[] id = {0, 0, 1, 1, 2, 2};
        GallerySearches.Outcomes one = new GallerySearches(e, 2, id, false, NEAR).search(1, 10, 3);
        assertEquals(10, one.galleries());
        // per gallery of one person: one mated search, and all four images of the other two people as strangers
        assertEquals(10, one.matedSearches());
        assertEquals(40, one.nonMatedSearches());
    }

    @Test
    void refusesTooFewPeopleAndMismatchedSizes() {
        assertThrows(IllegalArgumentException.class, () -> new GallerySearches(new float[4], 2, new int[] {0, 0}, false, NEAR));
        assertThrows(IllegalArgumentException.class, () -> new GallerySearches(new float[5], 2, new int[] {0, 0, 1}, false, NEAR));
        GallerySearches s = new GallerySearches(new float[8], 2, new int[] {0, 0, 1, 1}, false, NEAR);
        assertThrows(IllegalArgumentException.class, () -> s.search(3, 1, 1));
    }

    /** Random people: each a point, their images scattered around it. */
    private static GallerySearches people(int count, int images, long seed, boolean enrolSingles) {
        Random r = new Random(seed);
        float[] e = new float[count * images * 2];
        int[] id = new int[count * images];
        for (int p = 0; p < count; p++) {
            float x = (float) r.nextGaussian() * 3;
            float y = (float) r.nextGaussian() * 3;
            for (int i = 0; i < images; i++) {
                int k = p * images + i;
                id[k] = p;
                e[2 * k] = x + (float) r.nextGaussian() * 0.3f;
                e[2 * k + 1] = y + (float) r.nextGaussian() * 0.3f;
            }
        }
        return new GallerySearches(e, 2, id, enrolSingles, NEAR);
    }

    @Test
    void calibrationOnValidationPeopleHoldsTheFpirOnOtherPeople() {
        OpenSetCalibration c = people(300, 3, 11, true).calibrate(5);
        assertEquals(300, c.people());
        assertTrue(c.largestGallerySize() >= 200, "sizes " + java.util.Arrays.toString(c.gallerySizes()));
        double previous = Double.NEGATIVE_INFINITY;
        for (int n : new int[] {1, 3, 10, 30, 100, 200, 1000}) {
            double t = c.threshold(n, 0.01).logit();
            assertTrue(t >= previous, "a larger gallery needs a higher threshold: " + n);
            previous = t;
        }
        // other people, drawn the same way: the rule holds their FPIR near 1 %
        // and a one-comparison threshold (distance 1.5, where images of one person still match) names far more
        double lenient = 1 / (1 + Math.exp(15));
        List<OpenSetReport.Row> rows = OpenSetReport.run(people(300, 3, 12, false), new int[] {10, 100},
                Optional.of(c), lenient, 7);
        for (OpenSetReport.Row row : rows) {
            assertEquals(0.01, row.fpirAtCalibrated().value(), 0.006, "gallery of " + row.gallerySize());
            assertTrue(row.fpirAtEer().value() > 3 * row.fpirAtCalibrated().value(), "gallery of " + row.gallerySize()
                    + ": " + row.fpirAtEer() + " at the fixed threshold");
        }
    }
}
