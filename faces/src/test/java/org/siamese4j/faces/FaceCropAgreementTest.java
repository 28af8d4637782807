package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.image.ImageLoader;

/**
 * The detector and the model agree on what "a face" is: on LFW training images, the crop that
 * {@link FaceCropper} derives from our detection lands within a few pixels of the model's own crop of
 * the 250x250 frame, which is what the model saw in training: no systematic offset, and a per-image
 * spread that is the detector's own jitter. Prints the offsets; needs $SIAMESE_DATA.
 */
class FaceCropAgreementTest {
    /** Every n-th image of lfw-train.zip: about 100 images. */
    private static final int EVERY = 70;

    @Test
    void cropsFromDetectionsMatchTheModelsCropOnLfw() throws IOException {
        Path zip = TestCascades.dataDirectory("the LFW crop agreement test").resolve("lfw").resolve("lfw-train.zip");
        FaceDetector detector = FaceDetector.standard();
        // a tight face crop (the reference box itself) and a looser one with forehead and chin
        List<Preprocessing> crops = List.of(Preprocessing.plain(32, 32).withCrop(0.264, 0.264, 0.488, 0.488),
                Preprocessing.plain(32, 32).withCrop(0.2, 0.16, 0.6, 0.68));
        List<List<double[]>> offsets = new ArrayList<>();
        crops.forEach(c -> offsets.add(new ArrayList<>()));
        int images = 0;
        int found = 0;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            int index = 0;
            for (ZipEntry entry : Collections.list(file.entries())) {
                if (entry.isDirectory() || !entry.getName().endsWith(".jpg") || index++ % EVERY != 0) {
                    continue;
                }
                GrayImage image;
                try (InputStream in = file.getInputStream(entry)) {
                    image = ImageLoader.decode(in.readAllBytes(), entry.getName());
                }
                images++;
                // the face LFW centred; other faces in the background are not the subject
                Box face = detector.detect(image).stream()
                        .filter(b -> Math.abs(b.x() + b.w() / 2 - 125) <= 20 && Math.abs(b.y() + b.h() / 2 - 125) <= 20)
                        .findFirst().orElse(null);
                if (face == null) {
                    continue;
                }
                found++;
                for (int c = 0; c < crops.size(); c++) {
                    Preprocessing p = crops.get(c);
                    FaceCropper.Region r = new FaceCropper(p, FaceCropper.LFW).region(face);
                    offsets.get(c).add(new double[] {r.x() - p.cropLeft() * 250, r.y() - p.cropTop() * 250,
                            r.width() - p.cropWidth() * 250, r.height() - p.cropHeight() * 250});
                }
            }
        }
        assertTrue(images >= 80 && found >= 0.9 * images, found + " faces in " + images + " images");
        for (int c = 0; c < crops.size(); c++) {
            Preprocessing p = crops.get(c);
            double[][] st = stats(offsets.get(c));
            double[] size = {p.cropWidth() * 250, p.cropHeight() * 250};
            System.out.printf(Locale.ROOT, "LFW crop (%.3f,%.3f,%.3f,%.3f) = %.0fx%.0f px, %d faces in %d images;"
                            + " offsets in px x/y/w/h: median %+.1f/%+.1f/%+.1f/%+.1f, median |.| %.1f/%.1f/%.1f/%.1f,"
                            + " 90th pct |.| %.1f/%.1f/%.1f/%.1f, max |.| %.1f/%.1f/%.1f/%.1f%n",
                    p.cropLeft(), p.cropTop(), p.cropWidth(), p.cropHeight(), size[0], size[1], found, images,
                    st[0][0], st[0][1], st[0][2], st[0][3], st[1][0], st[1][1], st[1][2], st[1][3],
                    st[2][0], st[2][1], st[2][2], st[2][3], st[3][0], st[3][1], st[3][2], st[3][3]);
            // bounds relative to the crop's size (x and w to its width, y and h to its height), as offsets scale with it
            for (int k = 0; k < 4; k++) {
                double extent = size[k % 2];
                // no systematic offset: the reference box is where the detector puts LFW faces
                assertTrue(Math.abs(st[0][k]) <= 0.03 * extent, "median offset " + k + " = " + st[0][k]);
                // the per-image spread is the detector's own jitter (its pyramid steps 15% in scale)
                double typical = k < 2 ? 0.04 : 0.07;
                assertTrue(st[1][k] <= typical * extent, "median |offset| " + k + " = " + st[1][k]);
                assertTrue(st[2][k] <= 0.18 * extent, "90th percentile |offset| " + k + " = " + st[2][k]);
            }
        }
    }

    /** Per coordinate: the signed median, then the median, 90th percentile and maximum of the absolute offsets. */
    private static double[][] stats(List<double[]> offsets) {
        double[][] out = new double[4][4];
        for (int k = 0; k < 4; k++) {
            final int coordinate = k;
            double[] signed = offsets.stream().mapToDouble(o -> o[coordinate]).sorted().toArray();
            double[] abs = offsets.stream().mapToDouble(o -> Math.abs(o[coordinate])).sorted().toArray();
            out[0][k] = signed[signed.length / 2];
            out[1][k] = abs[abs.length / 2];
            out[2][k] = abs[(int) (0.9 * (abs.length - 1))];
            out[3][k] = abs[abs.length - 1];
        }
        return out;
    }
}
