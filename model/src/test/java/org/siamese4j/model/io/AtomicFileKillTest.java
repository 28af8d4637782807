package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with real SIGKILLs: a child JVM rewrites a 50 MB container in a loop and is killed at
 * seeded random moments. After every kill the target must be one complete generation, the old or the
 * new, and at most one temp file may remain, which the next write removes.
 */
class AtomicFileKillTest {
    private static final long SEED = 20_240_601L;
    private static final int KILLS = 5;
    private static final int FLOATS = 12_500_000; // 50 MB

    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesOldOrNewFileAndAtMostOneTempFile() throws Exception {
        Path target = dir.resolve("model.s4j");
        Random random = new Random(SEED);
        long started = System.nanoTime();
        int killsMidWrite = 0;
        List<Path> leftover = List.of();
        for (int kill = 0; kill < KILLS; kill++) {
            long firstGeneration = (kill + 1) * 1_000_000L;
            try (ChildJvm child = ChildJvm.start(dir, List.of("-Xmx256m", "-XX:+UseSerialGC"),
                    "rewrite", target.toString(), Integer.toString(FLOATS), Long.toString(firstGeneration))) {
                // A completed write removed the temp file the previous kill left behind.
                long t0 = System.nanoTime();
                child.awaitLine("start", 60_000);
                long t1 = System.nanoTime();
                child.awaitLine("wrote", 60_000);
                long oneWriteMs = Math.max(1, (System.nanoTime() - t1) / 1_000_000);
                for (Path stale : leftover) {
                    assertFalse(Files.exists(stale), "stale temp file survived the next write: " + stale);
                }
                // Anywhere in the next one to two writes: mid-write, mid-fsync, mid-rename or in between.
                Thread.sleep(random.nextInt((int) Math.min(2 * oneWriteMs, 3000)) + 1);
                List<String> lines = child.killAndDrain();
                long lastWrote = lastGeneration(lines, "wrote ");
                long lastStarted = lastGeneration(lines, "start ");

                long onDisk;
                try (Container c = ContainerReader.read(target, ChildMain.KIND, 100L << 20)) {
                    onDisk = c.longs("generation", 1)[0];
                    float[] data = c.floats("data", FLOATS);
                    for (int i = 0; i < FLOATS; i += 4099) {
                        assertEquals((float) onDisk, data[i], "float " + i + " of generation " + onDisk);
                    }
                    assertEquals((float) onDisk, data[FLOATS - 1]);
                }
                assertTrue(onDisk == lastWrote || onDisk == lastStarted,
                        "after kill " + kill + " the file holds generation " + onDisk + ", expected the last written "
                                + lastWrote + " or the one in progress " + lastStarted);
                leftover = AtomicFile.tempFilesOf(target);
                assertTrue(leftover.size() <= 1, "temp files after kill " + kill + ": " + leftover);
                if (!leftover.isEmpty()) {
                    killsMidWrite++;
                }
                System.out.printf("kill %d: JVM start %d ms, one write %d ms, file at generation %d (last wrote %d), %d temp file(s)%n",
                        kill, (t1 - t0) / 1_000_000, oneWriteMs, onDisk, lastWrote, leftover.size());
            }
        }
        new ContainerWriter().putLongs("generation", new long[] {0}).write(target, ChildMain.KIND.magic(), 1);
        assertEquals(List.of(), AtomicFile.tempFilesOf(target), "the next write cleans up");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        System.out.printf("%d kills, %d of them left a temp file, %d s%n", KILLS, killsMidWrite, seconds);
    }

    private static long lastGeneration(List<String> lines, String prefix) {
        long last = -1;
        for (String line : lines) {
            if (line.startsWith(prefix)) {
                last = Long.parseLong(line.substring(prefix.length()).trim());
            }
        }
        return last;
    }
}
