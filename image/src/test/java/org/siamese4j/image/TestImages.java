package org.siamese4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/** Builds small test images in memory, in every format the loader reads. */
public final class TestImages {
    private TestImages() {
    }

    /** A w x h gray image whose pixel (x, y) is (x * 7 + y * 13) % 256. */
    static BufferedImage grayRamp(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, rampValue(x, y));
            }
        }
        return img;
    }

    static int rampValue(int x, int y) {
        return (x * 7 + y * 13) % 256;
    }

    static BufferedImage colourPattern(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 16) & 255) << 16 | ((y * 16) & 255) << 8 | ((x + y) * 8 & 255));
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format + " and " + img);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] png(BufferedImage img) {
        return encode(img, "png");
    }

    static byte[] jpeg(BufferedImage img, boolean progressive) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                ImageWriteParam p = writer.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(0.95f);
                if (progressive) {
                    p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
                }
                writer.write(null, new IIOImage(img, null, null), p);
            } finally {
                writer.dispose();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 4-component (CMYK-style) JPEG written from a raw raster. */
    static byte[] cmykJpeg(int w, int h) {
        try {
            WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.setSample(x, y, 0, x * 10 % 256);
                    raster.setSample(x, y, 3, y * 10 % 256);
                }
            }
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
            } finally {
                writer.dispose();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An animated GIF whose frames are filled with the given gray levels. */
    static byte[] animatedGif(int w, int h, int... levels) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (int level : levels) {
                    BufferedImage frame = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, grayPalette());
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            frame.getRaster().setSample(x, y, 0, level);
                        }
                    }
                    ImageWriteParam p = writer.getDefaultWriteParam();
                    IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), p);
                    String format = meta.getNativeMetadataFormatName();
                    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
                    IIOMetadataNode gce = new IIOMetadataNode("GraphicControlExtension");
                    gce.setAttribute("disposalMethod", "none");
                    gce.setAttribute("userInputFlag", "FALSE");
                    gce.setAttribute("transparentColorFlag", "FALSE");
                    gce.setAttribute("delayTime", "10");
                    gce.setAttribute("transparentColorIndex", "0");
                    root.appendChild(gce);
                    // an explicit local palette: without it the writer keeps its default web palette
                    IIOMetadataNode table = new IIOMetadataNode("LocalColorTable");
                    table.setAttribute("sizeOfLocalColorTable", "256");
                    table.setAttribute("backgroundColorIndex", "0");
                    table.setAttribute("sortFlag", "FALSE");
                    for (int i = 0; i < 256; i++) {
                        IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
                        entry.setAttribute("index", Integer.toString(i));
                        entry.setAttribute("red", Integer.toString(i));
                        entry.setAttribute("green", Integer.toString(i));
                        entry.setAttribute("blue", Integer.toString(i));
                        table.appendChild(entry);
                    }
                    root.appendChild(table);
                    meta.setFromTree(format, root);
                    writer.writeToSequence(new IIOImage(frame, null, meta), p);
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 256-entry palette where entry i is gray level i. */
    static IndexColorModel grayPalette() {
        byte[] v = new byte[256];
        for (int i = 0; i < 256; i++) {
            v[i] = (byte) i;
        }
        return new IndexColorModel(8, 256, v, v, v);
    }

    /** A binary P5 PGM with a comment in its header. */
    static byte[] pgmP5(int w, int h, int maxval, int[] samples) {
        String header = "P5\n# made by a test\n" + w + " " + h + "\n" + maxval + "\n";
        int bps = maxval < 256 ? 1 : 2;
        ByteBuffer buf = ByteBuffer.allocate(header.length() + samples.length * bps);
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        for (int s : samples) {
            if (bps == 1) {
                buf.put((byte) s);
            } else {
                buf.putShort((short) s);
            }
        }
        return buf.array();
    }

    /** The ramp image as P5 bytes. */
    static byte[] pgmRamp(int w, int h) {
        int[] s = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                s[y * w + x] = rampValue(x, y);
            }
        }
        return pgmP5(w, h, 255, s);
    }

    /** A PNG made of a signature, an IHDR with the given size and a valid CRC, an empty IDAT and IEND. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.put(t).put(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Rewrites every PNG chunk CRC so that a mutated file passes the CRC check and reaches the decoder. */
    static void fixPngCrcs(byte[] b) {
        int pos = 8;
        CRC32 crc = new CRC32();
        while (pos + 12 <= b.length) {
            int len = ByteBuffer.wrap(b, pos, 4).getInt();
            if (len < 0 || (long) pos + 12 + len > b.length) {
                return;
            }
            crc.reset();
            crc.update(b, pos + 4, 4 + len);
            ByteBuffer.wrap(b, pos + 8 + len, 4).putInt((int) crc.getValue());
            pos += 12 + len;
        }
    }
}
