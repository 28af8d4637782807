package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

/**
 * Seeded, bounded fuzzing of {@link SafeZip}: mutations of a small valid archive must each open and read
 * (and extract) or fail with a BadInputException, never with another throwable, and never hang.
 */
class SafeZipFuzzTest {

    private static final long SEED = 4_2015L;
    private static final int MUTATIONS = 1000;
    private static final SafeZip.Limits LIMITS = new SafeZip.Limits(1000, 1 << 20, 4 << 20, 100, 64 * 1024);

    @TempDir
    Path dir;

    @Test
    void mutatedArchivesGiveContentOrBadInputOnly() {
        byte[] deflated = TestZips.zip(TestZips.entries(
                "set/a/1.png", "first entry, some text that compresses: aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "set/a/2.png", "second",
                "set/b/", "",
                "set/b/3.pgm", "P5 1 1 255 x"));
        byte[] stored = TestZips.zip(TestZips.entries("s/1.txt", "stored one", "s/2.txt", "stored two"), true);
        long start = System.nanoTime();
        int[] outcome = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int ok = 0;
            for (int i = 0; i < MUTATIONS; i++) {
                long seed = SEED + i;
                SplittableRandom rnd = new SplittableRandom(seed);
                byte[] base = i % 3 == 2 ? stored : deflated;
                StringBuilder how = new StringBuilder();
                byte[] input = mutate(base, rnd, how);
                Path file = dir.resolve("m" + i + ".zip");
                TestZips.write(file, input);
                String where = "mutation #" + i + " (seed " + seed + ", " + how + ")";
                long t0 = System.nanoTime();
                try {
                    try (SafeZip zip = SafeZip.open(file, LIMITS)) {
                        for (String name : zip.names()) {
                            zip.read(name);
                        }
                    }
                    if (i % 10 == 0) {
                        SafeZip.extract(file, dir.resolve("x" + i), LIMITS);
                    }
                    ok++;
                } catch (BadInputException e) {
                    if (e.getMessage().contains("\n")) {
                        fail(where + ": multi-line message: " + e.getMessage());
                    }
                } catch (Throwable t) {
                    fail(where + ": " + t, t);
                }
                if (System.nanoTime() - t0 > 2_000_000_000L) {
                    fail(where + ": took over 2 s");
                }
                delete(file);
                delete(dir.resolve("x" + i));
            }
            return new int[] {ok};
        });
        System.out.printf("SafeZip fuzz: %d archives, %d fully read, %.1f s%n",
                MUTATIONS, outcome[0], (System.nanoTime() - start) / 1e9);
        assertTrue(outcome[0] > 0, "some mutations should stay readable");
    }

    private static byte[] mutate(byte[] original, SplittableRandom rnd, StringBuilder how) {
        byte[] b = original.clone();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                    how.append("flip@").append(at).append(' ');
                }
                case 1 -> {
                    int at = rnd.nextInt(b.length);
                    b[at] = (byte) rnd.nextInt(256);
                    how.append("set@").append(at).append(' ');
                }
                case 2 -> {
                    b = Arrays.copyOf(b, 1 + rnd.nextInt(b.length));
                    how.append("truncate->").append(b.length).append(' ');
                }
                case 3 -> { // a size, offset or count field in some header set to an extreme
                    int sig = findSignature(b, rnd);
                    if (sig >= 0) {
                        int at = Math.min(b.length - 4, sig + 4 + 2 * rnd.nextInt(20));
                        int[] values = {0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x10000, b.length};
                        int v = values[rnd.nextInt(values.length)];
                        int width = rnd.nextBoolean() ? 2 : 4;
                        for (int k = 0; k < width && at + k < b.length; k++) {
                            b[at + k] = (byte) (v >>> (8 * k));
                        }
                        how.append("field@").append(at).append('=').append(Integer.toHexString(v)).append(' ');
                    }
                }
                default -> { // put a traversal-ish name over an existing name
                    byte[] evil = {'.', '.', '/', '\\', '/'};
                    int at = rnd.nextInt(b.length);
                    for (int k = 0; k < evil.length && at + k < b.length; k++) {
                        b[at + k] = evil[k];
                    }
                    how.append("name@").append(at).append(' ');
                }
            }
        }
        return b;
    }

    /** The position of a random local, central or end header signature, or -1. */
    private static int findSignature(byte[] b, SplittableRandom rnd) {
        int start = rnd.nextInt(b.length);
        for (int k = 0; k < b.length; k++) {
            int i = (start + k) % b.length;
            if (i + 3 < b.length && b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] < 8 && b[i + 3] < 9) {
                return i;
            }
        }
        return -1;
    }

    private static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
