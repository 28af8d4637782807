package org.siamese4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

class ImageLoaderTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- exact pixels

    @Test
    void p5PgmPixelsEqualTheFileBytes() {
        int w = 23;
        int h = 17;
        byte[] bytes = TestImages.pgmRamp(w, h);
        GrayImage img = ImageLoader.decode(bytes, "ramp.pgm");
        assertEquals(w, img.width());
        assertEquals(h, img.height());
        int offset = bytes.length - w * h;
        for (int i = 0; i < w * h; i++) {
            assertEquals(bytes[offset + i] & 0xFF, img.pixels()[i], "pixel " + i);
        }
    }

    @Test
    void eightBitGrayPngPixelsEqualTheSamples() {
        // every level 0..255 appears, including the dark ones a linear-gray conversion would crush
        BufferedImage src = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 256; i++) {
            src.getRaster().setSample(i % 16, i / 16, 0, i);
        }
        GrayImage img = ImageLoader.decode(TestImages.png(src), "levels.png");
        for (int i = 0; i < 256; i++) {
            assertEquals(i, img.pixels()[i], "level " + i);
        }
    }

    @Test
    void sixteenBitPgmAndAsciiPgmScaleByMaxval() {
        GrayImage p16 = ImageLoader.decode(TestImages.pgmP5(3, 1, 65535, new int[] {0, 40000, 65535}), "a.pgm");
        assertEquals(0f, p16.pixels()[0]);
        assertEquals((float) (40000 * 255.0 / 65535), p16.pixels()[1], 1e-4);
        assertEquals(255f, p16.pixels()[2]);

        byte[] p2 = "P2\n# ascii\n3 1\n1000\n0 500\n1000\n".getBytes(StandardCharsets.US_ASCII);
        GrayImage a = ImageLoader.decode(p2, "a.pgm");
        assertArrayEquals(new float[] {0f, 127.5f, 255f}, a.pixels());
    }

    @Test
    void ppmAndPbmDecode() {
        byte[] p3 = "P3\n2 1\n255\n255 0 0  10 10 10\n".getBytes(StandardCharsets.US_ASCII);
        GrayImage rgb = ImageLoader.decode(p3, "c.ppm");
        assertEquals(luma(255, 0, 0), rgb.pixels()[0]);
        assertEquals(10f, rgb.pixels()[1]);

        byte[] p6 = {'P', '6', '\n', '1', ' ', '1', '\n', '2', '5', '5', '\n', 0, (byte) 255, 0};
        assertEquals(luma(0, 255, 0), ImageLoader.decode(p6, "c.ppm").pixels()[0]);

        byte[] p1 = "P1\n3 2\n1 0 1\n010\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(new float[] {0, 255, 0, 255, 0, 255}, ImageLoader.decode(p1, "b.pbm").pixels());

        // P4: 10 pixels per row = 2 bytes per row, padded
        byte[] p4 = {'P', '4', '\n', '1', '0', ' ', '1', '\n', (byte) 0b1000_0001, (byte) 0b0100_0000};
        float[] bits = ImageLoader.decode(p4, "b.pbm").pixels();
        assertArrayEquals(new float[] {0, 255, 255, 255, 255, 255, 255, 0, 255, 0}, bits);
    }

    @Test
    void sixteenBitGrayPngScalesToByteRange() {
        BufferedImage src = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        src.getRaster().setSample(0, 0, 0, 0);
        src.getRaster().setSample(1, 0, 0, 40000);
        src.getRaster().setSample(2, 0, 0, 65535);
        GrayImage img = ImageLoader.decode(TestImages.png(src), "deep.png");
        assertEquals(0f, img.pixels()[0]);
        assertEquals((float) (40000 * 255.0 / 65535), img.pixels()[1], 1e-4);
        assertEquals(255f, img.pixels()[2]);
    }

    @Test
    void sixteenBitColourAndInterlacedPngs() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {65535, 65535, 65535});
        raster.setPixel(1, 0, new int[] {65535, 0, 0});
        float[] p = ImageLoader.decode(TestImages.png(new BufferedImage(cm, raster, false, null)), "rgb16.png").pixels();
        assertEquals(255f, p[0]);
        assertEquals(luma(255, 0, 0), p[1]);

        // Adam7-interlaced gray PNG: still exact
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("png").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new javax.imageio.IIOImage(TestImages.grayRamp(13, 11), null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] png = bytes.toByteArray();
        assertEquals(1, png[8 + 8 + 12], "interlace flag set in IHDR");
        GrayImage img = ImageLoader.decode(png, "adam7.png");
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 13; x++) {
                assertEquals(TestImages.rampValue(x, y), img.get(x, y));
            }
        }
    }

    @Test
    void paletteOneBitAndColourPngs() {
        byte[] r = {(byte) 255, 0, 10};
        byte[] g = {0, (byte) 255, 10};
        byte[] b = {0, 0, 10};
        BufferedImage pal = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 3, r, g, b));
        for (int i = 0; i < 3; i++) {
            pal.getRaster().setSample(i, 0, 0, i);
        }
        float[] p = ImageLoader.decode(TestImages.png(pal), "pal.png").pixels();
        assertEquals(76f, p[0]); // OpenCV's cvtColor gives 76 and 150 for pure red and green
        assertEquals(150f, p[1]);
        assertEquals(10f, p[2]);

        BufferedImage bin = new BufferedImage(9, 2, BufferedImage.TYPE_BYTE_BINARY);
        bin.getRaster().setSample(3, 1, 0, 1);
        float[] q = ImageLoader.decode(TestImages.png(bin), "omniglot-like.png").pixels();
        for (int i = 0; i < q.length; i++) {
            assertEquals(i == 9 + 3 ? 255f : 0f, q[i], "pixel " + i);
        }

        BufferedImage rgb = TestImages.colourPattern(8, 8);
        GrayImage gray = ImageLoader.decode(TestImages.png(rgb), "rgb.png");
        int c = rgb.getRGB(5, 3);
        assertEquals(luma(c >> 16 & 255, c >> 8 & 255, c & 255), gray.get(5, 3));
    }

    @Test
    void transparencyIsCompositedOnWhite() {
        BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xFF000000); // opaque black
        argb.setRGB(1, 0, 0x00000000); // fully transparent
        argb.setRGB(2, 0, 0x80000000); // half-transparent black
        float[] p = ImageLoader.decode(TestImages.png(argb), "rgba.png").pixels();
        assertEquals(0f, p[0]);
        assertEquals(255f, p[1]);
        assertEquals(255f * (1 - 128 / 255f), p[2], 1e-3);

        // gray + alpha
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setSample(0, 0, 0, 100);
        raster.setSample(0, 0, 1, 255);
        raster.setSample(1, 0, 0, 100);
        raster.setSample(1, 0, 1, 0);
        BufferedImage ga = new BufferedImage(cm, raster, false, null);
        float[] q = ImageLoader.decode(TestImages.png(ga), "ga.png").pixels();
        assertEquals(100f, q[0]);
        assertEquals(255f, q[1]);
    }

    // ---------------------------------------------------------------- formats and content sniffing

    @Test
    void pngInsideAFileNamedJpg() throws IOException {
        Path f = dir.resolve("Person Name.jpg");
        Files.write(f, TestImages.png(TestImages.grayRamp(10, 6)));
        GrayImage img = ImageLoader.load(f);
        assertEquals(TestImages.rampValue(4, 5), img.get(4, 5));
    }

    @Test
    void baselineAndProgressiveJpegDecode() {
        BufferedImage src = new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                src.setRGB(x, y, x < 16 ? 0x404040 : 0xC0C0C0);
            }
        }
        for (boolean progressive : new boolean[] {false, true}) {
            byte[] bytes = TestImages.jpeg(src, progressive);
            GrayImage img = ImageLoader.decode(bytes, "photo.jpg");
            assertEquals(32, img.width());
            assertEquals(24, img.height());
            assertEquals(0x40, img.get(4, 10), 4, "progressive=" + progressive);
            assertEquals(0xC0, img.get(28, 10), 4, "progressive=" + progressive);
        }
    }

    @Test
    void grayJpegKeepsItsSampleLevels() {
        BufferedImage src = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                src.getRaster().setSample(x, y, 0, 60);
            }
        }
        for (boolean progressive : new boolean[] {false, true}) {
            GrayImage img = ImageLoader.decode(TestImages.jpeg(src, progressive), "gray.jpg");
            assertEquals(60f, img.get(8, 8), 2f, "progressive=" + progressive);
        }
    }

    @Test
    void cmykJpegIsRefusedClearly() {
        BadInputException e = assertThrows(BadInputException.class,
                () -> ImageLoader.decode(TestImages.cmykJpeg(16, 16), "print.jpg"));
        assertTrue(e.getMessage().startsWith("print.jpg: "), e.getMessage());
        assertTrue(e.getMessage().contains("CMYK"), e.getMessage());
    }

    @Test
    void animatedGifGivesItsFirstFrame() {
        byte[] gif = TestImages.animatedGif(5, 4, 30, 200);
        GrayImage img = ImageLoader.decode(gif, "anim.gif");
        assertEquals(5, img.width());
        assertEquals(4, img.height());
        for (float v : img.pixels()) {
            assertEquals(30f, v);
        }
    }

    @Test
    void bmpDecodes() {
        GrayImage gray = ImageLoader.decode(TestImages.encode(TestImages.grayRamp(7, 5), "bmp"), "g.bmp");
        assertEquals(TestImages.rampValue(6, 4), gray.get(6, 4));
        BufferedImage rgb = TestImages.colourPattern(9, 3);
        GrayImage c = ImageLoader.decode(TestImages.encode(rgb, "bmp"), "c.bmp");
        int v = rgb.getRGB(8, 2);
        assertEquals(luma(v >> 16 & 255, v >> 8 & 255, v & 255), c.get(8, 2));
    }

    @Test
    void loadColorGivesIntRgbWithExactGrayLevels() throws IOException {
        Path f = dir.resolve("g.png");
        Files.write(f, TestImages.png(TestImages.grayRamp(12, 9)));
        BufferedImage img = ImageLoader.loadColor(f);
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        int v = TestImages.rampValue(11, 8);
        assertEquals(v << 16 | v << 8 | v, img.getRGB(11, 8) & 0xFFFFFF);

        Path p = dir.resolve("c.ppm");
        Files.write(p, "P3\n1 1\n255\n1 2 3\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0x010203, ImageLoader.loadColor(p).getRGB(0, 0) & 0xFFFFFF);

        Path j = dir.resolve("p.jpg");
        Files.write(j, TestImages.jpeg(TestImages.colourPattern(16, 16), true));
        assertEquals(BufferedImage.TYPE_INT_RGB, ImageLoader.loadColor(j).getType());
    }

    // ---------------------------------------------------------------- budgets

    @Test
    void hugeHeaderIsRefusedBeforeDecoding() {
        byte[] bomb = TestImages.pngHeaderOnly(100_000, 100_000);
        BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(BadInputException.class, () -> ImageLoader.decode(bomb, "bomb.png")));
        assertTrue(e.getMessage().startsWith("bomb.png: image too large: 100000x100000"), e.getMessage());
    }

    @Test
    void nonPositiveSizesAreRefused() {
        for (int[] size : new int[][] {{0, 10}, {10, 0}, {-5, 10}}) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> ImageLoader.decode(TestImages.pngHeaderOnly(size[0], size[1]), "s.png"));
            assertTrue(e.getMessage().contains("invalid image size"), e.getMessage());
        }
        byte[] pgm = "P5\n0 4\n255\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(BadInputException.class, () -> ImageLoader.decode(pgm, "z.pgm"));
        byte[] bigPgm = "P5\n100000 100000\n255\n\0".getBytes(StandardCharsets.US_ASCII);
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.decode(bigPgm, "big.pgm"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void fileOverTheByteBudgetIsRefusedWithoutReading() throws IOException {
        Path f = dir.resolve("huge.png");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ImageLoader.MAX_FILE_BYTES + 1); // sparse: costs no disk
        }
        BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> assertThrows(BadInputException.class, () -> ImageLoader.load(f)));
        assertTrue(e.getMessage().contains("file too large"), e.getMessage());
    }

    // ---------------------------------------------------------------- bad files

    @Test
    void truncatedFilesAreRefusedAtEveryOffset() {
        byte[][] valid = {
            TestImages.png(TestImages.grayRamp(20, 20)),
            TestImages.png(TestImages.colourPattern(20, 20)),
            TestImages.jpeg(TestImages.colourPattern(20, 20), false),
            TestImages.jpeg(TestImages.colourPattern(20, 20), true),
            TestImages.animatedGif(6, 6, 1, 2),
            TestImages.encode(TestImages.colourPattern(20, 20), "bmp"),
            TestImages.pgmRamp(20, 20),
        };
        for (byte[] full : valid) {
            for (double fraction : new double[] {0.0, 0.01, 0.1, 0.3, 0.5, 0.8, 0.95}) {
                int len = Math.max(1, (int) (full.length * fraction));
                byte[] cut = Arrays.copyOf(full, len);
                BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.decode(cut, "cut.img"),
                        "length " + len + " of " + full.length);
                assertOneLineNaming(e, "cut.img");
            }
            // the last byte only: the end marker (IEND CRC, EOI, GIF trailer area, last pixel) is gone
            byte[] minusOne = Arrays.copyOf(full, full.length - 1);
            if (full[0] != 'G') { // a GIF's trailer byte is optional for the first frame
                assertThrows(BadInputException.class, () -> ImageLoader.decode(minusOne, "cut.img"));
            }
        }
    }

    @Test
    void emptyGarbageMissingAndDirectoryAreRefused() throws IOException {
        Path empty = dir.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertOneLineNaming(assertThrows(BadInputException.class, () -> ImageLoader.load(empty)), empty.toString());

        Path garbage = dir.resolve("garbage.jpg");
        Files.writeString(garbage, "this is not an image at all, just some text\n");
        BadInputException g = assertThrows(BadInputException.class, () -> ImageLoader.load(garbage));
        assertEquals(garbage + ": not an image (unknown format)", g.getMessage());

        Path missing = dir.resolve("missing.png");
        assertEquals(missing + ": no such file",
                assertThrows(BadInputException.class, () -> ImageLoader.load(missing)).getMessage());

        assertOneLineNaming(assertThrows(BadInputException.class, () -> ImageLoader.load(dir)), dir.toString());
        assertOneLineNaming(assertThrows(BadInputException.class, () -> ImageLoader.loadColor(dir)), dir.toString());
    }

    @Test
    void knownButUnsupportedFormatsAreNamed() {
        byte[] tiff = TestImages.encode(TestImages.grayRamp(4, 4), "tiff");
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.decode(tiff, "scan.png"));
        assertTrue(e.getMessage().startsWith("scan.png: unsupported image format (TIFF)"), e.getMessage());
    }

    @Test
    void corruptPngDataIsCaughtByTheChunkCrc() {
        byte[] png = TestImages.png(TestImages.grayRamp(20, 20));
        png[png.length - 20] ^= 0x55; // inside the IDAT data
        BadInputException e = assertThrows(BadInputException.class, () -> ImageLoader.decode(png, "x.png"));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }

    @Test
    void ancillaryChunksAreIgnored() {
        byte[] png = TestImages.png(TestImages.grayRamp(6, 6));
        // insert a gAMA chunk (gamma 1.0) and a text chunk after IHDR: pixel values must not change
        byte[] gama = TestImages.chunk("gAMA", new byte[] {0, 1, (byte) 0x86, (byte) 0xA0});
        byte[] text = TestImages.chunk("tEXt", "Comment\0hello".getBytes(StandardCharsets.ISO_8859_1));
        int afterIhdr = 8 + 25;
        byte[] withChunks = new byte[png.length + gama.length + text.length];
        System.arraycopy(png, 0, withChunks, 0, afterIhdr);
        System.arraycopy(gama, 0, withChunks, afterIhdr, gama.length);
        System.arraycopy(text, 0, withChunks, afterIhdr + gama.length, text.length);
        System.arraycopy(png, afterIhdr, withChunks, afterIhdr + gama.length + text.length, png.length - afterIhdr);
        assertArrayEquals(ImageLoader.decode(png, "a.png").pixels(), ImageLoader.decode(withChunks, "b.png").pixels());
    }

    /** OpenCV's cvtColor(BGR2GRAY) for 8-bit samples: the one colour-to-gray conversion. */
    static float luma(int r, int g, int b) {
        return (r * 4899 + g * 9617 + b * 1868 + 8192) >> 14;
    }

    @Test
    void colourBecomesOpenCvsFixedPointLuma() {
        BufferedImage rgb = new BufferedImage(6, 1, BufferedImage.TYPE_INT_RGB);
        int[] colours = {0xC86432, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x030201};
        for (int x = 0; x < colours.length; x++) {
            rgb.setRGB(x, 0, colours[x]);
        }
        // the values OpenCV 4's cvtColor gives for these colours
        assertArrayEquals(new float[] {124, 76, 150, 29, 255, 2}, ImageLoader.decode(TestImages.png(rgb), "c.png").pixels());
    }

    static void assertOneLineNaming(BadInputException e, String name) {
        String m = e.getMessage();
        assertTrue(m.startsWith(name + ": "), m);
        assertFalse(m.contains("\n") || m.contains("\r"), m);
    }
}
