package org.siamese4j.faces;

/**
 * The integral images of an 8-bit image that OpenCV's Haar evaluator reads: plain sums, sums of squares and,
 * when the cascade has 45-degree features, the rotated (tilted) sums. Each array is (width+1) x (height+1),
 * row-major with {@link #stride} = width+1, and entry (X, Y) is:
 * <ul>
 *   <li>{@code sum}: the sum of pixels (x, y) with x &lt; X and y &lt; Y;
 *   <li>{@code squares}: the same over squared pixels;
 *   <li>{@code tilted}: the sum of pixels (x, y) with y &lt; Y and |x - X + 1| &lt;= Y - y - 1, a triangle
 *       with its apex at pixel (X-1, Y-1) opening upwards (OpenCV's definition in cv::integral).
 * </ul>
 *
 * <p>Entries are 32-bit ints that wrap around, as OpenCV's (CV_32S) do, and that is exact, not a loss of
 * precision: integrals are built and read with additions and subtractions only, which int arithmetic does
 * exactly modulo 2^32, so any rectangle sum whose true value is below 2^31 comes out exact even after the
 * running entries have wrapped (past 8.4 million white pixels). Every rectangle the detector reads lies in
 * one window of at most {@link CascadeParser#MAX_WINDOW_SIDE} squared pixels, whose sum of squares stays
 * below 2^31. Ints rather than longs halve the memory traffic of the detector's inner loop, which made it
 * 1.6 times faster; a float integral would lose whole gray levels past 2^24 and is not used.
 */
final class IntegralImage {
    final int width;
    final int height;
    final int stride;
    /** Entries per integral image: (width+1) * (height+1). */
    final int size;
    /**
     * The plain integral in {@code [0, size)} followed, when requested, by the tilted one in
     * {@code [size, 2 size)}: one array lets a feature read either through its offsets alone, with no branch
     * (OpenCV packs its buffers the same way).
     */
    final int[] sums;
    final int[] squares;
    final boolean hasTilted;

    private IntegralImage(int width, int height, int[] sums, int[] squares, boolean hasTilted) {
        this.width = width;
        this.height = height;
        this.stride = width + 1;
        this.size = stride * (height + 1);
        this.sums = sums;
        this.squares = squares;
        this.hasTilted = hasTilted;
    }

    static IntegralImage of(Gray8 image, boolean withTilted) {
        int w = image.width;
        int h = image.height;
        int stride = w + 1;
        int size = Math.multiplyExact(stride, h + 1);
        int[] sum = new int[withTilted ? Math.multiplyExact(size, 2) : size];
        int[] squares = new int[size];
        byte[] px = image.pixels;
        for (int y = 0; y < h; y++) {
            int rowSum = 0;
            int rowSquares = 0;
            int above = y * stride + 1;
            int here = above + stride;
            int src = y * w;
            for (int x = 0; x < w; x++) {
                int v = px[src + x] & 0xFF;
                rowSum += v;
                rowSquares += v * v;
                sum[here + x] = sum[above + x] + rowSum;
                squares[here + x] = squares[above + x] + rowSquares;
            }
        }
        if (withTilted) {
            tilted(image, sum, size);
        }
        return new IntegralImage(w, h, sum, squares, withTilted);
    }

    /**
     * The rotated integral, from two diagonal running sums of row prefixes P(y, k) (the first k pixels of
     * row y, k clamped to [0, w]): the triangle of (X, Y) is A(X, Y) - B(X, Y) with
     * A(X, Y) = sum over y &lt; Y of P(y, X+Y-y-1), which obeys A(X, Y) = A(X+1, Y-1) + P(Y-1, X) and equals the
     * plain integral S(w, Y) once X &gt;= w, and B(X, Y) = sum over y &lt; Y of P(y, X-Y+y), which obeys
     * B(X, Y) = B(X-1, Y-1) + P(Y-1, X-1) and is 0 at X = 0. One pass, two rolling rows.
     */
    private static void tilted(Gray8 image, int[] sums, int tiltedStart) {
        int w = image.width;
        int h = image.height;
        int stride = w + 1;
        int[] prefix = new int[w + 1];
        int[] aPrev = new int[w + 1];
        int[] bPrev = new int[w + 1];
        int[] aCur = new int[w + 1];
        int[] bCur = new int[w + 1];
        byte[] px = image.pixels;
        for (int y = 1; y <= h; y++) {
            int src = (y - 1) * w;
            for (int x = 0; x < w; x++) {
                prefix[x + 1] = prefix[x] + (px[src + x] & 0xFF);
            }
            int aBeyond = sums[(y - 1) * stride + w];
            int row = tiltedStart + y * stride;
            for (int x = 0; x <= w; x++) {
                int a = (x < w ? aPrev[x + 1] : aBeyond) + prefix[x];
                int b = x > 0 ? bPrev[x - 1] + prefix[x - 1] : 0;
                aCur[x] = a;
                bCur[x] = b;
                sums[row + x] = a - b;
            }
            int[] t = aPrev;
            aPrev = aCur;
            aCur = t;
            t = bPrev;
            bPrev = bCur;
            bCur = t;
        }
    }

    /** Entry (x, y) of the plain integral. */
    int sum(int x, int y) {
        return sums[y * stride + x];
    }

    /** Entry (x, y) of the tilted integral. */
    int tilted(int x, int y) {
        if (!hasTilted) {
            throw new IllegalStateException("tilted integral not computed");
        }
        return sums[size + y * stride + x];
    }

    /** Sum of the upright rectangle [x, x+w) x [y, y+h). */
    int rectSum(int x, int y, int w, int h) {
        return sum(x, y) - sum(x + w, y) - sum(x, y + h) + sum(x + w, y + h);
    }

    /** Sum of OpenCV's tilted rectangle (x, y, w, h): its corners are the four points read below. */
    int tiltedRectSum(int x, int y, int w, int h) {
        return tilted(x, y) - tilted(x - h, y + h) - tilted(x + w, y + w) + tilted(x + w - h, y + w + h);
    }
}
