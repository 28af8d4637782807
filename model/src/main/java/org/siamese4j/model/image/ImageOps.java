package org.siamese4j.model.image;

/** Geometric operations on gray images: crop and resize (area averaging when shrinking). */
public final class ImageOps {
    private ImageOps() {
    }

    /** The sub-image [x, x+w) x [y, y+h); parts outside the image read as the nearest edge pixel. */
    public static GrayImage crop(GrayImage src, int x, int y, int w, int h) {
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + w + "x" + h);
        }
        float[] out = new float[Math.multiplyExact(w, h)];
        float[] p = src.pixels();
        int sw = src.width();
        int sh = src.height();
        for (int j = 0; j < h; j++) {
            int sy = Math.min(sh - 1, Math.max(0, y + j));
            for (int i = 0; i < w; i++) {
                int sx = Math.min(sw - 1, Math.max(0, x + i));
                out[j * w + i] = p[sy * sw + sx];
            }
        }
        return new GrayImage(w, h, out);
    }

    /**
     * Resizes to w x h. Each axis that shrinks uses area averaging (every source pixel contributes by the
     * fraction of it that an output pixel covers); an axis that grows uses linear interpolation.
     */
    public static GrayImage resize(GrayImage src, int w, int h) {
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + w + "x" + h);
        }
        if (w == src.width() && h == src.height()) {
            return src;
        }
        // separable: rows first, then columns
        float[] horizontal = resample(src.pixels(), src.width(), src.height(), w, true);
        float[] both = resample(horizontal, w, src.height(), h, false);
        return new GrayImage(w, h, both);
    }

    /** Resamples along x (alongX) or y, from a width x height image to `target` samples on that axis. */
    private static float[] resample(float[] in, int width, int height, int target, boolean alongX) {
        int srcLen = alongX ? width : height;
        int lines = alongX ? height : width;
        int outW = alongX ? target : width;
        int outH = alongX ? height : target;
        float[] out = new float[outW * outH];
        if (target == srcLen) {
            System.arraycopy(in, 0, out, 0, in.length);
            return out;
        }
        int strideIn = alongX ? 1 : width;
        int strideOut = alongX ? 1 : outW;
        double ratio = (double) srcLen / target;
        for (int line = 0; line < lines; line++) {
            int baseIn = alongX ? line * width : line;
            int baseOut = alongX ? line * outW : line;
            for (int t = 0; t < target; t++) {
                double value;
                if (ratio > 1.0) {
                    double from = t * ratio;
                    double to = from + ratio;
                    int first = (int) Math.floor(from);
                    int last = Math.min(srcLen - 1, (int) Math.ceil(to) - 1);
                    double sum = 0;
                    for (int s = first; s <= last; s++) {
                        double cover = Math.min(to, s + 1) - Math.max(from, s);
                        if (cover > 0) {
                            sum += cover * in[baseIn + s * strideIn];
                        }
                    }
                    value = sum / ratio;
                } else {
                    double centre = (t + 0.5) * ratio - 0.5;
                    int s0 = (int) Math.floor(centre);
                    double frac = centre - s0;
                    int a = Math.min(srcLen - 1, Math.max(0, s0));
                    int b = Math.min(srcLen - 1, Math.max(0, s0 + 1));
                    value = (1 - frac) * in[baseIn + a * strideIn] + frac * in[baseIn + b * strideIn];
                }
                out[baseOut + t * strideOut] = (float) value;
            }
        }
        return out;
    }
}
