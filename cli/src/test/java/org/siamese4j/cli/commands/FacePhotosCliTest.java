package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.cli.commands.FaceFixtures.at;
import static org.siamese4j.cli.commands.FaceFixtures.run;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.ExitCode;

/**
 * The face commands on the real sample photos from $SIAMESE_DATA (skipped without it), with the built-in
 * cascade: the pipeline with an untrained test model (six faces in friends.jpg, the seed app's six 100x100
 * database crops enrolled, an annotated PNG of the photo), and the README's face example with the built-in
 * face model, whose open-set rule must keep the strangers of friends.jpg and tbbt.jpg unnamed.
 */
class FacePhotosCliTest {
    @TempDir
    Path dir;

    private Path data;

    @BeforeEach
    void data() {
        String root = System.getenv("SIAMESE_DATA");
        Assumptions.assumeTrue(root != null && !root.isBlank(), "SIAMESE_DATA not set: skipping the real-photo test");
        data = Path.of(root);
        Assumptions.assumeTrue(Files.isRegularFile(friends()), friends() + " missing: skipping the real-photo test");
    }

    private Path friends() {
        return data.resolve("seed-photos/sample/friends.jpg");
    }

    @Test
    void detectsSixFacesInFriends() {
        CliResult r = run("detect", "--json", friends());
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(6, ((List<?>) at(r.json(), "photos", 0, "boxes")).size(), r.out());
    }

    @Test
    void enrolsTheSeedDatabaseAndAnnotatesFriends() throws IOException {
        Path model = FaceFixtures.model(dir, "faces.s4j", 1);
        Path gallery = dir.resolve("seed.gallery");
        long start = System.nanoTime();
        CliResult enrolled = run("enroll", "--model", model, "--gallery", gallery, "--json",
                "--dir", data.resolve("seed-photos/database"));
        long enrolMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ExitCode.OK, enrolled.exitCode(), enrolled.toString());
        assertEquals(6.0, enrolled.json().get("people"));
        System.out.println("seed database enrolled in " + enrolMs + " ms; warnings: " + enrolled.json().get("warnings"));

        Path out = dir.resolve("friends-annotated.png");
        start = System.nanoTime();
        CliResult r = run("annotate", "--model", model, "--gallery", gallery, "--json", "--out", out, friends());
        long annotateMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        List<?> faces = (List<?>) at(r.json(), "photos", 0, "faces");
        assertEquals(6, faces.size(), r.out());
        for (Object face : faces) {
            assertTrue(((Map<?, ?>) face).containsKey("name"), face.toString());
        }
        BufferedImage written = ImageIO.read(out.toFile());
        assertEquals(550, written.getWidth());
        assertEquals(382, written.getHeight());
        System.out.println("friends.jpg annotated in " + annotateMs + " ms: " + faces);
        String keep = System.getenv("SIAMESE_KEEP_ANNOTATED");
        if (keep != null && !keep.isBlank()) {
            Files.copy(out, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * The README's face example: enrol seed-photos/database and annotate the group photos with no --model and
     * no --cascade. None of the 13 people in friends.jpg and tbbt.jpg is enrolled; the default rule (strangers
     * named in at most 1 % of searches of a 6-person gallery) may name at most one of them.
     */
    @Test
    void theBuiltInModelLeavesTheStrangersOfTheGroupPhotosUnnamed() {
        Path gallery = dir.resolve("seed.gallery");
        CliResult enrolled = run("enroll", "--gallery", gallery, "--dir", data.resolve("seed-photos/database"));
        assertEquals(ExitCode.OK, enrolled.exitCode(), enrolled.toString());
        int faces = 0;
        int named = 0;
        for (String photo : List.of("friends.jpg", "tbbt.jpg")) {
            CliResult r = run("annotate", "--gallery", gallery, "--json", "--out", dir.resolve(photo + ".png"),
                    data.resolve("seed-photos/sample").resolve(photo));
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            for (Object face : (List<?>) at(r.json(), "photos", 0, "faces")) {
                faces++;
                named += Boolean.TRUE.equals(((Map<?, ?>) face).get("unknown")) ? 0 : 1;
            }
            assertTrue(r.json().get("rule").toString().startsWith("FPIR 1 % for a gallery of 6"), r.toString());
        }
        assertEquals(13, faces, "6 faces in friends.jpg and 7 in tbbt.jpg");
        assertTrue(named <= 1, named + " of the 13 strangers were given a name");
    }
}
