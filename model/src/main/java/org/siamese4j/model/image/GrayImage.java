package org.siamese4j.model.image;

import java.util.Arrays;

/**
 * A grayscale image: row-major pixels as floats, 0 = black, 255 = white; for 8-bit gray sources they are
 * exactly the file's byte values. Treat it as immutable: operations return new images.
 */
public final class GrayImage {
    private final int width;
    private final int height;
    private final float[] pixels;

    public GrayImage(int width, int height, float[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != (long) width * height) {
            throw new IllegalArgumentException(
                    "pixel array of length " + pixels.length + " does not fit " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    public static GrayImage filled(int width, int height, float value) {
        float[] p = new float[Math.multiplyExact(width, height)];
        Arrays.fill(p, value);
        return new GrayImage(width, height, p);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing array (row-major, length width*height). Do not modify an image you did not create. */
    public float[] pixels() {
        return pixels;
    }

    public float get(int x, int y) {
        return pixels[y * width + x];
    }

    @Override
    public String toString() {
        return "GrayImage[" + width + "x" + height + "]";
    }
}
