package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.siamese4j.engine.BadInputException;

/**
 * Seeded, bounded fuzzing: every mutation of a few seed containers is either read completely or
 * refused with a one-line BadInputException, never another exception, a hang or a huge allocation.
 */
class ContainerFuzzTest {
    private static final long SEED = 0x5135_4A4EL;
    private static final int MUTATIONS = 3000;

    private static List<byte[]> seeds() {
        return List.of(
                new ContainerWriter().toBytes("S4JTEST1", 1),
                ContainerCorruptionTest.small(),
                new ContainerWriter().putFloats("a", new float[] {1, 2}).putFloats("b", new float[0])
                        .putText("é", "x").toBytes("S4JTEST1", 1),
                ContainerRoundTripTest.allTypes().toBytes("S4JTEST1", 1));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutatedContainersAreReadOrRefusedCleanly() {
        List<byte[]> seeds = seeds();
        Mutations mutations = new Mutations(SEED);
        long start = System.nanoTime();
        int accepted = 0;
        int pastChecksum = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] seed = seeds.get(i % seeds.size());
            boolean validChecksum = i % 2 == 1; // half exercise the table parser behind the checksum
            byte[] data = validChecksum ? mutations.mutateWithValidChecksum(seed) : mutations.mutate(seed);
            try {
                ContainerCorruptionTest.readEverything(data, "fuzz.s4j");
                accepted++;
            } catch (BadInputException e) {
                ContainerCorruptionTest.assertOneLineNamingFile(e.getMessage(), "fuzz.s4j", "mutation " + i);
                if (!e.getMessage().contains("checksum")) {
                    pastChecksum++;
                }
            } catch (Throwable t) {
                throw new AssertionError("mutation " + i + " (seed " + SEED + ", " + data.length + " bytes): " + t, t);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("fuzz: %d mutations in %d ms, %d accepted, %d refused by checks other than the checksum%n",
                MUTATIONS, ms, accepted, pastChecksum);
        assertTrue(pastChecksum > MUTATIONS / 4, "too few mutations reached the table parser: " + pastChecksum);
        assertTrue(ms < 10_000, "fuzzing took " + ms + " ms");
    }
}
