package org.siamese4j.image;

import java.awt.image.BufferedImage;

import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * Netpbm decoder (P1..P6: PBM, PGM, PPM, ASCII and binary, maxval up to 65535). Written here rather
 * than taken from commons-imaging, whose 1.0.0-alpha6 PNM reader mis-reads 16-bit samples and ignores
 * maxval. Samples are scaled as {@code v * 255 / maxval}, so an 8-bit PGM gives exactly its bytes;
 * samples above maxval are clamped to it. For a file holding several images only the first is read.
 */
final class PnmDecoder {

    /** The parsed header; {@code dataOffset} is where the raster starts. */
    record Header(int kind, int width, int height, int maxval, int dataOffset) {
        int channels() {
            return kind == 3 || kind == 6 ? 3 : 1;
        }

        String label() {
            return switch (kind) {
                case 1, 4 -> "PBM";
                case 2, 5 -> "PGM";
                default -> "PPM";
            };
        }
    }

    private PnmDecoder() {
    }

    static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C;
    }

    /** Reads "Pn width height [maxval]" plus the single whitespace byte that ends the header. */
    static Header readHeader(byte[] b, String name) {
        int kind = b[1] - '0';
        Cursor c = new Cursor(b, 2, name, kind == 1 || kind == 4 ? "PBM" : kind == 2 || kind == 5 ? "PGM" : "PPM");
        int width = c.headerNumber("width");
        int height = c.headerNumber("height");
        int maxval = 1;
        if (kind != 1 && kind != 4) {
            maxval = c.headerNumber("maxval");
            if (maxval < 1 || maxval > 65535) {
                throw ImageHeader.bad(name, "corrupt " + c.label + " (maxval " + maxval + " is outside 1..65535)");
            }
        }
        int dataOffset = c.pos;
        if (kind >= 4) { // binary rasters start after exactly one whitespace byte
            if (c.pos >= b.length) {
                throw ImageHeader.bad(name, "truncated " + c.label + " (no pixel data)");
            }
            if (!isWhitespace(b[c.pos])) {
                throw ImageHeader.bad(name, "corrupt " + c.label + " (no whitespace after the header)");
            }
            dataOffset = c.pos + 1;
        }
        return new Header(kind, width, height, maxval, dataOffset);
    }

    static GrayImage decodeGray(byte[] b, Header h, String name) {
        int n = h.width() * h.height();
        Samples s = samples(b, h, name); // a binary raster too short for its header is refused before allocating
        float[] out = new float[n];
        int maxval = h.maxval();
        if (h.channels() == 1) {
            for (int i = 0; i < n; i++) {
                out[i] = scaled(s.next(), maxval);
            }
        } else {
            for (int i = 0; i < n; i++) {
                float r = scaled(s.next(), maxval);
                float g = scaled(s.next(), maxval);
                float bl = scaled(s.next(), maxval);
                out[i] = RasterConversion.luma(r, g, bl);
            }
        }
        return new GrayImage(h.width(), h.height(), out);
    }

    static BufferedImage decodeRgb(byte[] b, Header h, String name) {
        BufferedImage img = new BufferedImage(h.width(), h.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[h.width()];
        Samples s = samples(b, h, name);
        int maxval = h.maxval();
        for (int y = 0; y < h.height(); y++) {
            for (int x = 0; x < h.width(); x++) {
                int r = Math.round(scaled(s.next(), maxval));
                int g = r;
                int bl = r;
                if (h.channels() == 3) {
                    g = Math.round(scaled(s.next(), maxval));
                    bl = Math.round(scaled(s.next(), maxval));
                }
                row[x] = (r << 16) | (g << 8) | bl;
            }
            img.setRGB(0, y, h.width(), 1, row, 0, h.width());
        }
        return img;
    }

    /** v * 255 / maxval, exact for maxval 255 (the division of an exact product). */
    private static float scaled(int v, int maxval) {
        return (float) (v * 255.0 / maxval);
    }

    /** Checks the raster is complete (binary formats) and returns a reader over its samples. */
    private static Samples samples(byte[] b, Header h, String name) {
        long pixels = (long) h.width() * h.height();
        int maxval = h.maxval();
        switch (h.kind()) {
            case 4 -> {
                long need = (h.width() + 7L) / 8 * h.height();
                requireBytes(b, h, need, name);
                return new PackedBits(b, h.dataOffset(), h.width());
            }
            case 5, 6 -> {
                int bytesPerSample = maxval < 256 ? 1 : 2;
                long need = pixels * h.channels() * bytesPerSample;
                requireBytes(b, h, need, name);
                return bytesPerSample == 1 ? new Binary8(b, h.dataOffset(), maxval)
                        : new Binary16(b, h.dataOffset(), maxval);
            }
            case 1 -> {
                return new AsciiBits(new Cursor(b, h.dataOffset(), name, h.label()));
            }
            default -> {
                return new AsciiNumbers(new Cursor(b, h.dataOffset(), name, h.label()), maxval);
            }
        }
    }

    private static void requireBytes(byte[] b, Header h, long need, String name) {
        long have = b.length - (long) h.dataOffset();
        if (have < need) {
            throw ImageHeader.bad(name, "truncated " + h.label() + " (" + h.width() + "x" + h.height()
                    + " needs " + need + " bytes of pixel data, file has " + have + ")");
        }
    }

    /** Sequential sample source; values are already in 0..maxval (PBM: 1 = white). */
    private interface Samples {
        int next();
    }

    /** P5/P6 with maxval below 256: one byte per sample. */
    private static final class Binary8 implements Samples {
        private final byte[] b;
        private final int maxval;
        private int pos;

        Binary8(byte[] b, int start, int maxval) {
            this.b = b;
            this.pos = start;
            this.maxval = maxval;
        }

        @Override
        public int next() {
            return Math.min(maxval, b[pos++] & 0xFF);
        }
    }

    /** P5/P6 with maxval 256 or more: two bytes per sample, most significant first. */
    private static final class Binary16 implements Samples {
        private final byte[] b;
        private final int maxval;
        private int pos;

        Binary16(byte[] b, int start, int maxval) {
            this.b = b;
            this.pos = start;
            this.maxval = maxval;
        }

        @Override
        public int next() {
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return Math.min(maxval, v);
        }
    }

    /** P4: rows of bits, each row padded to a whole byte; bit 1 is black. */
    private static final class PackedBits implements Samples {
        private final byte[] b;
        private final int width;
        private int rowStart;
        private int x;

        PackedBits(byte[] b, int start, int width) {
            this.b = b;
            this.rowStart = start;
            this.width = width;
        }

        @Override
        public int next() {
            int bit = (b[rowStart + (x >> 3)] >> (7 - (x & 7))) & 1;
            if (++x == width) {
                x = 0;
                rowStart += (width + 7) >> 3;
            }
            return 1 - bit;
        }
    }

    /** P1: '0'/'1' characters, whitespace optional; 1 is black. */
    private record AsciiBits(Cursor c) implements Samples {
        @Override
        public int next() {
            c.skipWhitespaceAndComments();
            if (c.pos >= c.b.length) {
                throw c.truncated();
            }
            byte ch = c.b[c.pos++];
            if (ch != '0' && ch != '1') {
                throw ImageHeader.bad(c.name, "corrupt PBM (unexpected character in pixel data)");
            }
            return ch == '1' ? 0 : 1;
        }
    }

    /** P2/P3: whitespace-separated decimal samples. */
    private record AsciiNumbers(Cursor c, int maxval) implements Samples {
        @Override
        public int next() {
            return Math.min(maxval, c.number("pixel value"));
        }
    }

    /** A read position in the file with the token rules of the Netpbm header. */
    private static final class Cursor {
        final byte[] b;
        final String name;
        final String label;
        int pos;

        Cursor(byte[] b, int pos, String name, String label) {
            this.b = b;
            this.pos = pos;
            this.name = name;
            this.label = label;
        }

        void skipWhitespaceAndComments() {
            while (pos < b.length) {
                if (isWhitespace(b[pos])) {
                    pos++;
                } else if (b[pos] == '#') {
                    while (pos < b.length && b[pos] != '\n' && b[pos] != '\r') {
                        pos++;
                    }
                } else {
                    return;
                }
            }
        }

        /** A header number; it must be followed by whitespace or a comment, not by the end of the file. */
        int headerNumber(String what) {
            int v = number(what);
            if (pos >= b.length) {
                throw truncated();
            }
            if (!isWhitespace(b[pos]) && b[pos] != '#') {
                throw ImageHeader.bad(name, "corrupt " + label + " (bad " + what + " in the header)");
            }
            return v;
        }

        int number(String what) {
            skipWhitespaceAndComments();
            if (pos >= b.length) {
                throw truncated();
            }
            long v = 0;
            int digits = 0;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
                v = v * 10 + (b[pos++] - '0');
                if (++digits > 9) {
                    throw ImageHeader.bad(name, "corrupt " + label + " (" + what + " has too many digits)");
                }
            }
            if (digits == 0) {
                throw ImageHeader.bad(name, "corrupt " + label + " (expected a number for " + what + ")");
            }
            return (int) v;
        }

        BadInputException truncated() {
            return ImageHeader.bad(name, "truncated " + label + " (file ends early)");
        }
    }
}
