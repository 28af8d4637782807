package org.siamese4j.model.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.model.gallery.GalleryTestSupport.DIM;
import static org.siamese4j.model.gallery.GalleryTestSupport.embedding;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.model.SiameseModel;

/**
 * Identification over 10,000 enrolled people uses cached embeddings only: 10,000 head evaluations of a
 * 256-d L1 distance, no tower pass. Prints the time; the bound catches an accidental tower pass or a
 * quadratic ranking, not a slow machine.
 */
class GalleryScaleTest {
    private static final int PEOPLE = 10_000;

    @TempDir
    Path dir;

    @Test
    void identifyOverTenThousandPeopleIsFast() {
        SiameseModel model = GalleryTestSupport.model(dir, 11);
        Random random = new Random(12);
        Gallery g = Gallery.create(model.sha256(), DIM);
        for (int i = 0; i < PEOPLE; i++) {
            g.put("person " + i, List.of(embedding(random)), List.of(i + ".jpg"));
        }
        Path file = dir.resolve("big.gallery");
        long saveStart = System.nanoTime();
        g.save(file);
        Gallery back = Gallery.load(file);
        long roundTripMs = (System.nanoTime() - saveStart) / 1_000_000;
        assertEquals(PEOPLE, back.size());

        float[] query = embedding(random);
        back.identify(model, query, 5); // builds the index, warms up
        long[] times = new long[7];
        List<Gallery.Match> top = null;
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            top = back.identify(model, embedding(random), 5);
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        long fileBytes = fileSize(file);
        System.out.printf("gallery of %,d people x %d-d (%,d bytes): save+load %d ms; identify best %.2f ms, median %.2f ms%n",
                PEOPLE, DIM, fileBytes, roundTripMs, times[0] / 1e6, times[times.length / 2] / 1e6);
        assertEquals(5, top.size());
        assertTrue(top.get(0).probability() >= top.get(4).probability());
        assertTrue(times[times.length / 2] < 1_000_000_000L, "identify took " + times[times.length / 2] / 1e6 + " ms");
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
