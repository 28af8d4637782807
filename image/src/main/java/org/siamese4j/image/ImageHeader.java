package org.siamese4j.image;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import org.siamese4j.engine.BadInputException;

/**
 * What an image file's first bytes say, read before any decoding: the format (from magic bytes, never
 * the file name), the pixel size, and the few details that choose a decoder. Reading the header refuses
 * oversized, truncated and malformed files up front, so that no decoder is ever asked to allocate for a
 * size the header invented.
 *
 * <p>For PNG the header pass also rebuilds the file from its critical chunks only (IHDR, PLTE, tRNS,
 * IDAT, IEND), checking their CRCs: colour-management and text chunks are dropped so that every decoder
 * returns the file's raw samples and no compressed ancillary chunk (iCCP, zTXt) is ever inflated.
 */
final class ImageHeader {

    /** The formats the loader decodes. */
    enum Format {
        PNG, JPEG, GIF, BMP, PNM
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    final Format format;
    final int width;
    final int height;
    /** PNG: bits per sample; JPEG: sample precision; otherwise 8. */
    final int bitDepth;
    /** JPEG: the SOFn marker (0xC0 baseline, 0xC2 progressive, ...); otherwise 0. */
    final int jpegProcess;
    /** The bytes to hand to a decoder: the cleaned PNG, or the input unchanged. */
    final byte[] payload;
    /** PNM: the parsed Netpbm header; otherwise null. */
    final PnmDecoder.Header pnm;

    private ImageHeader(Format format, int width, int height, int bitDepth, int jpegProcess, byte[] payload) {
        this(format, width, height, bitDepth, jpegProcess, payload, null);
    }

    private ImageHeader(Format format, int width, int height, int bitDepth, int jpegProcess, byte[] payload,
            PnmDecoder.Header pnm) {
        this.format = format;
        this.width = width;
        this.height = height;
        this.bitDepth = bitDepth;
        this.jpegProcess = jpegProcess;
        this.payload = payload;
        this.pnm = pnm;
    }

    /** Sniffs the format and reads the header; every problem is a BadInputException naming {@code name}. */
    static ImageHeader read(byte[] b, String name) {
        return read(b, name, ImageLoader.MAX_PIXELS);
    }

    /** The same with another pixel budget (tests try it at and just past a small value). */
    static ImageHeader read(byte[] b, String name, long maxPixels) {
        if (b.length == 0) {
            throw bad(name, "empty file (0 bytes)");
        }
        if (startsWith(b, 0, PNG_SIGNATURE)) {
            return readPng(b, name, maxPixels);
        }
        if (b.length >= 3 && u8(b, 0) == 0xFF && u8(b, 1) == 0xD8 && u8(b, 2) == 0xFF) {
            return readJpeg(b, name, maxPixels);
        }
        if (startsWith(b, 0, ascii("GIF87a")) || startsWith(b, 0, ascii("GIF89a"))) {
            return readGif(b, name, maxPixels);
        }
        if (startsWith(b, 0, ascii("BM"))) {
            return readBmp(b, name, maxPixels);
        }
        if (b.length >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' && PnmDecoder.isWhitespace(b[2])) {
            PnmDecoder.Header h = PnmDecoder.readHeader(b, name);
            checkSize(name, "PNM", h.width(), h.height(), maxPixels);
            return new ImageHeader(Format.PNM, h.width(), h.height(), 8, 0, b, h);
        }
        String other = otherFormat(b);
        throw bad(name, other == null ? "not an image (unknown format)"
                : "unsupported image format (" + other + "); use PNG, JPEG, PGM/PPM, BMP or GIF");
    }

    // ---------------------------------------------------------------- PNG

    private static ImageHeader readPng(byte[] b, String name, long maxPixels) {
        byte[] out = new byte[b.length];
        System.arraycopy(PNG_SIGNATURE, 0, out, 0, PNG_SIGNATURE.length);
        int outPos = PNG_SIGNATURE.length;
        int pos = PNG_SIGNATURE.length;
        int width = 0;
        int height = 0;
        int bitDepth = 0;
        boolean sawIdat = false;
        CRC32 crc = new CRC32();
        while (true) {
            if (pos + 8 > b.length) {
                throw bad(name, "truncated PNG (file ends before the IEND chunk)");
            }
            int length = i32be(b, pos);
            String type = chunkType(b, pos + 4);
            if (type == null) {
                throw bad(name, "corrupt PNG (invalid chunk type at byte " + (pos + 4) + ")");
            }
            if (length < 0 || (long) pos + 12 + length > b.length) {
                throw bad(name, "truncated PNG (chunk " + type + " runs past the end of the file)");
            }
            boolean first = pos == PNG_SIGNATURE.length;
            if (first != type.equals("IHDR")) {
                throw bad(name, first ? "corrupt PNG (first chunk is " + type + ", not IHDR)"
                        : "corrupt PNG (second IHDR chunk)");
            }
            boolean keep = switch (type) {
                case "IHDR", "PLTE", "tRNS", "IDAT", "IEND" -> true;
                default -> false;
            };
            boolean critical = (b[pos + 4] & 0x20) == 0;
            if (critical && !keep) {
                throw bad(name, "unsupported PNG (unknown critical chunk " + type + ")");
            }
            if (keep) {
                crc.reset();
                crc.update(b, pos + 4, 4 + length);
                if ((int) crc.getValue() != i32be(b, pos + 8 + length)) {
                    throw bad(name, "corrupt PNG (bad CRC in chunk " + type + ")");
                }
                if (type.equals("IHDR")) {
                    if (length != 13) {
                        throw bad(name, "corrupt PNG (IHDR chunk of " + length + " bytes, expected 13)");
                    }
                    width = i32be(b, pos + 8);
                    height = i32be(b, pos + 12);
                    bitDepth = u8(b, pos + 16);
                    checkSize(name, "PNG", width, height, maxPixels);
                }
                if (type.equals("IDAT")) {
                    sawIdat = true;
                }
                System.arraycopy(b, pos, out, outPos, 12 + length);
                outPos += 12 + length;
            }
            pos += 12 + length;
            if (type.equals("IEND")) {
                break;
            }
        }
        if (!sawIdat) {
            throw bad(name, "corrupt PNG (no IDAT image data)");
        }
        byte[] payload = outPos == b.length ? b : java.util.Arrays.copyOf(out, outPos);
        return new ImageHeader(Format.PNG, width, height, bitDepth, 0, payload);
    }

    private static String chunkType(byte[] b, int at) {
        for (int i = 0; i < 4; i++) {
            int c = u8(b, at + i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                return null;
            }
        }
        return new String(b, at, 4, StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- JPEG

    private static ImageHeader readJpeg(byte[] b, String name, long maxPixels) {
        int pos = 2;
        int width = -1;
        int height = -1;
        int precision = 8;
        int components = 0;
        int process = 0;
        while (true) {
            // markers may be preceded by any number of 0xFF fill bytes
            if (pos >= b.length || u8(b, pos) != 0xFF) {
                throw bad(name, pos >= b.length ? "truncated JPEG (file ends inside the header)"
                        : "corrupt JPEG (expected a marker at byte " + pos + ")");
            }
            while (pos < b.length && u8(b, pos) == 0xFF) {
                pos++;
            }
            if (pos >= b.length) {
                throw bad(name, "truncated JPEG (file ends inside the header)");
            }
            int marker = u8(b, pos++);
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue; // markers without a length field
            }
            if (marker == 0xD9) {
                throw bad(name, "corrupt JPEG (end of image before any image data)");
            }
            if (pos + 2 > b.length) {
                throw bad(name, "truncated JPEG (file ends inside the header)");
            }
            int length = u16be(b, pos);
            if (length < 2 || pos + length > b.length) {
                throw bad(name, "truncated JPEG (segment at byte " + (pos - 2) + " runs past the end of the file)");
            }
            if (isSof(marker)) {
                if (length < 8) {
                    throw bad(name, "corrupt JPEG (frame header too short)");
                }
                process = marker;
                precision = u8(b, pos + 2);
                height = u16be(b, pos + 3);
                width = u16be(b, pos + 5);
                components = u8(b, pos + 7);
            } else if (marker == 0xDA) {
                if (process == 0) {
                    throw bad(name, "corrupt JPEG (scan data before the frame header)");
                }
                pos += length;
                break;
            }
            pos += length;
        }
        if (height == 0) {
            throw bad(name, "unsupported JPEG (height given by a DNL marker)");
        }
        checkSize(name, "JPEG", width, height, maxPixels);
        if (precision != 8) {
            throw bad(name, "unsupported JPEG (" + precision + "-bit samples; only 8-bit JPEG is supported)");
        }
        if (components == 4) {
            throw bad(name, "unsupported JPEG (CMYK/YCCK colour); save it as an RGB JPEG or PNG");
        }
        if (components != 1 && components != 3) {
            throw bad(name, "unsupported JPEG (" + components + " colour components)");
        }
        // entropy-coded data cannot contain FF D9, so its absence after the first scan means truncation
        if (lastIndexOfEoi(b) < pos) {
            throw bad(name, "truncated JPEG (no end-of-image marker)");
        }
        return new ImageHeader(Format.JPEG, width, height, precision, process, b);
    }

    private static boolean isSof(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static int lastIndexOfEoi(byte[] b) {
        for (int i = b.length - 2; i >= 0; i--) {
            if (u8(b, i) == 0xFF && u8(b, i + 1) == 0xD9) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- GIF

    private static ImageHeader readGif(byte[] b, String name, long maxPixels) {
        if (b.length < 13) {
            throw bad(name, "truncated GIF (file ends inside the header)");
        }
        int screenW = u16le(b, 6);
        int screenH = u16le(b, 8);
        int pos = 13 + colourTableSize(u8(b, 10));
        while (true) {
            if (pos >= b.length) {
                throw bad(name, "truncated GIF (file ends before the first image)");
            }
            int block = u8(b, pos);
            if (block == 0x21) { // extension: label, then data sub-blocks
                pos = skipSubBlocks(b, pos + 2, name);
            } else if (block == 0x2C) { // image descriptor: the first frame
                if (pos + 10 > b.length) {
                    throw bad(name, "truncated GIF (file ends inside an image descriptor)");
                }
                int frameW = u16le(b, pos + 5);
                int frameH = u16le(b, pos + 7);
                checkSize(name, "GIF", frameW, frameH, maxPixels);
                // the decoders allocate the logical screen, which may be larger than the frame
                if ((long) screenW * screenH > maxPixels) {
                    checkSize(name, "GIF", screenW, screenH, maxPixels);
                }
                pos += 10 + colourTableSize(u8(b, pos + 9));
                // LZW minimum code size, then the frame's data sub-blocks must all be present
                skipSubBlocks(b, pos + 1, name);
                return new ImageHeader(Format.GIF, frameW, frameH, 8, 0, b);
            } else if (block == 0x3B) {
                throw bad(name, "corrupt GIF (no image in the file)");
            } else {
                throw bad(name, "corrupt GIF (unknown block 0x" + Integer.toHexString(block) + " at byte " + pos + ")");
            }
        }
    }

    private static int colourTableSize(int packed) {
        return (packed & 0x80) == 0 ? 0 : 3 << ((packed & 7) + 1);
    }

    /** Skips GIF data sub-blocks from {@code pos}; returns the position after the zero terminator. */
    private static int skipSubBlocks(byte[] b, int pos, String name) {
        while (true) {
            if (pos >= b.length) {
                throw bad(name, "truncated GIF (file ends inside a data block)");
            }
            int size = u8(b, pos);
            pos += 1 + size;
            if (size == 0) {
                return pos;
            }
        }
    }

    // ---------------------------------------------------------------- BMP

    private static ImageHeader readBmp(byte[] b, String name, long maxPixels) {
        if (b.length < 26) {
            throw bad(name, "truncated BMP (file ends inside the header)");
        }
        long dataOffset = u32le(b, 10);
        int dibSize = i32le(b, 14);
        int width;
        int height;
        int bitCount;
        int compression = 0;
        if (dibSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit unsigned sizes
            width = u16le(b, 18);
            height = u16le(b, 20);
            bitCount = u16le(b, 24);
        } else if (dibSize >= 40) {
            if (b.length < 34) {
                throw bad(name, "truncated BMP (file ends inside the header)");
            }
            width = i32le(b, 18);
            height = i32le(b, 22);
            bitCount = u16le(b, 28);
            compression = i32le(b, 30);
            if (height == Integer.MIN_VALUE) {
                throw bad(name, "corrupt BMP (invalid height)");
            }
            height = Math.abs(height); // negative height = rows stored top-down
        } else {
            throw bad(name, "corrupt or unsupported BMP (DIB header of " + dibSize + " bytes)");
        }
        checkSize(name, "BMP", width, height, maxPixels);
        boolean uncompressed = compression == 0 || compression == 3 || compression == 6;
        if (uncompressed && bitCount > 0 && bitCount <= 32) {
            long rowBytes = ((long) bitCount * width + 31) / 32 * 4;
            if (dataOffset + rowBytes * height > b.length) {
                throw bad(name, "truncated BMP (pixel data needs " + (dataOffset + rowBytes * height)
                        + " bytes, file has " + b.length + ")");
            }
        }
        return new ImageHeader(Format.BMP, width, height, 8, 0, b);
    }

    // ---------------------------------------------------------------- shared

    /** Refuses non-positive sizes and sizes over the pixel budget. */
    static void checkSize(String name, String format, long width, long height, long maxPixels) {
        if (width <= 0 || height <= 0) {
            throw bad(name, "corrupt " + format + " (invalid image size " + width + "x" + height + ")");
        }
        if (width * height > maxPixels) {
            throw bad(name, "image too large: " + width + "x" + height + " = " + width * height
                    + " pixels (limit " + maxPixels + ")");
        }
    }

    /** Names formats we recognise but do not decode, for a clearer message. */
    private static String otherFormat(byte[] b) {
        if (startsWith(b, 0, new byte[] {'I', 'I', 42, 0}) || startsWith(b, 0, new byte[] {'M', 'M', 0, 42})) {
            return "TIFF";
        }
        if (startsWith(b, 0, ascii("RIFF")) && startsWith(b, 8, ascii("WEBP"))) {
            return "WebP";
        }
        if (startsWith(b, 4, ascii("ftypheic")) || startsWith(b, 4, ascii("ftypheix"))
                || startsWith(b, 4, ascii("ftypmif1"))) {
            return "HEIC";
        }
        if (startsWith(b, 4, ascii("ftypavif"))) {
            return "AVIF";
        }
        if (startsWith(b, 0, ascii("8BPS"))) {
            return "Photoshop PSD";
        }
        return null;
    }

    static BadInputException bad(String name, String problem) {
        return new BadInputException(name + ": " + problem);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (b.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static int u16be(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    private static int u16le(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8);
    }

    private static int i32be(byte[] b, int i) {
        return (u8(b, i) << 24) | (u8(b, i + 1) << 16) | (u8(b, i + 2) << 8) | u8(b, i + 3);
    }

    private static int i32le(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8) | (u8(b, i + 2) << 16) | (u8(b, i + 3) << 24);
    }

    private static long u32le(byte[] b, int i) {
        return i32le(b, i) & 0xFFFFFFFFL;
    }
}
