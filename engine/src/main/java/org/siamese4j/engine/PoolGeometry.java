package org.siamese4j.engine;

/** The shape of a max-pool over a batch: NCHW input, square window and stride, floor rounding. */
public record PoolGeometry(int batch, int channels, int inHeight, int inWidth, int window, int stride) {

    public PoolGeometry {
        if (batch < 1 || channels < 1 || inHeight < 1 || inWidth < 1 || window < 1 || stride < 1) {
            throw new IllegalArgumentException("invalid max-pool " + describe(batch, channels, inHeight, inWidth, window, stride)
                    + ": sizes must be positive");
        }
        if (window > inHeight || window > inWidth) {
            throw new IllegalArgumentException("pool window " + window + " is larger than its input in "
                    + describe(batch, channels, inHeight, inWidth, window, stride));
        }
        if ((long) batch * channels * inHeight * inWidth > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("max-pool " + describe(batch, channels, inHeight, inWidth, window, stride)
                    + " is too large for one tensor");
        }
    }

    public int outHeight() {
        return (inHeight - window) / stride + 1;
    }

    public int outWidth() {
        return (inWidth - window) / stride + 1;
    }

    public int inSize() {
        return channels * inHeight * inWidth;
    }

    public int outSize() {
        return channels * outHeight() * outWidth();
    }

    public PoolGeometry withBatch(int newBatch) {
        return new PoolGeometry(newBatch, channels, inHeight, inWidth, window, stride);
    }

    @Override
    public String toString() {
        return describe(batch, channels, inHeight, inWidth, window, stride);
    }

    private static String describe(int n, int c, int h, int w, int k, int s) {
        return "maxpool[input " + n + "x" + c + "x" + h + "x" + w + ", window " + k + ", stride " + s + "]";
    }
}
