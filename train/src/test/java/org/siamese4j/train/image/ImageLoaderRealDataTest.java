package org.siamese4j.train.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.train.data.RealData;
import org.siamese4j.train.data.SafeZip;

/** Reads the real datasets when SIAMESE_DATA is set (skipped otherwise). */
class ImageLoaderRealDataTest {

    @Test
    void attFacePgmPixelsEqualTheRawBytes() throws IOException {
        Path file = RealData.require("att_faces/s1/1.pgm");
        byte[] raw = Files.readAllBytes(file);
        GrayImage img = ImageLoader.load(file);
        assertEquals(92, img.width());
        assertEquals(112, img.height());
        int offset = raw.length - 92 * 112;
        assertEquals("P5\n92 112\n255\n", new String(raw, 0, offset, java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 0; i < 92 * 112; i++) {
            assertEquals(raw[offset + i] & 0xFF, img.pixels()[i], "pixel " + i);
        }
    }

    @Test
    void seedPhotosArePngInsideJpgNames() throws IOException {
        Path dir = RealData.require("seed-photos/database");
        int count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.jpg")) {
            for (Path f : files) {
                byte[] head = Files.readAllBytes(f);
                assertEquals((byte) 0x89, head[0], f + " should be PNG data");
                GrayImage img = ImageLoader.load(f);
                assertEquals(100, img.width(), f.toString());
                assertEquals(100, img.height(), f.toString());
                count++;
            }
        }
        assertEquals(6, count);
    }

    @Test
    void groupPhotosDecode() {
        Path friends = RealData.require("seed-photos/sample/friends.jpg"); // progressive JPEG
        GrayImage img = ImageLoader.load(friends);
        assertEquals(550, img.width());
        assertEquals(382, img.height());
        BufferedImage colour = ImageLoader.loadColor(friends);
        assertEquals(BufferedImage.TYPE_INT_RGB, colour.getType());
        assertEquals(550, colour.getWidth());

        Path tbbt = RealData.require("seed-photos/sample/tbbt.jpg"); // baseline JPEG
        assertEquals(1014, ImageLoader.load(tbbt).width());
    }

    @Test
    void omniglotPngIsBinary() {
        Path zipFile = RealData.require("omniglot/images_background.zip");
        try (SafeZip zip = SafeZip.open(zipFile)) {
            String name = zip.names().stream().filter(n -> n.endsWith(".png")).findFirst().orElseThrow();
            GrayImage img = ImageLoader.decode(zip.read(name), zip.displayName(name));
            assertEquals(105, img.width());
            assertEquals(105, img.height());
            boolean black = false;
            boolean white = false;
            for (float v : img.pixels()) {
                assertTrue(v == 0f || v == 255f, "value " + v);
                black |= v == 0f;
                white |= v == 255f;
            }
            assertTrue(black && white);
        }
    }
}
