package org.siamese4j.faces;

import org.siamese4j.model.image.GrayImage;

/**
 * An 8-bit gray image, the form OpenCV's cascade detector works on. The detector quantises its input to this
 * and builds its pyramid with OpenCV's arithmetic (equalizeHist, bilinear resize; the fixed-point luma is ImageLoader's), so that
 * the cascade sees the pixel values it was trained and tuned on.
 */
final class Gray8 {
    /** Fractional bits of OpenCV's bit-exact bilinear weights (its ufixedpoint16 for 8-bit images). */
    private static final int FRACTION_BITS = 8;
    private static final int ONE = 1 << FRACTION_BITS;
    private static final int HALF_PRODUCT = 1 << (2 * FRACTION_BITS - 1);

    final int width;
    final int height;
    /** Row-major, unsigned (read with {@code & 0xFF}). */
    final byte[] pixels;

    Gray8(int width, int height, byte[] pixels) {
        if (width <= 0 || height <= 0 || pixels.length != (long) width * height) {
            throw new IllegalArgumentException("bad 8-bit image " + width + "x" + height + " with " + pixels.length
                    + " pixels");
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /** Rounds each pixel to the nearest integer in [0, 255] (NaN reads as 0), as OpenCV's saturate_cast. */
    static Gray8 of(GrayImage image) {
        float[] src = image.pixels();
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = (byte) clampToByte(Math.rint(src[i]));
        }
        return new Gray8(image.width(), image.height(), out);
    }

    int get(int x, int y) {
        return pixels[y * width + x] & 0xFF;
    }

    /** Histogram equalisation with OpenCV's equalizeHist lookup table. */
    Gray8 equalized() {
        int[] histogram = new int[256];
        for (byte p : pixels) {
            histogram[p & 0xFF]++;
        }
        int first = 0;
        while (histogram[first] == 0) {
            first++;
        }
        int total = pixels.length;
        if (histogram[first] == total) {
            return new Gray8(width, height, pixels.clone());
        }
        float scale = 255f / (total - histogram[first]);
        int[] lut = new int[256];
        int cumulative = 0;
        for (int v = first + 1; v < 256; v++) {
            cumulative += histogram[v];
            lut[v] = clampToByte(Math.rint(cumulative * scale));
        }
        byte[] out = new byte[total];
        for (int i = 0; i < total; i++) {
            out[i] = (byte) lut[pixels[i] & 0xFF];
        }
        return new Gray8(width, height, out);
    }

    /**
     * Bilinear resize exactly as OpenCV's INTER_LINEAR_EXACT, which its detectMultiScale uses for every
     * pyramid level: pixel centres map as {@code src = (dst + 0.5) * scale - 0.5}, positions before the first
     * or past the last source pixel take that edge pixel, weights are 8.8 fixed point (w0 = 1 - w1), the
     * horizontal pass keeps 8 fractional bits and the vertical pass rounds the 16 of the product. Matching
     * OpenCV bit for bit keeps the cascade's borderline decisions, and so the detections, the same.
     */
    Gray8 resized(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        int[] xIndex = new int[newWidth];
        int[] xWeight = new int[2 * newWidth];
        coefficients(width, newWidth, xIndex, xWeight);
        int[] yIndex = new int[newHeight];
        int[] yWeight = new int[2 * newHeight];
        coefficients(height, newHeight, yIndex, yWeight);

        byte[] out = new byte[Math.multiplyExact(newWidth, newHeight)];
        int[] upper = new int[newWidth];
        int[] lower = new int[newWidth];
        int upperRow = -1;
        int lowerRow = -1;
        for (int dy = 0; dy < newHeight; dy++) {
            int sy0 = yIndex[dy];
            int sy1 = Math.min(sy0 + 1, height - 1);
            // the two horizontally resampled source rows are cached: consecutive outputs mostly share them
            if (sy0 != upperRow) {
                if (sy0 == lowerRow) {
                    int[] rows = upper;
                    upper = lower;
                    lower = rows;
                    lowerRow = upperRow;
                } else {
                    horizontal(sy0, xIndex, xWeight, upper);
                }
                upperRow = sy0;
            }
            if (sy1 != lowerRow) {
                horizontal(sy1, xIndex, xWeight, lower);
                lowerRow = sy1;
            }
            int wy0 = yWeight[2 * dy];
            int wy1 = yWeight[2 * dy + 1];
            int base = dy * newWidth;
            for (int dx = 0; dx < newWidth; dx++) {
                int v = (upper[dx] * wy0 + lower[dx] * wy1 + HALF_PRODUCT) >> (2 * FRACTION_BITS);
                out[base + dx] = (byte) Math.min(255, v);
            }
        }
        return new Gray8(newWidth, newHeight, out);
    }

    private void horizontal(int row, int[] xIndex, int[] xWeight, int[] out) {
        int base = row * width;
        int last = width - 1;
        for (int dx = 0; dx < out.length; dx++) {
            int sx = xIndex[dx];
            int left = pixels[base + sx] & 0xFF;
            int right = pixels[base + Math.min(sx + 1, last)] & 0xFF;
            out[dx] = left * xWeight[2 * dx] + right * xWeight[2 * dx + 1];
        }
    }

    /** For every output position: the first source index and the 8.8 weights of it and the next one. */
    private static void coefficients(int srcLength, int dstLength, int[] index, int[] weight) {
        // OpenCV derives the step from the inverse scale it is given
        double scale = 1.0 / ((double) dstLength / srcLength);
        for (int d = 0; d < dstLength; d++) {
            double f = scale * (d + 0.5) - 0.5;
            int s = (int) Math.floor(f);
            int w1;
            if (s < 0 || srcLength == 1) {
                s = 0;
                w1 = 0;
            } else if (s >= srcLength - 1) {
                s = srcLength - 1;
                w1 = 0;
            } else {
                w1 = (int) Math.rint((f - s) * ONE);
            }
            index[d] = s;
            weight[2 * d] = ONE - w1;
            weight[2 * d + 1] = w1;
        }
    }

    private static int clampToByte(double v) {
        if (!(v > 0)) {
            return 0;
        }
        return v >= 255 ? 255 : (int) v;
    }
}
