package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.cli.commands.FaceFixtures.at;
import static org.siamese4j.cli.commands.FaceFixtures.crop;
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
import org.siamese4j.faces.EnrolmentFolder;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.model.io.WriteLock;

/** {@code siamese enroll}: single people and folders, updates, and every refusal. */
class EnrollCommandTest {
    @TempDir
    Path dir;

    private Path model;
    private Path gallery;

    @BeforeEach
    void setUp() {
        model = FaceFixtures.model(dir, "faces.s4j", 1);
        gallery = dir.resolve("team.gallery");
    }

    @Test
    void enrolsOnePersonFromImagesInEveryFormat() {
        Path png = FaceFixtures.png(crop(0, 100), dir.resolve("ada 1.png"));
        Path jpeg = FaceFixtures.jpeg(crop(0, 90), dir.resolve("ada2.jpg"));
        Path pgm = FaceFixtures.pgm(crop(0, 80), dir.resolve("ada3.pgm"));
        Path pngInJpg = FaceFixtures.png(crop(0, 100), dir.resolve("ada4.jpg"));
        CliResult r = run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada Lovelace", png, jpeg, pgm, pngInJpg);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.out().contains("enrolled Ada Lovelace (4 images)"), r.out());
        assertTrue(r.out().contains("gallery " + gallery + ": 1 person, 4 embeddings"), r.out());
        assertTrue(r.messages().isEmpty(), r.toString());

        Gallery g = Gallery.load(gallery);
        assertEquals(List.of("Ada Lovelace"), g.names());
        assertEquals(List.of(png.toString(), jpeg.toString(), pgm.toString(), pngInJpg.toString()),
                g.person("Ada Lovelace").orElseThrow().sources());
    }

    @Test
    void enrolsAFolderOfNameFilesAndPersonFolders() {
        Path people = dir.resolve("people");
        FaceFixtures.png(crop(0, 100), people.resolve("Ada Lovelace.jpg")); // PNG data in a .jpg, a name with a space
        FaceFixtures.jpeg(crop(1, 100), people.resolve("Alan Turing.jpeg"));
        for (int i : new int[] {10, 2, 1}) {
            FaceFixtures.png(crop(2, 100 - i), people.resolve("Grace Hopper").resolve(i + ".jpg"));
        }
        FaceFixtures.bytes("not an image".getBytes(), people.resolve("notes.txt"));
        FaceFixtures.bytes(new byte[0], people.resolve(".hidden.jpg"));
        CliResult r = run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "--dir", people,
                "--per-person", "2", "--json");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        Map<String, Object> json = r.json();
        assertEquals(gallery.toString(), json.get("gallery"));
        assertEquals(3.0, json.get("people"));
        assertEquals("Ada Lovelace", at(json, "enrolled", 0, "name"));
        assertEquals(List.of("Ada Lovelace.jpg"), at(json, "enrolled", 0, "images"));
        assertEquals(false, at(json, "enrolled", 0, "replaced"));
        assertEquals("Grace Hopper", at(json, "enrolled", 2, "name"));
        // natural order: 1.jpg, 2.jpg (then 10.jpg, beyond --per-person 2)
        assertEquals(List.of("Grace Hopper/1.jpg", "Grace Hopper/2.jpg"), at(json, "enrolled", 2, "images"));
        List<?> warnings = (List<?>) json.get("warnings");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).toString().contains("notes.txt: skipped, not an image"), warnings.toString());
        assertTrue(r.messages().contains("siamese: warning: " + warnings.get(0)), r.toString());

        Gallery g = Gallery.load(gallery);
        assertEquals(List.of("Ada Lovelace", "Alan Turing", "Grace Hopper"), g.names());
        assertEquals(2, g.person("Grace Hopper").orElseThrow().size());
    }

    @Test
    void enrollingAgainReplacesThePersonAndKeepsTheOthers() throws IOException {
        Path a = FaceFixtures.png(crop(0, 100), dir.resolve("a.png"));
        Path b = FaceFixtures.png(crop(1, 100), dir.resolve("b.png"));
        Path a2 = FaceFixtures.png(crop(0, 96), dir.resolve("a2.png"));
        assertEquals(0, run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada", a).exitCode());
        assertEquals(0, run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Bob", b).exitCode());
        float[] before = Gallery.load(gallery).person("Ada").orElseThrow().embedding(0);

        CliResult r = run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "--json", "Ada", a2, a);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(true, at(r.json(), "enrolled", 0, "replaced"));
        assertEquals(2.0, r.json().get("people"));
        Gallery g = Gallery.load(gallery);
        assertEquals(List.of("Ada", "Bob"), g.names());
        assertEquals(List.of(a2.toString(), a.toString()), g.person("Ada").orElseThrow().sources());
        assertArrayEquals(before, g.person("Ada").orElseThrow().embedding(1));
        assertTrue(run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada", a2).out()
                .contains("updated  Ada (1 image)"));
    }

    @Test
    void anotherModelIsRefusedAndTheGalleryIsLeftAlone() throws IOException {
        Path a = FaceFixtures.png(crop(0, 100), dir.resolve("a.png"));
        assertEquals(0, run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada", a).exitCode());
        byte[] before = Files.readAllBytes(gallery);
        Path other = FaceFixtures.model(dir, "other.s4j", 2);
        CliResult r = run("enroll", "--model", other, "--gallery", gallery, "--no-detect", "Bob", a);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r.assertOneMessage("gallery " + gallery + " was made with model ", "; enrol again with the same model");
        assertArrayEquals(before, Files.readAllBytes(gallery));
    }

    @Test
    void aNameGivenTwiceInOneCallIsRefused() {
        Path people = dir.resolve("people");
        FaceFixtures.png(crop(0, 100), people.resolve("Ada.jpg"));
        FaceFixtures.png(crop(1, 100), people.resolve("Ada.png"));
        CliResult r = run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "--dir", people);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r.assertOneMessage("the name 'Ada' is given twice, by Ada.jpg and Ada.png");
        assertFalse(Files.exists(gallery));

        Path mixed = dir.resolve("mixed");
        FaceFixtures.png(crop(0, 100), mixed.resolve("Bo.jpg"));
        FaceFixtures.png(crop(1, 100), mixed.resolve("Bo").resolve("1.jpg"));
        r = run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "--dir", mixed);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r.assertOneMessage("'Bo' is given twice");
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws IOException {
        Path a = FaceFixtures.png(crop(0, 100), dir.resolve("a.png"));
        Path missing = dir.resolve("missing.jpg");
        record Case(List<Object> args, String message) {
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        List<Case> cases = List.of(
                new Case(List.of("Ada", a, missing), missing + ": no such file"),
                new Case(List.of("Ada", dir), dir + ": is a directory"),
                new Case(List.of("Ada"), "expected at least one IMAGE after the name 'Ada'"),
                new Case(List.of(), "expected NAME IMAGE... or --dir DIR"),
                new Case(List.of(" Ada", a), "invalid person name ' Ada': leading or trailing spaces"),
                new Case(List.of("--dir", dir, "Ada", a), "give either --dir DIR or NAME IMAGE..., not both"),
                new Case(List.of("--per-person", "2", "Ada", a), "--per-person applies to --dir only"),
                new Case(List.of("--dir", empty), "nobody to enrol"),
                new Case(List.of("--dir", dir.resolve("nope")), "no such folder"),
                new Case(List.of("--per-person", "0", "--dir", dir), "--per-person: expected a positive integer"));
        for (Case c : cases) {
            Object[] args = new Object[6 + c.args().size()];
            Object[] fixed = {"enroll", "--model", model, "--gallery", gallery, "--no-detect"};
            System.arraycopy(fixed, 0, args, 0, 6);
            System.arraycopy(c.args().toArray(), 0, args, 6, c.args().size());
            CliResult r = run(args);
            assertEquals(ExitCode.USAGE, r.exitCode(), c + ": " + r);
            r.assertOneMessage(c.message());
            assertFalse(Files.exists(gallery), c.toString());
        }
        CliResult r = run("enroll", "--model", dir.resolve("nope.s4j"), "--gallery", gallery, "--no-detect", "--json", "Ada", a);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("nope.s4j: file not found");
        assertEquals(2.0, r.json().get("exit_code"));
        r = run("enroll", "--model", model, "--gallery", dir.resolve("no/such/folder.gallery"), "--no-detect", "Ada", a);
        assertEquals(ExitCode.USAGE, r.exitCode());
        r.assertOneMessage("not writable (folder does not exist)");
    }

    @Test
    void aGalleryBeingWrittenElsewhereIsAClearError() {
        Path a = FaceFixtures.png(crop(0, 100), dir.resolve("a.png"));
        try (WriteLock lock = WriteLock.acquire(gallery)) {
            CliResult r = run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada", a);
            assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
            r.assertOneMessage(gallery + " is in use by another siamese4j process");
        }
        assertEquals(0, run("enroll", "--model", model, "--gallery", gallery, "--no-detect", "Ada", a).exitCode());
    }

    @Test
    void theDetectorsChoiceIsReportedAsWarnings() throws IOException {
        Path cascade = FaceFixtures.cascade(dir);
        Path alone = FaceFixtures.png(FaceFixtures.portrait(0, 200, 200, 40), dir.resolve("alone.png"));
        Path two = FaceFixtures.png(FaceFixtures.photo(480, 200, 40, new int[] {0, 1}, new int[] {120, 360},
                new int[] {100, 100}), dir.resolve("two.png"));
        // a tight crop leaves the blob detector's window no room: it is found with the margin detectPortrait adds
        Path tight = FaceFixtures.png(crop(0, 100), dir.resolve("tight.png"));
        Path empty = FaceFixtures.png(FaceFixtures.photo(100, 100, 40, new int[0], new int[0], new int[0]),
                dir.resolve("empty.png"));
        CliResult r = run("enroll", "--model", model, "--gallery", gallery, "--cascade", cascade, "--json", "Ada", alone, two,
                tight, empty);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        List<?> warnings = (List<?>) r.json().get("warnings");
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).toString().startsWith(two + ": 2 faces found, using the largest (x "), warnings.toString());
        assertEquals(empty + ": no face found, using the whole image as the face", warnings.get(1));
        assertEquals(2, r.messages().stream().filter(m -> m.startsWith("siamese: warning: ")).count(), r.toString());
    }

    @Test
    void helpHasAnExample() {
        CliResult r = run("enroll", "--help");
        assertEquals(ExitCode.OK, r.exitCode());
        assertTrue(r.out().contains("examples:") && r.out().contains("siamese enroll --model"), r.out());
        assertTrue(r.out().contains("--per-person") && r.out().contains("--cascade"), r.out());
    }

    @Test
    void foldersAreListedInNaturalOrder() {
        List<String> names = new java.util.ArrayList<>(List.of("10.jpg", "2.jpg", "1.jpg", "a10b.png", "a2b.png", "01.jpg", "B.jpg"));
        names.sort(EnrolmentFolder::naturalCompare);
        assertEquals(List.of("01.jpg", "1.jpg", "2.jpg", "10.jpg", "B.jpg", "a2b.png", "a10b.png"), names);
    }
}
