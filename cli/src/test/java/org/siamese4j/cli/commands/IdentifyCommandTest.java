package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.cli.commands.FaceFixtures.at;
import static org.siamese4j.cli.commands.FaceFixtures.crop;
import static org.siamese4j.cli.commands.FaceFixtures.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;

/** {@code siamese identify}: names, unknown faces, --top, the JSON shape and the refusals. */
class IdentifyCommandTest {
    @TempDir
    Path dir;

    private Path model;
    private Path gallery;
    private Path[] crops;

    /** People 0 and 2 enrolled from 100x100 crops; crops of all four people on disk. */
    @BeforeEach
    void setUp() {
        model = FaceFixtures.model(dir, "faces.s4j", 1);
        gallery = dir.resolve("team.gallery");
        crops = new Path[4];
        for (int p = 0; p < 4; p++) {
            crops[p] = FaceFixtures.png(crop(p, 100), dir.resolve("person" + p + ".png"));
        }
        assertEquals(0, run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada Lovelace", crops[0]).exitCode());
        assertEquals(0, run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Grace Hopper", crops[2]).exitCode());
    }

    @Test
    void namesEnrolledPeopleAndCallsOthersUnknown() {
        Path ada = FaceFixtures.jpeg(crop(0, 100), dir.resolve("ada-again.jpg")); // the same face, re-encoded
        CliResult r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", ada, crops[2], crops[3]);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches(ada + ": Ada Lovelace 0\\.9\\d+"), lines.get(0));
        assertTrue(lines.get(1).matches(crops[2] + ": Grace Hopper 0\\.99\\d+"), lines.get(1));
        assertTrue(lines.get(2).matches(crops[3] + ": unknown 0\\.\\d+ \\(closest: .+\\)"), lines.get(2));
        assertTrue(lines.get(3).startsWith("rule: the model's equal-error threshold p >= 0.9000 (this model has no"
                + " open-set calibration"), "the rule that decided is said: " + lines.get(3));
        assertEquals(1, r.messages().size(), r.toString());
        assertTrue(r.messages().get(0).contains("no open-set calibration"), "an old model is said to fall back: " + r);
    }

    @Test
    void aGivenThresholdReplacesTheCalibratedOne() {
        CliResult r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", "--threshold", "0", "--json", crops[3]);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(0.0, (Double) r.json().get("threshold"), 1e-12);
        assertEquals(false, at((List<?>) r.json().get("results"), 0, "unknown"), "nobody is unknown at threshold 0");
        r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", "--threshold", "1.5", crops[3]);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertTrue(r.messages().get(r.messages().size() - 1).contains("--threshold"), r.toString());
    }

    @Test
    void jsonHasOneResultPerImageAndTheTopK() {
        CliResult r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", "--top", "2", "--json", crops[0], crops[3]);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        Map<String, Object> json = r.json();
        assertEquals(0.9, (Double) json.get("threshold"), 1e-9);
        assertEquals(List.of(), json.get("warnings"));
        List<?> results = (List<?>) json.get("results");
        assertEquals(2, results.size());
        assertEquals(crops[0].toString(), at(results, 0, "image"));
        assertEquals("Ada Lovelace", at(results, 0, "name"));
        assertEquals(false, at(results, 0, "unknown"));
        assertTrue((Double) at(results, 0, "p") > 0.99);
        assertEquals(Map.of("x", 0.0, "y", 0.0, "w", 100.0, "h", 100.0), at(results, 0, "face"));
        List<?> top = (List<?>) at(results, 0, "top");
        assertEquals(2, top.size());
        assertEquals("Ada Lovelace", at(top, 0, "name"));
        assertEquals("Grace Hopper", at(top, 1, "name"));
        assertTrue((Double) at(top, 0, "p") >= (Double) at(top, 1, "p"));
        assertEquals(at(results, 0, "p"), at(top, 0, "p"));

        assertEquals("unknown", at(results, 1, "name"));
        assertEquals(true, at(results, 1, "unknown"));
        assertTrue((Double) at(results, 1, "p") < 0.9);

        // without --top the list holds the best alone
        CliResult one = run("identify", "--model", model, "--gallery", gallery, "--no-detect", "--json", crops[0]);
        assertEquals(1, ((List<?>) at(one.json(), "results", 0, "top")).size());
    }

    @Test
    void refusesAMissingEmptyDamagedOrForeignGallery() throws IOException {
        CliResult r = run("identify", "--model", model, "--gallery", dir.resolve("none.gallery"), "--no-detect", crops[0]);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("none.gallery: no such gallery; create it with siamese enroll");

        Path empty = dir.resolve("empty.gallery");
        SiameseModel loaded = SiameseModel.load(model, FaceFixtures.kernels());
        Gallery.create(loaded.sha256(), loaded.embeddingSize()).save(empty);
        r = run("identify", "--model", model, "--gallery", empty, "--no-detect", "--json", crops[0]);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("gallery " + empty + " is empty; enrol at least one person first");
        assertEquals("gallery " + empty + " is empty; enrol at least one person first", r.json().get("error"));

        Path damaged = dir.resolve("damaged.gallery");
        byte[] bytes = Files.readAllBytes(gallery);
        Files.write(damaged, Arrays.copyOf(bytes, bytes.length / 2));
        r = run("identify", "--model", model, "--gallery", damaged, "--no-detect", crops[0]);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage(damaged + ": truncated");

        Path other = FaceFixtures.model(dir, "other.s4j", 3);
        r = run("identify", "--model", other, "--gallery", gallery, "--no-detect", crops[0]);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("was made with model", "; enrol again with the same model");

        r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", dir.resolve("nobody.png"));
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("nobody.png: no such file");

        Path text = FaceFixtures.bytes("hello".getBytes(), dir.resolve("text.jpg"));
        r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", text);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("text.jpg");

        r = run("identify", "--model", model, "--gallery", gallery, "--no-detect", "--top", "0", crops[0]);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("--top: expected a positive integer");
    }

    @Test
    void helpHasAnExample() {
        CliResult r = run("identify", "--help");
        assertEquals(ExitCode.OK, r.exitCode());
        assertTrue(r.out().contains("examples:") && r.out().contains("siamese identify --gallery"), r.out());
    }

    /** Without --model the face commands, and eval's face protocols, use the model inside the jar. */
    @Test
    void withoutAModelTheBuiltInFaceModelIsUsed() throws java.io.IOException {
        Path builtInGallery = dir.resolve("built-in.gallery");
        CliResult enrolled = run("enroll", "--gallery", builtInGallery, "--no-detect", "Ada Lovelace", crops[0]);
        assertEquals(ExitCode.OK, enrolled.exitCode(), enrolled.toString());
        assertTrue(enrolled.err().contains("built-in face model"), "the model used is said: " + enrolled);
        CliResult r = run("identify", "--gallery", builtInGallery, "--no-detect", "--json", crops[0]);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals("Ada Lovelace", at(r.json(), "results", 0, "name"), "the same image is its own best match");
        assertTrue(r.json().get("rule").toString().startsWith("FPIR 1 % for a gallery of 1"), r.toString());

        Path people = dir.resolve("people");
        for (int p = 0; p < 2; p++) {
            java.nio.file.Files.createDirectories(people.resolve("Person " + p));
            FaceFixtures.png(crop(p, 100), people.resolve("Person " + p).resolve("1.png"));
            FaceFixtures.png(crop(p, 96), people.resolve("Person " + p).resolve("2.png"));
        }
        CliResult eval = CliResult.inProcess(org.siamese4j.cli.Main.commands(), "eval", "--identification", people.toString(), "--json");
        assertEquals(ExitCode.OK, eval.exitCode(), eval.toString());
        assertEquals("built-in face model", eval.json().get("model"));
        assertEquals(2.0, eval.json().get("queries"));
    }
}
