package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.cli.commands.FaceFixtures.at;
import static org.siamese4j.cli.commands.FaceFixtures.run;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.ExitCode;

/**
 * {@code siamese annotate} on generated group photos: people 0 and 2 are enrolled from portraits with the
 * same detector, so the crops agree; person 3 is a stranger.
 */
class AnnotateCommandTest {
    @TempDir
    Path dir;

    private Path model;
    private Path gallery;
    private Path cascade;
    private Path group;

    @BeforeEach
    void setUp() throws IOException {
        model = FaceFixtures.model(dir, "faces.s4j", 1);
        gallery = dir.resolve("team.gallery");
        cascade = FaceFixtures.cascade(dir);
        Path ada = FaceFixtures.png(FaceFixtures.portrait(0, 200, 200, 40), dir.resolve("enrol/Ada Lovelace.png"));
        Path grace = FaceFixtures.png(FaceFixtures.portrait(2, 200, 200, 40), dir.resolve("enrol/Grace Hopper.png"));
        CliResult enrolled = run("enroll", "--model", model, "--gallery", gallery, "--cascade", cascade, "--dir", ada.getParent());
        assertEquals(0, enrolled.exitCode(), enrolled.toString());
        assertTrue(grace.toFile().isFile());
        group = FaceFixtures.png(FaceFixtures.photo(600, 220, 40, new int[] {2, 3, 0}, new int[] {100, 300, 500},
                new int[] {110, 104, 112}), dir.resolve("group.png"));
    }

    @Test
    void writesALabelledPngOfTheSameSize() throws IOException {
        Path out = dir.resolve("annotated.png");
        CliResult r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade, "--json", "--out", out, group);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        Map<String, Object> json = r.json();
        assertEquals(group.toString(), at(json, "photos", 0, "path"));
        assertEquals(out.toString(), at(json, "photos", 0, "out"));
        List<?> faces = (List<?>) at(json, "photos", 0, "faces");
        assertEquals(3, faces.size(), faces.toString());
        for (Object face : faces) {
            Map<?, ?> f = (Map<?, ?>) face;
            assertTrue(f.keySet().containsAll(List.of("x", "y", "w", "h", "name", "p", "unknown")), f.toString());
            // which names: see namesEnrolledPeopleAndMarksStrangers (an untrained model is shift-sensitive)
            assertTrue(List.of("Ada Lovelace", "Grace Hopper", "unknown").contains(f.get("name")), f.toString());
            assertEquals(f.get("unknown"), f.get("name").equals("unknown"), f.toString());
        }

        BufferedImage written = ImageIO.read(out.toFile());
        assertNotNull(written, "ImageIO reads the output");
        assertEquals(600, written.getWidth());
        assertEquals(220, written.getHeight());
        // the box of the first face is drawn in colour over the gray background
        int x = (int) (double) (Double) at(faces, 0, "x");
        int y = (int) (double) (Double) at(faces, 0, "y");
        int h = (int) (double) (Double) at(faces, 0, "h");
        int rgb = written.getRGB(x + 1, y + h / 2) & 0xffffff;
        assertNotEquals(rgb & 0xff, (rgb >> 8) & 0xff, "box pixel is coloured: " + Integer.toHexString(rgb));
        assertTrue(noTempFiles(dir), "no temp file left behind");

        // --threshold 0 names every face
        r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade, "--threshold", "0", "--json",
                "--out", dir.resolve("named.png"), group);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(0.0, (Double) r.json().get("threshold"), 1e-12);
        for (Object face : (List<?>) at(r.json(), "photos", 0, "faces")) {
            assertEquals(false, ((Map<?, ?>) face).get("unknown"), face.toString());
        }
    }

    /**
     * The enrolment portraits themselves (copies) and a stranger's: the detector boxes, and so the crops,
     * are those of enrolment, so the untrained test model recognises the enrolled faces exactly.
     */
    @Test
    void namesEnrolledPeopleAndMarksStrangers() throws IOException {
        Path ada = Files.copy(dir.resolve("enrol/Ada Lovelace.png"), dir.resolve("ada.png"));
        Path grace = Files.copy(dir.resolve("enrol/Grace Hopper.png"), dir.resolve("grace.png"));
        Path stranger = FaceFixtures.png(FaceFixtures.portrait(3, 200, 200, 40), dir.resolve("stranger.png"));
        CliResult r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade, "--json",
                "--out-dir", dir.resolve("out"), ada, grace, stranger);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        List<?> photos = (List<?>) r.json().get("photos");
        assertEquals("Ada Lovelace", at(photos, 0, "faces", 0, "name"));
        assertTrue((Double) at(photos, 0, "faces", 0, "p") > 0.99, photos.toString());
        assertEquals("Grace Hopper", at(photos, 1, "faces", 0, "name"));
        assertEquals("unknown", at(photos, 2, "faces", 0, "name"));
        assertTrue((Double) at(photos, 2, "faces", 0, "p") < FaceFixtures.THRESHOLD, photos.toString());
        assertEquals(dir.resolve("out/stranger.png").toString(), at(photos, 2, "out"));
    }

    @Test
    void annotatesSeveralPhotosInEveryFormatIntoAFolder() throws IOException {
        BufferedImage image = FaceFixtures.photo(300, 200, 40, new int[] {0}, new int[] {150}, new int[] {100});
        Path png = FaceFixtures.png(image, dir.resolve("in/a.png"));
        Path progressive = progressiveJpeg(image, dir.resolve("in/b.jpg"));
        Path pgm = FaceFixtures.pgm(image, dir.resolve("in/c.pgm"));
        Path outDir = dir.resolve("out/annotated");
        CliResult r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade, "--out-dir", outDir, png, progressive, pgm);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        for (String name : List.of("a.png", "b.png", "c.png")) {
            BufferedImage written = ImageIO.read(outDir.resolve(name).toFile());
            assertEquals(300, written.getWidth(), name);
            assertEquals(200, written.getHeight(), name);
        }
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out());
        assertTrue(lines.get(3).startsWith("rule: the model's equal-error threshold p >= 0.9000 (this model has no open-set"
                + " calibration"), "the rule that decided is said: " + lines.get(3));
        assertTrue(lines.get(0).startsWith(png + " -> " + outDir.resolve("a.png") + ": 1 face: "), lines.get(0));
        assertTrue(lines.get(1).startsWith(progressive + " -> " + outDir.resolve("b.png") + ": 1 face: "), lines.get(1));
        assertTrue(lines.get(2).startsWith(pgm + " -> " + outDir.resolve("c.png") + ": 1 face: "), lines.get(2));
    }

    @Test
    void neverOverwritesAPhoto() throws IOException {
        Path photo = FaceFixtures.png(FaceFixtures.portrait(0, 200, 200, 40), dir.resolve("same.png"));
        byte[] before = Files.readAllBytes(photo);
        CliResult r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade, "--out", photo, photo);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r.assertOneMessage(photo + ": is one of the input photos; refusing to overwrite it");
        // the same file through another spelling, and through --out-dir
        r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade,
                "--out", dir.resolve("x/../same.png"), photo);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r = run("annotate", "--model", model, "--gallery", gallery, "--cascade", cascade, "--out-dir", dir, photo);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r.assertOneMessage("is one of the input photos");
        assertArrayEquals(before, Files.readAllBytes(photo));
    }

    @Test
    void badUsageIsOneLineAndExitCode2() {
        Path out = dir.resolve("o.png");
        Path other = FaceFixtures.png(FaceFixtures.portrait(1, 100, 100, 30), dir.resolve("sub/group.jpg"));
        record Case(List<Object> args, String message) {
        }
        List<Case> cases = List.of(
                new Case(List.of(group), "give --out FILE.png for one photo or --out-dir DIR for several"),
                new Case(List.of("--out", out, "--out-dir", dir, group), "exactly one of them"),
                new Case(List.of("--out", out, group, other), "--out takes exactly one PHOTO, got 2"),
                new Case(List.of("--out", dir.resolve("o.jpg"), group), "must end in .png"),
                new Case(List.of("--out-dir", dir.resolve("o"), group, other), "would both be written to"),
                new Case(List.of("--out", out, dir.resolve("none.jpg")), "none.jpg: no such file"),
                new Case(List.of("--out", out, "--cascade", dir.resolve("none.xml"), group), "none.xml does not exist"));
        for (Case c : cases) {
            Object[] args = new Object[5 + c.args().size()];
            Object[] fixed = {"annotate", "--model", model, "--gallery", gallery};
            System.arraycopy(fixed, 0, args, 0, 5);
            System.arraycopy(c.args().toArray(), 0, args, 5, c.args().size());
            if (!c.args().contains("--cascade")) {
                args = append(args, "--cascade", cascade);
            }
            CliResult r = run(args);
            assertEquals(ExitCode.USAGE, r.exitCode(), c + ": " + r);
            r.assertOneMessage(c.message());
            assertFalse(Files.exists(out), c.toString());
        }
        CliResult r = run("annotate", "--model", FaceFixtures.model(dir, "other.s4j", 5), "--gallery", gallery,
                "--cascade", cascade, "--out", out, group);
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        r.assertOneMessage("was made with model");
    }

    @Test
    void helpHasAnExample() {
        CliResult r = run("annotate", "--help");
        assertEquals(ExitCode.OK, r.exitCode());
        assertTrue(r.out().contains("examples:") && r.out().contains("siamese annotate --gallery"), r.out());
    }

    private static Object[] append(Object[] args, Object... more) {
        Object[] out = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, out, args.length, more.length);
        return out;
    }

    private static Path progressiveJpeg(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] bytes = Files.readAllBytes(file);
        // SOF2 marker: progressive DCT
        boolean sof2 = false;
        for (int i = 0; i + 1 < bytes.length; i++) {
            sof2 |= (bytes[i] & 0xff) == 0xff && (bytes[i + 1] & 0xff) == 0xc2;
        }
        assertTrue(sof2, "the test JPEG is progressive");
        return file;
    }

    /** Whether the folder holds no AtomicFile temp file ({@code .NAME.<16 hex>.tmp}). */
    private static boolean noTempFiles(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.noneMatch(p -> p.getFileName().toString().matches("\\..*\\.[0-9a-f]{16}\\.tmp"));
        }
    }
}
