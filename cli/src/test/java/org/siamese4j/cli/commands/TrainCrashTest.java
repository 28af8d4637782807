package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.ModelFile;

/**
 * Crash safety of training with real kills: a child JVM training on the built-in glyphs is killed with
 * SIGKILL at random moments, again and again, and resumed each time. The final checkpoint and model must
 * be bit-identical to an uninterrupted run's, and no temp files may pile up.
 */
class TrainCrashTest {
    private static final String[] TRAIN = {"train", "--size", "20", "--tower",
        "conv 3x3 8 pad=1 bn relu; pool 2; conv 3x3 8 pad=1 bn relu; pool 2; dense 16 sigmoid",
        "--steps", "600", "--checkpoint-every", "7", "--eval-every", "100", "--classes-per-batch", "8",
        "--val-trials", "100", "--test-trials", "100", "--way", "5", "--threads", "2", "--seed", "3"};

    private static Process start(Path out, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dsiamese4j.relaunch=false", "-cp",
                System.getProperty("java.class.path"), "org.siamese4j.cli.Main"));
        cmd.addAll(List.of(TRAIN));
        // a resumed run is not told --out: it must carry on in its checkpoint's folder
        cmd.addAll(resume ? List.of("--resume", out.resolve("checkpoint.s4j").toString()) : List.of("--out", out.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.resolveSibling(out.getFileName() + ".log").toFile())).start();
    }

    /**
     * Waits until the child writes a new checkpoint, then kills it after a random 0-400 ms (sometimes in the
     * middle of the next write). False when the child ended first.
     */
    private static boolean killAfterNextCheckpoint(Process q, Path checkpoint, Random random) throws Exception {
        long before = Files.exists(checkpoint) ? Files.getLastModifiedTime(checkpoint).toMillis() : -1;
        long deadline = System.currentTimeMillis() + 60_000;
        while (q.isAlive() && System.currentTimeMillis() < deadline) {
            long now = Files.exists(checkpoint) ? Files.getLastModifiedTime(checkpoint).toMillis() : -1;
            if (now != before) {
                Thread.sleep(random.nextInt(400));
                if (!q.isAlive()) {
                    return false;
                }
                q.destroyForcibly().waitFor();
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    @Test
    void killedRunsResumeToTheSameModel(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Process p = start(straight, false);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "uninterrupted run finished");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("straight.log")));

        Path crashed = dir.resolve("crashed");
        Random random = new Random(42);
        int kills = 0;
        boolean resume = false;
        boolean finished = false;
        // Up to four kills, each after some checkpoint; how many land before the run ends does not matter, as
        // long as one did (the first always can: a checkpoint comes every 7 of the 600 steps).
        for (int attempt = 0; attempt < 20 && !finished; attempt++) {
            Process q = start(crashed, resume);
            if (kills < 4 && killAfterNextCheckpoint(q, crashed.resolve("checkpoint.s4j"), random)) {
                kills++;
            } else {
                assertTrue(q.waitFor(180, TimeUnit.SECONDS));
                finished = q.exitValue() == 0;
            }
            resume = Files.exists(crashed.resolve("checkpoint.s4j"));
            // a kill can leave at most one temp file per target behind; the next write of it cleans it
            try (Stream<Path> files = Files.list(crashed.toFile().exists() ? crashed : dir)) {
                assertTrue(files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count() <= 3);
            }
        }
        assertTrue(finished, "the killed run was resumed to its end");
        assertTrue(kills >= 1, "at least one kill landed");
        String log = Files.readString(dir.resolve("crashed.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("reached 600 steps"), log);
        assertTrue(log.contains("resuming from step"), "a kill landed after a checkpoint: " + log);

        var kernels = Backend.kernels("simd", 2);
        float[] a = ModelFile.loadCheckpoint(straight.resolve("checkpoint.s4j"), kernels).model().net().params().values();
        float[] b = ModelFile.loadCheckpoint(crashed.resolve("checkpoint.s4j"), kernels).model().net().params().values();
        assertArrayEquals(a, b, "final checkpoint equals the uninterrupted run's");
        ModelFile.Loaded ma = ModelFile.load(straight.resolve("model.s4j"), kernels);
        ModelFile.Loaded mb = ModelFile.load(crashed.resolve("model.s4j"), kernels);
        assertArrayEquals(ma.net().params().values(), mb.net().params().values(), "final model equals the uninterrupted run's");
        assertEquals(ma.threshold(), mb.threshold());
        assertEquals(stepsAndValidations(straight), stepsAndValidations(crashed), "the log survives the kills");
        try (Stream<Path> files = Files.list(crashed)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count(), "no temp files left");
        }
    }

    /**
     * SIGTERM takes the same path as Ctrl-C (the JVM's shutdown hooks): the run stops at the next step, saves
     * its checkpoint and reports while the JVM shuts down, and can be resumed to the end.
     */
    @Test
    void terminatedRunSavesItsCheckpointAndReports(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Process p = start(run, false);
        Path checkpoint = run.resolve("checkpoint.s4j");
        long deadline = System.currentTimeMillis() + 60_000;
        while (p.isAlive() && !Files.exists(checkpoint) && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(p.isAlive() && !Files.exists(run.resolve("chart.png")), "still training when stopped");
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped");
        String log = Files.readString(dir.resolve("run.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("interrupted; saved " + checkpoint + " (continue with --resume"), log);
        assertTrue(!log.contains("internal error") && !log.contains("Exception"), log);
        assertTrue(Files.exists(run.resolve("chart.png")), "the reports are written on the way out: " + log);
        long step = ModelFile.loadCheckpoint(checkpoint, Backend.kernels("simd", 2)).optimizer().step();
        assertTrue(step > 0 && step < 600, "checkpoint at step " + step);

        Process q = start(run, true);
        assertTrue(q.waitFor(180, TimeUnit.SECONDS), "resumed run finished");
        assertEquals(0, q.exitValue(), Files.readString(dir.resolve("run.log")));
        assertEquals(600, ModelFile.loadCheckpoint(checkpoint, Backend.kernels("simd", 2)).optimizer().step());
    }

    /** The log's step and validation columns (time and speed differ between runs). */
    private static List<String> stepsAndValidations(Path run) throws Exception {
        return Files.readAllLines(run.resolve("log.csv")).stream().map(line -> {
            String[] f = line.split(",", -1);
            return f[0] + "," + f[6];
        }).toList();
    }
}
