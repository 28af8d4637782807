package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.Main;
import org.siamese4j.cli.MiniJson;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.ModelFile;

/**
 * "A loss that turns NaN stops training with exit code 1 and keeps the last good checkpoint and the best model",
 * through the command line: the exit code, and every file that the messages, the summary and report.json name
 * exists and loads; where nothing was kept, they say so instead of naming a file.
 */
class TrainDivergenceTest {
    private static final String[] SMALL = {"train", "--size", "20", "--tower",
        "conv 3x3 6 pad=1 bn relu; pool 2; conv 3x3 8 pad=1 bn relu; pool 2; dense 16 sigmoid", "--classes-per-batch", "8",
        "--val-trials", "50", "--test-trials", "50", "--way", "5", "--threads", "2", "--steps", "100"};
    private static final Pattern KEPT = Pattern.compile("kept the last good checkpoint \\(step (\\d+)\\)");

    private static CliResult train(Path out, String... args) {
        String[] all = new String[SMALL.length + args.length + 2];
        System.arraycopy(SMALL, 0, all, 0, SMALL.length);
        System.arraycopy(args, 0, all, SMALL.length, args.length);
        all[all.length - 2] = "--out";
        all[all.length - 1] = out.toString();
        return CliResult.inProcess(Main.commands(), all);
    }

    /** The path the summary line "{@code label} ..." names, or its "(none: ...)" text. */
    private static String summary(CliResult r, String label) {
        return r.out().lines().filter(l -> l.startsWith(label + " ")).map(l -> l.substring(label.length()).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no '" + label + "' line: " + r));
    }

    private static Map<String, Object> report(Path out) throws Exception {
        return MiniJson.object(Files.readString(out.resolve("report.json")).trim());
    }

    /** The example: --lr 1e9 diverges at step 4, long before the first checkpoint (step 20) and validation. */
    @Test
    void aRunThatDivergesBeforeItsFirstCheckpointExitsOneAndNamesNoFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x");
        CliResult r = train(out, "--lr", "1e9", "--checkpoint-every", "20");
        assertEquals(1, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        assertTrue(r.err().contains("no checkpoint was written before it (the first was due at step 20)"), r.toString());
        assertFalse(r.err().contains("kept the last good checkpoint"), r.toString());
        assertEquals("(none: the run diverged before its first checkpoint)", summary(r, "checkpoint"));
        assertEquals("(none: no step was validated)", summary(r, "model"));
        Map<String, Object> report = report(out);
        assertEquals(true, report.get("diverged"));
        assertEquals(null, report.get("checkpoint"));
        assertEquals(null, report.get("model"));
        assertFalse(Files.exists(out.resolve("checkpoint.s4j")) || Files.exists(out.resolve("model.s4j")));
    }

    /**
     * A run that validated and checkpointed before its weights turned NaN: the checkpoint named is the last good one and
     * loads, and the model named is the best validated one, never weights that had already turned NaN.
     */
    @Test
    void aRunThatDivergesLaterExitsOneAndEveryFileItNamesLoads(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("y");
        CliResult r = train(out, "--lr", "1e6", "--checkpoint-every", "3", "--eval-every", "2");
        assertEquals(1, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        Matcher kept = KEPT.matcher(r.err());
        assertTrue(kept.find(), r.toString());
        long keptStep = Long.parseLong(kept.group(1));
        Map<String, Object> report = report(out);
        long steps = ((Number) report.get("steps")).longValue();

        Path checkpoint = Path.of(summary(r, "checkpoint"));
        assertEquals(checkpoint.toString(), report.get("checkpoint"));
        var kernels = Backend.kernels("simd", 2);
        ModelFile.Checkpoint c = ModelFile.loadCheckpoint(checkpoint, kernels);
        assertEquals(keptStep, c.optimizer().step(), "the checkpoint on disk is the one the message names");
        assertTrue(keptStep > 0 && keptStep < steps, "checkpoint of step " + keptStep + ", diverged at step " + steps);

        Path model = Path.of(summary(r, "model"));
        assertEquals(model.toString(), report.get("model"));
        ModelFile.Loaded m = ModelFile.load(model, kernels);
        assertEquals(String.valueOf(((Number) report.get("best_step")).longValue()), m.metadata().get("steps"));
        assertTrue(((Number) report.get("best_step")).longValue() < steps);
        for (String f : List.of("log.csv", "chart.png", "trials.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
    }
}
