package org.siamese4j.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.model.image.ImageOps;

/**
 * What a model expects of an image, stored in its file and applied identically at training and
 * inference: a crop (fractions of the source image), a resize to the input size (area averaging when
 * shrinking), optional inversion (dark strokes become high values), and normalisation
 * x = (v / 255 - mean) / std.
 */
public record Preprocessing(int width, int height, double cropLeft, double cropTop, double cropWidth, double cropHeight,
                            boolean invert, double mean, double std) {

    public Preprocessing {
        if (width < 1 || height < 1 || width > Architecture.MAX_INPUT || height > Architecture.MAX_INPUT) {
            throw new IllegalArgumentException("preprocessing size must be 1.." + Architecture.MAX_INPUT);
        }
        if (!(cropLeft >= 0 && cropTop >= 0 && cropWidth > 0 && cropHeight > 0
                && cropLeft + cropWidth <= 1 + 1e-9 && cropTop + cropHeight <= 1 + 1e-9)) {
            throw new IllegalArgumentException("crop must lie inside the image (fractions), got " + cropLeft + ","
                    + cropTop + " " + cropWidth + "x" + cropHeight);
        }
        if (!(std > 0) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("normalisation needs a finite mean and std > 0");
        }
    }

    /** The whole image, resized, scaled to [0, 1]. */
    public static Preprocessing plain(int width, int height) {
        return new Preprocessing(width, height, 0, 0, 1, 1, false, 0, 1);
    }

    public Preprocessing withCrop(double left, double top, double w, double h) {
        return new Preprocessing(width, height, left, top, w, h, invert, mean, std);
    }

    public Preprocessing withNormalization(boolean inv, double m, double s) {
        return new Preprocessing(width, height, cropLeft, cropTop, cropWidth, cropHeight, inv, m, s);
    }

    public boolean crops() {
        return cropLeft != 0 || cropTop != 0 || cropWidth != 1 || cropHeight != 1;
    }

    /** Crop and resize, without normalisation (for augmentation, which works on pixel values). */
    public GrayImage geometry(GrayImage src) {
        GrayImage img = src;
        if (crops()) {
            int x = (int) Math.round(cropLeft * src.width());
            int y = (int) Math.round(cropTop * src.height());
            int w = Math.max(1, (int) Math.round(cropWidth * src.width()));
            int h = Math.max(1, (int) Math.round(cropHeight * src.height()));
            img = ImageOps.crop(src, x, y, w, h);
        }
        return ImageOps.resize(img, width, height);
    }

    /** Normalises pixel values (0..255) in place. */
    public void normalize(float[] pixels, int off, int n) {
        float scale = (float) (1.0 / (255.0 * std));
        float shift = (float) (mean / std);
        for (int i = off; i < off + n; i++) {
            float v = invert ? 255f - pixels[i] : pixels[i];
            pixels[i] = v * scale - shift;
        }
    }

    /** The network input for an image: geometry, then normalisation. */
    public float[] apply(GrayImage src) {
        float[] p = geometry(src).pixels().clone();
        normalize(p, 0, p.length);
        return p;
    }

    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("width", Integer.toString(width));
        m.put("height", Integer.toString(height));
        m.put("crop", cropLeft + "," + cropTop + "," + cropWidth + "," + cropHeight);
        m.put("invert", Boolean.toString(invert));
        m.put("mean", Double.toString(mean));
        m.put("std", Double.toString(std));
        return m;
    }

    public static Preprocessing fromMap(Map<String, String> m) {
        String[] crop = KeyValues.require(m, "crop").split(",");
        if (crop.length != 4) {
            throw new IllegalArgumentException("crop needs 4 numbers");
        }
        return new Preprocessing(KeyValues.integer(m, "width"), KeyValues.integer(m, "height"),
                Double.parseDouble(crop[0]), Double.parseDouble(crop[1]), Double.parseDouble(crop[2]), Double.parseDouble(crop[3]),
                Boolean.parseBoolean(KeyValues.require(m, "invert")), KeyValues.number(m, "mean"), KeyValues.number(m, "std"));
    }
}
