package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.image.TestImages;
import org.siamese4j.model.image.GrayImage;

class FaceDetectorTest {
    private static final HaarCascade BRIGHT_OVER_DARK = TestCascades.parse(TestCascades.BRIGHT_OVER_DARK);

    /** Noise around 120 with bright-over-dark squares of the given sides at the given top-left corners. */
    private static GrayImage scene(int w, int h, long seed, int[]... squares) {
        Random random = new Random(seed);
        float[] p = new float[w * h];
        for (int i = 0; i < p.length; i++) {
            p[i] = 100 + random.nextInt(41);
        }
        for (int[] s : squares) {
            for (int y = 0; y < s[2]; y++) {
                for (int x = 0; x < s[2]; x++) {
                    p[(s[1] + y) * w + s[0] + x] = y < s[2] / 2 ? 230 : 30;
                }
            }
        }
        return new GrayImage(w, h, p);
    }

    @Test
    void findsThePatternsTheCascadeDescribes() {
        Box small = new Box(30, 40, 24, 24);
        Box large = new Box(150, 20, 60, 60);
        GrayImage image = scene(260, 120, 1, new int[] {30, 40, 24}, new int[] {150, 20, 60});
        FaceDetector detector = new FaceDetector(BRIGHT_OVER_DARK, DetectorOptions.defaults().withMinSize(12));
        List<Box> boxes = detector.detect(image);
        assertTrue(boxes.stream().anyMatch(b -> b.iou(small) > 0.5), boxes.toString());
        // this toy cascade also fires on parts of the large pattern, so only ask for a box centred on it
        assertTrue(boxes.stream().anyMatch(b -> centredIn(b, large)), boxes.toString());
        for (Box b : boxes) {
            assertTrue(b.iou(small) > 0 || b.iou(large) > 0, "stray box " + b + " in " + boxes);
        }
        assertEquals(boxes.stream().sorted(Comparator.comparingInt(Box::x)).toList(), boxes);
    }

    private static boolean centredIn(Box box, Box area) {
        int cx = box.x() + box.w() / 2;
        int cy = box.y() + box.h() / 2;
        return cx >= area.x() && cx < area.right() && cy >= area.y() && cy < area.bottom();
    }

    @Test
    void findsNothingInNoiseOrFlatImages() {
        FaceDetector detector = new FaceDetector(BRIGHT_OVER_DARK, DetectorOptions.defaults().withMinSize(0));
        assertEquals(List.of(), detector.detect(scene(100, 80, 2)));
        assertEquals(List.of(), detector.detect(GrayImage.filled(100, 80, 128f)));
        assertEquals(List.of(), detector.detect(GrayImage.filled(5, 5, 128f)));
        assertTrue(detector.rawDetections(GrayImage.filled(60, 60, 200f)).isEmpty());
    }

    @Test
    void resultsDoNotDependOnThreadCount() throws Exception {
        GrayImage image = scene(300, 200, 3, new int[] {20, 20, 30}, new int[] {100, 60, 48}, new int[] {200, 30, 90});
        FaceDetector detector = new FaceDetector(BRIGHT_OVER_DARK,
                DetectorOptions.defaults().withMinSize(0).withScaleFactor(1.05).withMinNeighbors(2));
        List<Box> raw = detector.rawDetections(image);
        List<Box> grouped = detector.detect(image);
        assertTrue(raw.size() > 100, "raw " + raw.size());
        for (int threads : new int[] {1, 2, 5}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                // parallel streams run in the pool that calls them
                assertEquals(raw, pool.submit(() -> detector.rawDetections(image)).get(), threads + " threads");
                assertEquals(grouped, pool.submit(() -> detector.detect(image)).get(), threads + " threads");
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void levelsFollowDetectMultiScale() {
        FaceDetector detector = new FaceDetector(BRIGHT_OVER_DARK,
                DetectorOptions.defaults().withMinSize(20).withMaxSize(60).withScaleFactor(1.15));
        List<FaceDetector.Level> levels = detector.levels(400, 300);
        assertFalse(levels.isEmpty());
        int previous = 0;
        for (FaceDetector.Level level : levels) {
            assertTrue(level.boxWidth() >= 20 && level.boxWidth() <= 60, level.toString());
            assertTrue(level.boxWidth() > previous, level.toString());
            previous = level.boxWidth();
            assertEquals((int) Math.rint(400 / level.scale()), level.width());
            assertEquals((int) Math.rint(300 / level.scale()), level.height());
            assertEquals(level.scale() >= 2 ? 1 : 2, level.step());
        }
        // 12 * 1.15^4 = 20.99: the first level kept is the fifth of the pyramid
        assertEquals((float) Math.pow(1.15, 4), levels.get(0).scale(), 1e-5f);
        // an explicit step applies to every level
        FaceDetector stepped = new FaceDetector(BRIGHT_OVER_DARK, DetectorOptions.defaults().withStep(3));
        assertTrue(stepped.levels(400, 300).stream().allMatch(l -> l.step() == 3));
        // no level for an image smaller than the window
        assertTrue(detector.levels(11, 300).isEmpty());
    }

    @Test
    void colourPhotosDecodedByImageLoaderGiveTheGrayImagesBoxes() {
        GrayImage gray = scene(120, 90, 4, new int[] {40, 20, 36});
        BufferedImage rgb = new BufferedImage(120, 90, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 90; y++) {
            for (int x = 0; x < 120; x++) {
                int v = (int) gray.get(x, y);
                rgb.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        FaceDetector detector = new FaceDetector(BRIGHT_OVER_DARK, DetectorOptions.defaults().withMinSize(0));
        List<Box> boxes = detector.detect(ImageLoader.decode(TestImages.png(rgb), "scene.png"));
        assertFalse(boxes.isEmpty());
        assertEquals(detector.detect(gray), boxes);
    }

    @Test
    void equalizationChangesWhatLowContrastImagesShow() {
        // a pattern of only +-3 gray levels is flat to the cascade until the histogram is stretched
        float[] p = new float[80 * 60];
        Arrays.fill(p, 120);
        for (int y = 10; y < 40; y++) {
            for (int x = 20; x < 50; x++) {
                p[y * 80 + x] = y < 25 ? 123 : 117;
            }
        }
        GrayImage faint = new GrayImage(80, 60, p);
        DetectorOptions options = DetectorOptions.defaults().withMinSize(0).withMinNeighbors(1);
        assertEquals(List.of(), new FaceDetector(BRIGHT_OVER_DARK, options).detect(faint));
        List<Box> boxes = new FaceDetector(BRIGHT_OVER_DARK, options.withEqualizeHistogram(true)).detect(faint);
        assertTrue(boxes.stream().anyMatch(b -> b.iou(new Box(20, 10, 30, 30)) > 0.5), boxes.toString());
    }

    @Test
    void optionsRejectNonsenseAsBadInput() {
        DetectorOptions d = DetectorOptions.defaults();
        assertThrows(BadInputException.class, () -> d.withScaleFactor(1.0));
        assertThrows(BadInputException.class, () -> d.withScaleFactor(Double.NaN));
        assertThrows(BadInputException.class, () -> d.withScaleFactor(5));
        assertThrows(BadInputException.class, () -> d.withMinNeighbors(-1));
        assertThrows(BadInputException.class, () -> d.withMinSize(-1));
        assertThrows(BadInputException.class, () -> d.withMaxSize(-1));
        assertThrows(BadInputException.class, () -> d.withMinSize(50).withMaxSize(40));
        assertThrows(BadInputException.class, () -> d.withStep(17));
        assertThrows(BadInputException.class, () -> d.withStep(-1));
        BadInputException e = assertThrows(BadInputException.class, () -> d.withScaleFactor(0.5));
        assertTrue(e.getMessage().contains("scaleFactor"), e.getMessage());
    }

    @Test
    void aTightCropIsFoundWithTheMarginTheWindowNeeds() {
        // a bright 8x8 blob filling a 20x20 image: the cascade's 24 px window (blob plus dark surround) does not fit
        float[] p = new float[20 * 20];
        java.util.Arrays.fill(p, 30);
        for (int y = 6; y < 14; y++) {
            for (int x = 6; x < 14; x++) {
                p[y * 20 + x] = 220;
            }
        }
        GrayImage tight = new GrayImage(20, 20, p);
        FaceDetector detector = new FaceDetector(TestCascades.parse(TestCascades.BLOB),
                DetectorOptions.defaults().withMinSize(0).withMinNeighbors(0));
        assertEquals(List.of(), detector.detect(tight));
        List<Box> found = detector.detectPortrait(tight);
        assertFalse(found.isEmpty());
        for (Box b : found) {
            // the blob's window, in the image's coordinates, reaching past its edges
            assertTrue(b.x() < 0 && b.y() < 0 && b.right() > 20 && b.bottom() > 20, found.toString());
            assertTrue(Math.abs(b.x() + b.w() / 2.0 - 10) <= 2 && Math.abs(b.y() + b.h() / 2.0 - 10) <= 2, found.toString());
        }
        // an image with a face found as it is keeps its own boxes
        GrayImage roomy = ImageOpsForTest.pad(tight, 5, 30);
        assertEquals(detector.detect(roomy), detector.detectPortrait(roomy));
        assertFalse(detector.detect(roomy).isEmpty());
    }

    /** Padding for the test above. */
    private static final class ImageOpsForTest {
        static GrayImage pad(GrayImage image, int margin, float value) {
            int w = image.width() + 2 * margin;
            int h = image.height() + 2 * margin;
            float[] p = new float[w * h];
            java.util.Arrays.fill(p, value);
            for (int y = 0; y < image.height(); y++) {
                for (int x = 0; x < image.width(); x++) {
                    p[(y + margin) * w + x + margin] = image.get(x, y);
                }
            }
            return new GrayImage(w, h, p);
        }
    }

    @Test
    void boxesAreClippedToTheImage() {
        Box box = new Box(-5, 3, 10, 10);
        assertEquals(5, box.right());
        assertEquals(13, box.bottom());
        assertEquals(1.0, box.iou(box));
        assertEquals(0.0, box.iou(new Box(100, 100, 5, 5)));
        assertThrows(IllegalArgumentException.class, () -> new Box(0, 0, 0, 4));
    }
}
