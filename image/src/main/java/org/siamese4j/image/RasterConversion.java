package org.siamese4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PackedColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

import org.siamese4j.model.image.GrayImage;

/**
 * Turns a decoded BufferedImage into gray or RGB pixels from the raster's raw samples, never through
 * Java2D colour conversion where it can be avoided: a gray raster is in a linear-gray colour space, and
 * {@code getRGB()} on it shifts values by up to 73 levels. Samples of n bits are scaled as
 * {@code v * 255 / (2^n - 1)}, so 8-bit samples come out exactly. Transparent pixels are composited on a
 * white background (the background of Omniglot-style data). Only colour spaces other than gray and sRGB
 * (e.g. an embedded ICC profile) go through {@code getRGB()}.
 */
final class RasterConversion {
    private RasterConversion() {
    }

    /**
     * ITU-R BT.601 luma with OpenCV's cvtColor(BGR2GRAY) arithmetic, the one colour-to-gray conversion of the
     * project: weights 4899, 9617, 1868 out of 2^14, rounded to a whole level, so that the face detector
     * sees the 8-bit values OpenCV's cascade was tuned on, whichever command decoded the photo. A gray pixel
     * (R = G = B) keeps its own value.
     */
    static float luma(double r, double g, double b) {
        if (r == g && g == b) {
            return (float) r; // gray keeps its level, fractions of 16-bit samples included
        }
        return (float) Math.floor((4899.0 * r + 9617.0 * g + 1868.0 * b) / 16384.0 + 0.5);
    }

    static GrayImage toGray(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[Math.multiplyExact(w, h)];
        RowReader reader = RowReader.of(img);
        for (int y = 0; y < h; y++) {
            reader.readGray(y, out, y * w);
        }
        return new GrayImage(w, h, out);
    }

    static BufferedImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        RowReader reader = RowReader.of(img);
        float[] r = new float[w];
        float[] g = new float[w];
        float[] b = new float[w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            reader.read(y, r, g, b);
            for (int x = 0; x < w; x++) {
                row[x] = (to8(r[x]) << 16) | (to8(g[x]) << 8) | to8(b[x]);
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }

    private static int to8(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Reads one row as r, g, b in 0..255 with alpha already composited on white. */
    private abstract static class RowReader {
        final Raster raster;
        final int width;
        final int[] samples;
        /** Row buffers for {@link #readGray}, made on first use. */
        private float[] rowR;
        private float[] rowG;
        private float[] rowB;

        RowReader(BufferedImage img) {
            this.raster = img.getRaster();
            this.width = img.getWidth();
            this.samples = new int[width];
        }

        abstract void read(int y, float[] r, float[] g, float[] b);

        /** Writes row y's luma to out[offset ..]; readers with a faster route override this. */
        void readGray(int y, float[] out, int offset) {
            if (rowR == null) {
                rowR = new float[width];
                rowG = new float[width];
                rowB = new float[width];
            }
            read(y, rowR, rowG, rowB);
            for (int x = 0; x < width; x++) {
                out[offset + x] = luma(rowR[x], rowG[x], rowB[x]);
            }
        }

        static RowReader of(BufferedImage img) {
            ColorModel cm = img.getColorModel();
            Raster raster = img.getRaster();
            int dataType = raster.getDataBuffer().getDataType();
            boolean integerSamples = dataType == DataBuffer.TYPE_BYTE || dataType == DataBuffer.TYPE_USHORT
                    || dataType == DataBuffer.TYPE_INT;
            if (cm instanceof IndexColorModel icm && raster.getNumBands() == 1) {
                return new Indexed(img, icm);
            }
            if (PackedRgb.accepts(img)) {
                return new PackedRgb(img);
            }
            boolean componentLike = cm instanceof ComponentColorModel || cm instanceof PackedColorModel;
            if (componentLike && integerSamples && maxSampleBits(raster) <= 16) {
                int colours = cm.getNumColorComponents();
                int bands = raster.getNumBands();
                if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && colours == 1
                        && bands == (cm.hasAlpha() ? 2 : 1)) {
                    return new Components(img, 1);
                }
                if (cm.getColorSpace().isCS_sRGB() && colours == 3 && bands == (cm.hasAlpha() ? 4 : 3)) {
                    return new Components(img, 3);
                }
            }
            return new ViaGetRgb(img);
        }

        private static int maxSampleBits(Raster raster) {
            int max = 0;
            for (int s : raster.getSampleModel().getSampleSize()) {
                max = Math.max(max, s);
            }
            return max;
        }

        static float onWhite(float value, float alpha) {
            return alpha >= 1f ? value : value * alpha + 255f * (1f - alpha);
        }
    }

    /** Gray or RGB samples read band by band; an extra last band is alpha. */
    private static final class Components extends RowReader {
        private final int colours;
        private final boolean alpha;
        private final boolean premultiplied;
        private final double[] max;
        private final int[] alphaRow;

        Components(BufferedImage img, int colours) {
            super(img);
            this.colours = colours;
            ColorModel cm = img.getColorModel();
            this.alpha = cm.hasAlpha();
            this.premultiplied = cm.isAlphaPremultiplied();
            int bands = raster.getNumBands();
            this.max = new double[bands];
            for (int band = 0; band < bands; band++) {
                max[band] = (1 << raster.getSampleModel().getSampleSize(band)) - 1;
            }
            this.alphaRow = alpha ? new int[width] : null;
        }

        @Override
        void read(int y, float[] r, float[] g, float[] b) {
            int x0 = raster.getMinX();
            int y0 = raster.getMinY() + y;
            if (alpha) {
                raster.getSamples(x0, y0, width, 1, colours, alphaRow);
            }
            for (int c = 0; c < colours; c++) {
                raster.getSamples(x0, y0, width, 1, c, samples);
                float[] dst = colours == 1 || c == 0 ? r : c == 1 ? g : b;
                double m = max[c];
                for (int x = 0; x < width; x++) {
                    float v = (float) (samples[x] * 255.0 / m);
                    if (alpha) {
                        float a = (float) (alphaRow[x] / max[colours]);
                        v = premultiplied ? v + 255f * (1f - a) : onWhite(v, a);
                    }
                    dst[x] = v;
                }
            }
            if (colours == 1) {
                System.arraycopy(r, 0, g, 0, width);
                System.arraycopy(r, 0, b, 0, width);
            }
        }
    }

    /**
     * The common case, read straight from the int array: TYPE_INT_RGB / TYPE_INT_ARGB (what commons-imaging
     * returns here). Going through the sample model per pixel costs more than the decoding.
     */
    private static final class PackedRgb extends RowReader {
        private final int[] data;
        private final int offset;
        private final int scanline;
        private final boolean alpha;

        PackedRgb(BufferedImage img) {
            super(img);
            DataBufferInt buffer = (DataBufferInt) raster.getDataBuffer();
            SinglePixelPackedSampleModel sm = (SinglePixelPackedSampleModel) raster.getSampleModel();
            this.data = buffer.getData();
            this.scanline = sm.getScanlineStride();
            this.offset = buffer.getOffset() + (raster.getMinY() - raster.getSampleModelTranslateY()) * scanline
                    + (raster.getMinX() - raster.getSampleModelTranslateX());
            this.alpha = img.getColorModel().hasAlpha();
        }

        static boolean accepts(BufferedImage img) {
            if (!(img.getColorModel() instanceof DirectColorModel dcm) || dcm.isAlphaPremultiplied()
                    || !dcm.getColorSpace().isCS_sRGB() || !(img.getRaster().getDataBuffer() instanceof DataBufferInt)
                    || !(img.getRaster().getSampleModel() instanceof SinglePixelPackedSampleModel)) {
                return false;
            }
            return dcm.getRedMask() == 0xFF0000 && dcm.getGreenMask() == 0xFF00 && dcm.getBlueMask() == 0xFF
                    && (!dcm.hasAlpha() || dcm.getAlphaMask() == 0xFF000000);
        }

        @Override
        void read(int y, float[] r, float[] g, float[] b) {
            int at = offset + y * scanline;
            for (int x = 0; x < width; x++) {
                int argb = data[at + x];
                if (alpha) {
                    store(argb, x, r, g, b);
                } else {
                    r[x] = (argb >> 16) & 0xFF;
                    g[x] = (argb >> 8) & 0xFF;
                    b[x] = argb & 0xFF;
                }
            }
        }

        @Override
        void readGray(int y, float[] out, int outOffset) {
            if (alpha) {
                super.readGray(y, out, outOffset);
                return;
            }
            int at = offset + y * scanline;
            for (int x = 0; x < width; x++) {
                int rgb = data[at + x];
                out[outOffset + x] = luma((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
            }
        }
    }

    /** Palette images: the palette holds sRGB colours (and per-entry alpha). */
    private static final class Indexed extends RowReader {
        private final IndexColorModel icm;

        Indexed(BufferedImage img, IndexColorModel icm) {
            super(img);
            this.icm = icm;
        }

        @Override
        void read(int y, float[] r, float[] g, float[] b) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, 0, samples);
            int size = icm.getMapSize();
            for (int x = 0; x < width; x++) {
                int index = samples[x];
                // an index past the palette's end reads as opaque black, as most viewers show it
                int argb = index >= 0 && index < size ? icm.getRGB(index) : 0xFF000000;
                store(argb, x, r, g, b);
            }
        }
    }

    /** Any other colour space: let Java2D convert to sRGB. */
    private static final class ViaGetRgb extends RowReader {
        private final BufferedImage img;

        ViaGetRgb(BufferedImage img) {
            super(img);
            this.img = img;
        }

        @Override
        void read(int y, float[] r, float[] g, float[] b) {
            img.getRGB(0, y, width, 1, samples, 0, width);
            for (int x = 0; x < width; x++) {
                store(samples[x], x, r, g, b);
            }
        }
    }

    private static void store(int argb, int x, float[] r, float[] g, float[] b) {
        float a = (argb >>> 24) / 255f;
        r[x] = RowReader.onWhite((argb >> 16) & 0xFF, a);
        g[x] = RowReader.onWhite((argb >> 8) & 0xFF, a);
        b[x] = RowReader.onWhite(argb & 0xFF, a);
    }
}
