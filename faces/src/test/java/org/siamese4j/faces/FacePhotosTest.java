package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.model.image.GrayImage;

/**
 * Accuracy and speed on real photos from $SIAMESE_DATA with the default options. The true face boxes were
 * read off the photos by eye; a detection counts as a true face when it overlaps one by IoU 0.4 or more.
 * With the defaults the detector finds 19 of the 20 faces (it misses the bearded man at the right of
 * got.jpg, as OpenCV does) with no false positives; the bounds below leave a little room for JPEG decoder
 * differences between JDKs.
 */
class FacePhotosTest {
    private static final List<Box> FRIENDS = List.of(new Box(6, 196, 59, 59), new Box(74, 109, 65, 65),
            new Box(156, 34, 59, 59), new Box(237, 137, 75, 75), new Box(378, 82, 68, 68), new Box(471, 166, 61, 61));
    private static final List<Box> GOT = List.of(new Box(203, 107, 47, 47), new Box(269, 206, 62, 62),
            new Box(361, 121, 48, 48), new Box(558, 71, 87, 87), new Box(792, 108, 45, 45),
            new Box(1002, 117, 53, 53));
    private static final List<Box> TBBT = List.of(new Box(160, 105, 88, 88), new Box(226, 178, 77, 77),
            new Box(346, 216, 83, 83), new Box(425, 173, 96, 96), new Box(493, 90, 78, 78), new Box(581, 47, 99, 99),
            new Box(648, 194, 86, 86));
    private static final List<Box> MYSELF = List.of(new Box(121, 162, 163, 163));

    private static FaceDetector detector() {
        return FaceDetector.standard();
    }

    private static GrayImage photo(String relative) {
        return ImageLoader.load(TestCascades.dataDirectory("the photo tests").resolve("seed-photos").resolve(relative));
    }

    @Test
    void findsTheFacesInTheSamplePhotos() throws IOException {
        FaceDetector detector = detector();
        int[] friends = score("sample/friends.jpg", detector, FRIENDS);
        int[] got = score("sample/got.jpg", detector, GOT);
        int[] tbbt = score("sample/tbbt.jpg", detector, TBBT);
        int[] myself = score("myself.jpg", detector, MYSELF);
        assertTrue(friends[0] >= 5 && friends[1] <= 1, "friends " + Arrays.toString(friends));
        assertTrue(got[0] >= 4 && got[1] <= 1, "got " + Arrays.toString(got));
        assertTrue(tbbt[0] >= 6 && tbbt[1] <= 1, "tbbt " + Arrays.toString(tbbt));
        assertTrue(myself[0] == 1 && myself[1] == 0, "myself " + Arrays.toString(myself));
        assertTrue(friends[0] + got[0] + tbbt[0] + myself[0] >= 18, "true faces");
        assertTrue(friends[1] + got[1] + tbbt[1] + myself[1] <= 2, "false positives");
    }

    /** {true faces found, false positives}. */
    private static int[] score(String photo, FaceDetector detector, List<Box> truth) throws IOException {
        List<Box> found = detector.detect(photo(photo));
        List<Box> unmatched = new ArrayList<>(truth);
        int truePositives = 0;
        for (Box box : found) {
            Box match = unmatched.stream().filter(t -> t.iou(box) >= 0.4).findFirst().orElse(null);
            if (match != null) {
                unmatched.remove(match);
                truePositives++;
            }
        }
        System.out.printf("%s: %d of %d faces, %d false positives, with %s: %s%n", photo, truePositives,
                truth.size(), found.size() - truePositives, detector.options(), found);
        return new int[] {truePositives, found.size() - truePositives};
    }

    /**
     * LFW images are 250x250 with the face centred by the dataset's own detector; ours should find it in the
     * middle at about half the image width (it measures (66, 66, 122, 122) as the median box).
     */
    @Test
    void findsTheCentredFaceInLfwImages() throws IOException {
        Path zip = TestCascades.dataDirectory("the LFW test").resolve("lfw").resolve("lfw-train.zip");
        FaceDetector detector = detector();
        List<Box> central = new ArrayList<>();
        int images = 0;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            int index = 0;
            for (ZipEntry entry : Collections.list(file.entries())) {
                if (entry.isDirectory() || !entry.getName().endsWith(".jpg") || index++ % 100 != 0) {
                    continue;
                }
                GrayImage image;
                try (InputStream in = file.getInputStream(entry)) {
                    image = ImageLoader.decode(in.readAllBytes(), entry.getName());
                }
                assertEquals(250, image.width());
                images++;
                detector.detect(image).stream()
                        .filter(b -> Math.abs(b.x() + b.w() / 2 - 125) <= 20 && Math.abs(b.y() + b.h() / 2 - 125) <= 20)
                        .findFirst().ifPresent(central::add);
            }
        }
        int[] widths = central.stream().mapToInt(Box::w).sorted().toArray();
        int[] xs = central.stream().mapToInt(Box::x).sorted().toArray();
        int[] ys = central.stream().mapToInt(Box::y).sorted().toArray();
        System.out.printf("LFW: centred face in %d of %d images; median box (%d, %d, %d, %d), widths %d..%d%n",
                central.size(), images, xs[xs.length / 2], ys[ys.length / 2], widths[widths.length / 2],
                widths[widths.length / 2], widths[0], widths[widths.length - 1]);
        assertTrue(images >= 60, "images " + images);
        assertTrue(central.size() >= 0.9 * images, central.size() + " of " + images);
        assertTrue(widths[widths.length / 2] >= 105 && widths[widths.length / 2] <= 140, "median width");
    }

    /** Prints the time for the 1200x800 photo; the bound only catches a gross regression. */
    @Test
    void detectsIn1200x800PhotoQuickly() throws IOException {
        FaceDetector detector = detector();
        GrayImage image = photo("sample/got.jpg");
        assertEquals(1200, image.width());
        for (int i = 0; i < 5; i++) {
            detector.detect(image);
        }
        long[] times = new long[10];
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            detector.detect(image);
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        System.out.printf("got.jpg 1200x800 on %d cores: best %.1f ms, median %.1f ms%n",
                Runtime.getRuntime().availableProcessors(), times[0] / 1e6, times[times.length / 2] / 1e6);
        assertTrue(times[0] < 3_000_000_000L, "best time " + times[0] / 1e6 + " ms");
    }
}
