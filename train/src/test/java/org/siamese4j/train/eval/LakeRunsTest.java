package org.siamese4j.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Preprocessing;

/** Lake's run format, on a small run folder generated here. */
class LakeRunsTest {

    /** Writes runs of `way` classes: class k is a bar at a distinct position; test images shift it by a pixel. */
    static void writeRuns(Path root, int runs, int way) throws Exception {
        for (int r = 1; r <= runs; r++) {
            String run = String.format(Locale.ROOT, "run%02d", r);
            Files.createDirectories(root.resolve(run).resolve("training"));
            Files.createDirectories(root.resolve(run).resolve("test"));
            StringBuilder labels = new StringBuilder();
            for (int k = 1; k <= way; k++) {
                String cls = String.format(Locale.ROOT, "class%02d.png", k);
                // test item k shows class (k * 7 % way) + 1, to make the mapping non-trivial
                int truth = (k * 7) % way + 1;
                String item = String.format(Locale.ROOT, "item%02d.png", k);
                ImageIO.write(bar(k, 0), "png", root.resolve(run).resolve("training").resolve(cls).toFile());
                ImageIO.write(bar(truth, 1), "png", root.resolve(run).resolve("test").resolve(item).toFile());
                labels.append(run).append("/test/").append(item).append(' ').append(run).append("/training/")
                        .append(String.format(Locale.ROOT, "class%02d.png", truth)).append('\n');
            }
            Files.writeString(root.resolve(run).resolve("class_labels.txt"), labels.toString());
        }
    }

    private static BufferedImage bar(int k, int shift) {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 40);
        g.setColor(Color.BLACK);
        g.fillRect(4 * k + shift, 5, 3, 30);
        g.dispose();
        return img;
    }

    @Test
    void parsesAndScoresRuns(@TempDir Path root) throws Exception {
        writeRuns(root, 3, 8);
        List<LakeRuns.Run> runs = LakeRuns.read(root);
        assertEquals(3, runs.size());
        assertEquals(8, runs.get(0).tests().size());
        assertEquals(8, runs.get(0).trainings().size());
        LakeRuns.Result r = LakeRuns.evaluate(runs, Matcher.pixels(Preprocessing.plain(40, 40)));
        assertEquals(24, r.trials());
        assertTrue(r.accuracy() > 0.9, "nearest pixels finds the shifted bars: " + r.perRun());
        // a matcher that always picks the first training image scores only the items whose truth is class01
        LakeRuns.Result dumb = LakeRuns.evaluate(runs, (q, g) -> new double[q.size()][g.size()]);
        assertTrue(dumb.accuracy() < 0.2);
    }

    @Test
    void anEnsembleOfMatchersAveragesTheirSimilarities() {
        Matcher ones = (q, g) -> new double[][] {{1, 2}, {3, 4}};
        Matcher tens = (q, g) -> new double[][] {{10, 0}, {0, 10}};
        // two queries, two gallery images: the matchers above ignore the images themselves
        List<org.siamese4j.model.image.GrayImage> two = java.util.Arrays.asList(null, null);
        double[][] mean = Matcher.mean(List.of(ones, tens)).similarities(two, two);
        assertEquals(5.5, mean[0][0]);
        assertEquals(1.0, mean[0][1]);
        assertEquals(1.5, mean[1][0]);
        assertEquals(7.0, mean[1][1]);
        assertTrue(Matcher.mean(List.of(ones)) == ones);
        assertThrows(IllegalArgumentException.class, () -> Matcher.mean(List.of()));
    }

    @Test
    void labelsThatLeaveTheFolderAreRefused(@TempDir Path root) throws Exception {
        writeRuns(root, 1, 3);
        Files.writeString(root.resolve("run01/class_labels.txt"), "../../etc/passwd run01/training/class01.png\n");
        BadInputException e = assertThrows(BadInputException.class, () -> LakeRuns.read(root));
        assertTrue(e.getMessage().contains("outside"), e.getMessage());
        Files.writeString(root.resolve("run01/class_labels.txt"), "only-one-field\n");
        assertThrows(BadInputException.class, () -> LakeRuns.read(root));
        assertThrows(BadInputException.class, () -> LakeRuns.read(root.resolve("nope")));
    }
}
