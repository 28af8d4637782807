package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.cli.commands.FaceFixtures.at;
import static org.siamese4j.cli.commands.FaceFixtures.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.engine.BadInputException;

/** {@code siamese detect}: boxes, options, the cascade search and the refusals. */
class DetectCommandTest {
    @TempDir
    Path dir;

    private Path cascade;
    private Path group;

    @BeforeEach
    void setUp() throws IOException {
        cascade = FaceFixtures.cascade(dir);
        group = FaceFixtures.png(FaceFixtures.photo(480, 200, 40, new int[] {0, 1}, new int[] {120, 360},
                new int[] {100, 100}), dir.resolve("group.png"));
    }

    @Test
    void printsTheBoxesOfEachPhoto() {
        Path empty = FaceFixtures.png(FaceFixtures.photo(100, 100, 40, new int[0], new int[0], new int[0]), dir.resolve("empty.png"));
        CliResult r = run("detect", "--cascade", cascade, group, empty);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(group + ": 2 faces", lines.get(0));
        assertTrue(lines.get(1).matches("  x \\d+  y \\d+  w \\d+  h \\d+"), lines.get(1));
        assertEquals(empty + ": 0 faces", lines.get(3));
        assertTrue(r.messages().isEmpty(), "no cascade notice with --cascade: " + r);
    }

    @Test
    void jsonHasPhotosBoxesCascadeAndOptions() {
        CliResult r = run("detect", "--cascade", cascade, "--scale-factor", "1.1", "--min-neighbors", "2", "--min-size", "20",
                "--json", group);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        Map<String, Object> json = r.json();
        assertEquals(cascade.toString(), json.get("cascade"));
        assertEquals(Map.of("scale_factor", 1.1, "min_neighbors", 2.0, "min_size", 20.0), json.get("options"));
        assertEquals(group.toString(), at(json, "photos", 0, "path"));
        List<?> boxes = (List<?>) at(json, "photos", 0, "boxes");
        assertEquals(2, boxes.size(), boxes.toString());
        // each box is centred on its face (at x 120 and 360, y 100), about three faces wide
        int[] centres = {120, 360};
        for (int i = 0; i < 2; i++) {
            double x = (Double) at(boxes, i, "x");
            double y = (Double) at(boxes, i, "y");
            double w = (Double) at(boxes, i, "w");
            double h = (Double) at(boxes, i, "h");
            assertEquals(centres[i], x + w / 2, 6, boxes.toString());
            assertEquals(100, y + h / 2, 6, boxes.toString());
            assertEquals(120, w, 20, boxes.toString());
        }
    }

    @Test
    void withoutACascadeTheBuiltInOneIsUsedSilently() {
        CliResult r = run("detect", "--json", group);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(List.of(), r.messages(), "nothing to announce: the cascade ships with the jar");
        assertTrue(r.json().get("cascade").toString().contains("built-in haarcascade_frontalface_default.xml"), r.toString());
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.xml"), "<opencv_storage><cascade>");
        record Case(List<Object> args, String message) {
        }
        List<Case> cases = List.of(
                new Case(List.of("--cascade", cascade, dir.resolve("none.jpg")), "none.jpg: no such file"),
                new Case(List.of("--cascade", dir.resolve("none.xml"), group), "cascade file " + dir.resolve("none.xml") + " does not exist"),
                new Case(List.of("--cascade", broken, group), "broken.xml"),
                new Case(List.of("--cascade", cascade, "--scale-factor", "1", group), "--scale-factor: expected a number from 1.01 to 4, got '1'"),
                new Case(List.of("--cascade", cascade, "--min-neighbors", "-1", group), "--min-neighbors: expected an integer from 0 to 1000"),
                new Case(List.of("--cascade", cascade), "missing"),
                new Case(List.of("--cascade", cascade, FaceFixtures.bytes(new byte[] {1, 2, 3}, dir.resolve("junk.png"))), "junk.png"));
        for (Case c : cases) {
            Object[] args = new Object[1 + c.args().size()];
            args[0] = "detect";
            System.arraycopy(c.args().toArray(), 0, args, 1, c.args().size());
            CliResult r = run(args);
            assertEquals(ExitCode.USAGE, r.exitCode(), c + ": " + r);
            r.assertOneMessage(c.message());
        }
    }

    @Test
    void helpHasAnExample() {
        CliResult r = run("detect", "--help");
        assertEquals(ExitCode.OK, r.exitCode());
        assertTrue(r.out().contains("examples:") && r.out().contains("siamese detect group.jpg"), r.out());
        assertTrue(r.out().contains("--scale-factor") && r.out().contains("--min-size"), r.out());
    }
}
