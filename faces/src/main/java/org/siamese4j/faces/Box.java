package org.siamese4j.faces;

/**
 * A detected face: the rectangle [x, x+w) x [y, y+h) in pixels of the image given to the detector.
 *
 * @param x left edge
 * @param y top edge
 * @param w width, positive
 * @param h height, positive
 */
public record Box(int x, int y, int w, int h) {
    public Box {
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("box size must be positive, got " + w + "x" + h);
        }
    }

    /** One past the right edge. */
    public int right() {
        return x + w;
    }

    /** One past the bottom edge. */
    public int bottom() {
        return y + h;
    }

    /** Intersection over union with another box: 1 for identical boxes, 0 for disjoint ones. */
    public double iou(Box other) {
        long ix = Math.max(0, Math.min(right(), other.right()) - Math.max(x, other.x));
        long iy = Math.max(0, Math.min(bottom(), other.bottom()) - Math.max(y, other.y));
        long inter = ix * iy;
        long union = (long) w * h + (long) other.w * other.h - inter;
        return (double) inter / union;
    }
}
