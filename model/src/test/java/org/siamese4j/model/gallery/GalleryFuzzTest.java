package org.siamese4j.model.gallery;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.io.Mutations;

/**
 * Seeded, bounded fuzzing of gallery files: every mutation is either read into a consistent gallery or
 * refused with a one-line BadInputException naming the file, never another exception. Half the
 * mutations get a recomputed checksum, so they reach the gallery's own validation.
 */
class GalleryFuzzTest {
    private static final long SEED = 0x6A11_E27L;
    private static final int MUTATIONS = 1500;
    private static final String SHA = "0123456789abcdef".repeat(4);

    private static List<byte[]> seeds() {
        Gallery empty = Gallery.create(SHA, 3);
        Gallery small = Gallery.create(SHA, 3);
        small.put("Ann Lee", List.of(new float[] {0.1f, 0.2f, 0.3f}), List.of("ann.jpg"));
        small.put("Bo", List.of(new float[] {1, 2, 3}, new float[] {4, 5, 6}), List.of("bo/1.jpg", "bo/2.jpg"));
        small.put("Çé 李", List.of(new float[] {-1, 0, 1}), List.of("c.png"));
        return List.of(empty.toBytes(), small.toBytes());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedGalleriesAreReadOrRefusedCleanly() {
        List<byte[]> seeds = seeds();
        Mutations mutations = new Mutations(SEED);
        long start = System.nanoTime();
        int accepted = 0;
        int pastChecksum = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            boolean validChecksum = i % 2 == 1;
            byte[] data = validChecksum ? mutations.mutateWithValidChecksum(seed) : mutations.mutate(seed);
            try {
                Gallery g = Gallery.load(data, "fuzz.gallery");
                // whatever was accepted must be self-consistent
                int embeddings = 0;
                for (String name : g.names()) {
                    Gallery.Person p = g.person(name).orElseThrow();
                    assertTrue(p.size() >= 1 && p.sources().size() == p.size(), "mutation " + i);
                    assertTrue(p.embedding(0).length == g.embeddingSize(), "mutation " + i);
                    embeddings += p.size();
                }
                assertTrue(embeddings == g.embeddingCount(), "mutation " + i);
                accepted++;
            } catch (BadInputException e) {
                GalleryTestSupport.assertOneLineNaming(e.getMessage(), "fuzz.gallery", "mutation " + i);
                if (!e.getMessage().contains("checksum")) {
                    pastChecksum++;
                }
            } catch (Throwable t) {
                throw new AssertionError("mutation " + i + " (seed " + SEED + ", " + data.length + " bytes): " + t, t);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("gallery fuzz: %d mutations in %d ms, %d accepted, %d refused past the checksum%n",
                MUTATIONS, ms, accepted, pastChecksum);
        assertTrue(pastChecksum > MUTATIONS / 4, "too few mutations reached the gallery parser: " + pastChecksum);
        assertTrue(ms < 5_000, "fuzzing took " + ms + " ms");
    }
}
