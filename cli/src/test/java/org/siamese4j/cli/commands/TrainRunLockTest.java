package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.Main;
import org.siamese4j.cli.MiniJson;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.ModelFile;

/**
 * "A second process writing the same model is stopped by a lock file", for whole training runs: a run holds its
 * output folder from start to end, so a second {@code train} or {@code train --resume} on the folder, started while
 * the first runs, gets one line and exit code 2 at once, and the first finishes with whole files. Real processes.
 */
class TrainRunLockTest {
    private static final String[] TRAIN = {"train", "--size", "20", "--tower",
        "conv 3x3 8 pad=1 bn relu; pool 2; conv 3x3 8 pad=1 bn relu; pool 2; dense 16 sigmoid",
        "--checkpoint-every", "20", "--eval-every", "50", "--classes-per-batch", "8",
        "--val-trials", "100", "--test-trials", "100", "--way", "5", "--threads", "1", "--seed", "3"};

    private static Process start(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dsiamese4j.relaunch=false", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "org.siamese4j.cli.Main"));
        cmd.addAll(Arrays.asList(args));
        return new ProcessBuilder(cmd).redirectOutput(log.toFile()).redirectError(log.resolveSibling(log.getFileName() + ".err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null")))
                .start();
    }

    private static String[] train(String... more) {
        String[] all = Arrays.copyOf(TRAIN, TRAIN.length + more.length);
        System.arraycopy(more, 0, all, TRAIN.length, more.length);
        return all;
    }

    private static CliResult finish(Process p, Path log, long seconds) throws Exception {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("still running after " + seconds + " s: " + Files.readString(log.resolveSibling(log.getFileName() + ".err")));
        }
        return new CliResult(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8),
                Files.readString(log.resolveSibling(log.getFileName() + ".err"), StandardCharsets.UTF_8));
    }

    /** Waits until the run says it is training (it took its folder's lock before it read any data). */
    private static void awaitTraining(Process p, Path log) throws Exception {
        Path err = log.resolveSibling(log.getFileName() + ".err");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            if (Files.exists(err) && Files.readString(err, StandardCharsets.UTF_8).contains("siamese: training ")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the run did not start training: " + Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aSecondTrainOrResumeOnTheSameFolderExitsTwoAtOnceAndTheFirstFinishesWhole(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("runs").resolve("x");
        Process first = start(dir.resolve("first.log"), train("--steps", "200", "--out", out.toString(), "--json"));
        awaitTraining(first, dir.resolve("first.log"));
        Process second = start(dir.resolve("second.log"), train("--steps", "200", "--out", out.toString()));
        Process resumed = start(dir.resolve("resumed.log"), train("--steps", "200", "--resume",
                out.resolve("checkpoint.s4j").toString()));
        CliResult s = finish(second, dir.resolve("second.log"), 60);
        CliResult r = finish(resumed, dir.resolve("resumed.log"), 60);
        assertTrue(first.isAlive(), "the first run was still training when the others were refused");
        for (CliResult refused : List.of(s, r)) {
            assertEquals(2, refused.exitCode(), refused.toString());
            refused.assertOneMessage(out + ": in use by another training run (process " + first.pid() + ", lock "
                    + out.resolve("run.lock") + ")");
            assertEquals("", refused.out(), refused.toString());
        }

        CliResult f = finish(first, dir.resolve("first.log"), 180);
        assertEquals(0, f.exitCode(), f.toString());
        assertFalse(f.err().contains("took over"), f.toString());
        Map<String, Object> j = MiniJson.object(f.out().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(200L, ((Number) j.get("steps")).longValue());
        var kernels = Backend.kernels("simd", 1);
        assertEquals(200, ModelFile.loadCheckpoint(out.resolve("checkpoint.s4j"), kernels).optimizer().step());
        ModelFile.Loaded m = ModelFile.load(out.resolve("model.s4j"), kernels);
        assertEquals(String.valueOf(((Number) j.get("best_step")).longValue()), m.metadata().get("steps"));
        List<String> log = Files.readAllLines(out.resolve("log.csv"));
        assertTrue(log.get(log.size() - 1).startsWith("200,"), "the log ends at the last step: " + log);
        assertEquals(j, MiniJson.object(Files.readString(out.resolve("report.json")).trim()));
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList());
        }
    }

    /** The OS drops the lock of a killed run; the next run on its folder takes it over and says so on stderr. */
    @Test
    void theLockOfAKilledRunIsTakenOverSayingSo(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x");
        Process killed = start(dir.resolve("killed.log"), train("--steps", "100000", "--out", out.toString()));
        awaitTraining(killed, dir.resolve("killed.log"));
        assertEquals(Long.toString(killed.pid()), Files.readString(out.resolve("run.lock")).trim(), "the lock file names its holder");
        killed.destroyForcibly().waitFor();
        CliResult r = CliResult.inProcess(Main.commands(), train("--steps", "3", "--no-test", "--out", out.toString()));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.messages().stream().filter(l -> l.equals("siamese: took over " + out.resolve("run.lock")
                + " from process " + killed.pid() + ", which ended without releasing it")).count(), r.toString());
    }

    /** A run refused for bad input leaves no output folder (and no lock file) behind. */
    @Test
    void aRunRefusedForBadInputLeavesNoFolder(@TempDir Path dir) {
        Path out = dir.resolve("new").resolve("x");
        CliResult r = CliResult.inProcess(Main.commands(), train("--steps", "3", "--data", dir.resolve("missing").toString(),
                "--out", out.toString()));
        assertEquals(2, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        List<String> m = r.messages();
        assertTrue(m.get(m.size() - 1).contains("missing: no such file or folder"), r.toString());
        assertFalse(Files.exists(dir.resolve("new")), "nothing written");
    }
}
