package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.Main;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.ModelFile;
import org.siamese4j.train.DataSplits;

/** train on several sources at once, and on faces framed by the detector (--detect), through the command line. */
class TrainSourcesCliTest {
    static final String TOWER = "conv 3x3 4 pad=1 relu; pool 2; dense 8 sigmoid";
    @TempDir
    static Path dir;
    static Path cascade;

    @BeforeAll
    static void cascade() throws IOException {
        cascade = FaceFixtures.cascade(dir);
    }

    /** A folder of drawn people: person p's photos, each a portrait with the face a little off centre. */
    private static Path people(String name, int first, int count, int perPerson) {
        Path root = dir.resolve(name);
        for (int p = first; p < first + count; p++) {
            for (int i = 0; i < perPerson; i++) {
                BufferedImage photo = FaceFixtures.photo(120, 120, 24, new int[] {p}, new int[] {56 + 3 * i},
                        new int[] {60 - 2 * i});
                FaceFixtures.png(photo, root.resolve("p" + p).resolve(i + ".png"));
            }
        }
        return root;
    }

    private static CliResult run(String... args) {
        return CliResult.inProcess(Main.commands(), args);
    }

    private static Map<String, String> metadata(Path run) {
        return ModelFile.load(run.resolve("model.s4j"), Backend.kernels("scalar", 1)).metadata();
    }

    @Test
    void twoSourcesWithTheSameClassNamesKeepThemApartAndSaySo() {
        Path a = people("studio-a", 0, 4, 3);
        Path b = people("studio-b", 2, 4, 3);
        Path out = dir.resolve("two-sources");
        CliResult r = run("train", "--data", a + "," + b, "--size", "20", "--tower", TOWER, "--steps", "3",
                "--eval-every", "3", "--way", "2", "--test-classes", "p0", "--val-classes", "p1,p4,p5",
                "--classes-per-batch", "3", "--val-trials", "10", "--no-test", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("2 class names occur in more than one source (e.g. 'p2'); kept apart"), r.err());
        assertTrue(r.err().contains("classes named studio-a/..., studio-b/...: 24 images of 8 classes"), r.err());
        assertTrue(r.err().contains("classes: 4 training, 3 validation, 1 test"), r.err());
        Map<String, String> m = metadata(out);
        assertEquals("studio-a/p0", m.get(DataSplits.TEST_KEY), "a plain name finds the source that has it");
        assertEquals(List.of("studio-a/p1", "studio-b/p4", "studio-b/p5"), DataSplits.parseList(m.get(DataSplits.VALIDATION_KEY)));
        assertEquals(List.of(a.toAbsolutePath(), b.toAbsolutePath()),
                org.siamese4j.train.data.DataSources.parse(m.get("data")));

        // one source alone reads the model's recorded classes under its label
        r = run("eval", "--model", out.resolve("model.s4j").toString(), "--data", b.toString(), "--split", "validation",
                "--way", "2", "--trials", "10", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(2L, ((Number) r.json().get("classes")).longValue(), "studio-b's validation classes only: p4, p5");
        // and without --data, eval reads every recorded source
        r = run("eval", "--model", out.resolve("model.s4j").toString(), "--split", "validation", "--way", "2",
                "--trials", "10", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(3L, ((Number) r.json().get("classes")).longValue());
    }

    @Test
    void detectFramesEachFaceAndCountsTheImagesWithNoFaceOrSeveral() {
        Path root = people("detect", 0, 5, 3);
        // a photo of two people and two empty frames: which face is p0's cannot be told, and there is none
        FaceFixtures.png(FaceFixtures.photo(240, 120, 24, new int[] {0, 3}, new int[] {60, 180}, new int[] {60, 60}),
                root.resolve("p0").resolve("group.png"));
        FaceFixtures.png(FaceFixtures.photo(120, 120, 24, new int[0], new int[0], new int[0]), root.resolve("p1/empty.png"));
        FaceFixtures.png(FaceFixtures.photo(120, 120, 24, new int[0], new int[0], new int[0]), root.resolve("p9/empty.png"));
        Path out = dir.resolve("detect-run");
        CliResult r = run("train", "--data", root.toString(), "--detect", "--cascade", cascade.toString(),
                "--crop", "0.1,0.1,0.8,0.8", "--face-box", "0,0,1,1", "--size", "20", "--tower", TOWER, "--steps", "3",
                "--eval-every", "3", "--way", "2", "--test-classes", "p4", "--val-classes", "p3", "--classes-per-batch", "3",
                "--val-trials", "10", "--no-test", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("left out class 'p9'"), r.err());
        assertTrue(r.err().contains("loaded 15 images of 5 classes"), r.err());
        assertTrue(r.err().contains("2 left out: no face found, 1 left out: several faces found"), r.err());
        Map<String, String> m = metadata(out);
        assertEquals("true", m.get("detect"));
        assertEquals("2", m.get("detect.left-out.no-face-found"));
        assertEquals("1", m.get("detect.left-out.several-faces-found"));
        assertEquals("0.0000,0.0000,1.0000,1.0000", m.get("face-box"), "the face commands frame faces the same way");
        assertEquals(cascade.toAbsolutePath().toString(), m.get("detect.cascade"));

        // eval --detect frames the same way and keeps every image: the model's crop where no single face is found
        r = run("eval", "--model", out.resolve("model.s4j").toString(), "--data", root.toString(), "--split", "all",
                "--detect", "--cascade", cascade.toString(), "--way", "2", "--trials", "10", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("faces framed by the detector in 15 of 18 images; the model's crop for the 3 with no"
                + " face or several"), r.err());
    }

    @Test
    void uprightIsRecordedKeptOnResumeAndNeedsDetect() {
        Path root = people("upright", 0, 5, 3);
        CliResult refused = run("train", "--data", root.toString(), "--upright", "--steps", "1");
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("--upright turns the faces --detect finds: give --detect too"), refused.err());
        Path out = dir.resolve("upright-run");
        CliResult r = run("train", "--data", root.toString(), "--detect", "--upright", "--cascade", cascade.toString(),
                "--crop", "0.1,0.1,0.8,0.8", "--face-box", "0,0,1,1", "--size", "20", "--tower", TOWER, "--steps", "2",
                "--eval-every", "2", "--checkpoint-every", "2", "--way", "2", "--test-classes", "p4", "--val-classes", "p3",
                "--classes-per-batch", "3", "--val-trials", "10", "--no-test", "--threads", "1", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("upright", metadata(out).get("face-align"));
        r = run("train", "--resume", out.resolve("checkpoint.s4j").toString(), "--steps", "3", "--no-test",
                "--threads", "1");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("upright", metadata(out).get("face-align"), "a resumed run turns faces as it began");
    }

    @Test
    void detectFramesTheSameFaceWhereverItIsInThePhoto() {
        // the same person drawn at two places of two differently sized photos gives the same training input
        Path root = dir.resolve("moved");
        FaceFixtures.png(FaceFixtures.photo(120, 120, 24, new int[] {2}, new int[] {60}, new int[] {60}),
                root.resolve("p2/a.png"));
        FaceFixtures.png(FaceFixtures.photo(200, 160, 24, new int[] {2}, new int[] {140}, new int[] {90}),
                root.resolve("p2/b.png"));
        org.siamese4j.faces.FaceFraming framing = new org.siamese4j.faces.FaceFraming(
                new org.siamese4j.faces.FaceDetector(org.siamese4j.faces.HaarCascade.load(cascade),
                        org.siamese4j.faces.DetectorOptions.defaults()),
                new org.siamese4j.faces.FaceCropper(org.siamese4j.model.Preprocessing.plain(20, 20).withCrop(0.1, 0.1, 0.8, 0.8),
                        new org.siamese4j.faces.FaceCropper.Reference(0, 0, 1, 1)));
        var first = framing.frame(org.siamese4j.image.ImageLoader.load(root.resolve("p2/a.png")));
        var second = framing.frame(org.siamese4j.image.ImageLoader.load(root.resolve("p2/b.png")));
        assertTrue(first.framed() && second.framed(), first + " " + second);
        assertEquals(first.box().w(), second.box().w());
        float[] x = first.face().pixels();
        float[] y = second.face().pixels();
        double diff = 0;
        for (int i = 0; i < x.length; i++) {
            diff += Math.abs(x[i] - y[i]) / x.length;
        }
        assertTrue(diff < 8, "the two framings differ by " + diff + " gray levels on average");
        assertFalse(framing.frame(org.siamese4j.model.image.GrayImage.filled(120, 120, 40)).framed());
    }

    @Test
    void aSourceThatIsNotADatasetIsOneLineAndExitTwo() {
        Path a = people("good-source", 0, 3, 2);
        CliResult r = run("train", "--data", a + "," + dir.resolve("missing.zip"), "--steps", "1",
                "--out", dir.resolve("never").toString());
        assertEquals(2, r.exitCode(), r.toString());
        r.assertOneMessage("missing.zip: no such file or folder");

        // a source that exists but is no dataset: the last line says which and why, no stack trace
        Path notes = FaceFixtures.bytes("not images".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                dir.resolve("notes.txt"));
        r = run("train", "--data", a + "," + notes, "--steps", "1", "--out", dir.resolve("never2").toString());
        assertEquals(2, r.exitCode(), r.toString());
        List<String> lines = r.messages();
        assertTrue(lines.get(lines.size() - 1).contains("notes.txt: not a folder or a zip archive"), r.toString());
        r.assertNoStackTrace();
    }
}
