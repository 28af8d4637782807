package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.model.image.ImageOps;

class FaceAlignerTest {

    /** A w x h image whose pixel (x, y) is 1000 y + x: every pixel says where it came from. */
    private static GrayImage coordinates(int w, int h) {
        float[] p = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                p[y * w + x] = 1000 * y + x;
            }
        }
        return new GrayImage(w, h, p);
    }

    @Test
    void noTurnAtUnitStepIsACrop() {
        GrayImage photo = coordinates(40, 30);
        GrayImage out = FaceAligner.turned(photo, 20, 15, 0, 5, 7, 1, 1, 12, 9);
        assertArrayEquals(ImageOps.crop(photo, 5, 7, 12, 9), out);
        // reaching past the edges repeats them, as ImageOps.crop does
        assertArrayEquals(ImageOps.crop(photo, -3, 25, 8, 8), FaceAligner.turned(photo, 0, 0, 0, -3, 25, 1, 1, 8, 8));
    }

    @Test
    void aTurnedBoxFarLargerThanThePhotoReadsItsEdges() {
        // a 40x30 photo seen through a 400x400 box turned by 30 degrees: everything outside the photo is its
        // nearest edge pixel, and only the photo's pixels are copied to get there
        GrayImage photo = coordinates(40, 30);
        GrayImage out = FaceAligner.turned(photo, 20, 15, 30, -180, -185, 1, 1, 400, 400);
        assertEquals(photo.get(0, 0), out.get(0, 0), 1e-3, "top left");
        assertEquals(photo.get(39, 29), out.get(399, 399), 1e-3, "bottom right");
        // the whole-photo box that a face-less portrait falls back to, on a large photo
        GrayImage large = new GrayImage(3000, 2000, new float[3000 * 2000]);
        assertEquals(0, FaceAligner.standard().uprightAngle(large, new Box(0, 0, 3000, 2000)));
    }

    @Test
    void positiveDegreesTurnTheContentCounterClockwise() {
        GrayImage photo = coordinates(41, 41);
        // a quarter turn about the centre pixel (20, 20): what lay below it now lies to its right
        GrayImage out = FaceAligner.turned(photo, 20.5, 20.5, 90, 0, 0, 1, 1, 41, 41);
        for (int d = 1; d <= 10; d++) {
            assertEquals(photo.get(20, 20 + d), out.get(20 + d, 20), 1e-3, "right of centre, d " + d);
            assertEquals(photo.get(20 + d, 20), out.get(20, 20 - d), 1e-3, "above centre, d " + d);
        }
        // a half turn twice gives the image back
        GrayImage back = FaceAligner.turned(FaceAligner.turned(photo, 20.5, 20.5, 180, 0, 0, 1, 1, 41, 41),
                20.5, 20.5, 180, 0, 0, 1, 1, 41, 41);
        assertArrayEquals(photo, back);
    }

    @Test
    void shrinkingAveragesInsteadOfSkippingPixels() {
        // stripes one pixel wide: point sampling at step 2 would see one colour, area averaging sees grey
        float[] p = new float[64 * 64];
        for (int i = 0; i < p.length; i++) {
            p[i] = (i % 64) % 2 == 0 ? 0 : 200;
        }
        GrayImage out = FaceAligner.turned(new GrayImage(64, 64, p), 32, 32, 0, 0, 0, 2, 2, 32, 32);
        for (float v : out.pixels()) {
            assertEquals(100, v, 1e-3);
        }
    }

    @Test
    void aCropperWithoutAlignerIsUnchangedAndOneWithAlignerKeepsUprightCropsWhereNothingIsFound() {
        Preprocessing pre = Preprocessing.plain(16, 16).withCrop(0.25, 0.25, 0.5, 0.5);
        GrayImage flat = coordinates(64, 64);
        Box face = new Box(16, 16, 32, 32);
        FaceCropper plain = new FaceCropper(pre, FaceCropper.LFW);
        FaceCropper aligning = new FaceCropper(pre, FaceCropper.LFW, FaceAligner.standard());
        assertEquals(0, aligning.uprightAngle(flat, face));
        assertArrayEquals(plain.geometry(flat, face), aligning.geometry(flat, face));
    }

    /**
     * LFW faces (upright, centred) turned by known angles: the aligner finds the turn that undoes it. Prints the
     * errors; the bounds leave room for the faces the cascade cannot judge.
     */
    @Test
    void findsTheTurnOfLfwFacesTurnedByKnownAngles() throws IOException {
        Path zip = TestCascades.dataDirectory("the alignment test").resolve("lfw").resolve("lfw-train.zip");
        FaceDetector detector = FaceDetector.standard();
        FaceAligner aligner = FaceAligner.standard();
        int[] angles = {-20, -10, 0, 10, 20};
        List<Double> errors = new ArrayList<>();
        int faces = 0;
        int within = 0;
        long nanos = 0;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            int index = 0;
            for (ZipEntry entry : Collections.list(file.entries())) {
                if (entry.isDirectory() || !entry.getName().endsWith(".jpg") || index++ % 200 != 0) {
                    continue;
                }
                GrayImage image;
                try (InputStream in = file.getInputStream(entry)) {
                    image = ImageLoader.decode(in.readAllBytes(), entry.getName());
                }
                for (int angle : angles) {
                    GrayImage turned = FaceAligner.turned(image, 125, 125, angle, 0, 0, 1, 1, 250, 250);
                    Box face = centralFace(detector.detectPortrait(turned));
                    if (face == null) {
                        continue;
                    }
                    faces++;
                    long start = System.nanoTime();
                    double error = aligner.uprightAngle(turned, face) + angle;
                    nanos += System.nanoTime() - start;
                    errors.add(Math.abs(error));
                    if (Math.abs(error) <= 7.5) {
                        within++;
                    }
                }
            }
        }
        double mean = errors.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        System.out.printf("alignment on %d turned LFW faces: mean error %.1f degrees, %d within 7.5, %.1f ms a face%n",
                faces, mean, within, nanos / 1e6 / faces);
        assertTrue(faces >= 100, "faces found " + faces);
        assertTrue(mean <= 6, "mean error " + mean);
        assertTrue(within >= 0.8 * faces, within + " of " + faces + " within 7.5 degrees");
    }

    private static Box centralFace(List<Box> boxes) {
        for (Box b : boxes) {
            if (Math.abs(b.x() + b.w() / 2 - 125) <= 25 && Math.abs(b.y() + b.h() / 2 - 125) <= 25) {
                return b;
            }
        }
        return null;
    }

    private static void assertArrayEquals(GrayImage expected, GrayImage actual) {
        assertEquals(expected.width(), actual.width());
        assertEquals(expected.height(), actual.height());
        for (int i = 0; i < expected.pixels().length; i++) {
            assertEquals(expected.pixels()[i], actual.pixels()[i], 1e-2, "pixel " + i);
        }
    }
}
