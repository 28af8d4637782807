package org.siamese4j.engine;

/**
 * The shape of a 2-D convolution over a batch: NCHW input, square stride and zero padding.
 * Construction validates every size, so kernels never index out of bounds on a bad shape.
 */
public record ConvGeometry(int batch, int inChannels, int inHeight, int inWidth,
                           int outChannels, int kernelHeight, int kernelWidth, int stride, int padding) {

    public ConvGeometry {
        if (batch < 1 || inChannels < 1 || inHeight < 1 || inWidth < 1 || outChannels < 1
                || kernelHeight < 1 || kernelWidth < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("invalid convolution " + describe(batch, inChannels, inHeight, inWidth,
                    outChannels, kernelHeight, kernelWidth, stride, padding) + ": sizes must be positive, padding >= 0");
        }
        if (kernelHeight > inHeight + 2 * padding || kernelWidth > inWidth + 2 * padding) {
            throw new IllegalArgumentException("kernel " + kernelHeight + "x" + kernelWidth + " is larger than its padded input "
                    + (inHeight + 2 * padding) + "x" + (inWidth + 2 * padding) + " in " + describe(batch, inChannels,
                    inHeight, inWidth, outChannels, kernelHeight, kernelWidth, stride, padding));
        }
        long in = (long) batch * inChannels * inHeight * inWidth;
        long w = (long) outChannels * inChannels * kernelHeight * kernelWidth;
        long out = (long) batch * outChannels * ((inHeight + 2L * padding - kernelHeight) / stride + 1)
                * ((inWidth + 2L * padding - kernelWidth) / stride + 1);
        if (in > Integer.MAX_VALUE || w > Integer.MAX_VALUE || out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("convolution " + describe(batch, inChannels, inHeight, inWidth,
                    outChannels, kernelHeight, kernelWidth, stride, padding) + " is too large for one tensor");
        }
    }

    public int outHeight() {
        return (inHeight + 2 * padding - kernelHeight) / stride + 1;
    }

    public int outWidth() {
        return (inWidth + 2 * padding - kernelWidth) / stride + 1;
    }

    /** Input elements per image. */
    public int inSize() {
        return inChannels * inHeight * inWidth;
    }

    /** Output elements per image. */
    public int outSize() {
        return outChannels * outHeight() * outWidth();
    }

    /** Output pixels per channel. */
    public int outPixels() {
        return outHeight() * outWidth();
    }

    /** Rows of the im2col matrix: inChannels * kernelHeight * kernelWidth. */
    public int patchSize() {
        return inChannels * kernelHeight * kernelWidth;
    }

    public int weightSize() {
        return outChannels * patchSize();
    }

    /** Multiply-adds of the forward pass over the whole batch. */
    public long forwardMacs() {
        return (long) batch * outChannels * outPixels() * patchSize();
    }

    /**
     * One input channel, a 3x3 kernel at stride 1: a first layer that {@link VectorOps#conv3x3OneChannel} can take
     * (its input, zero-padded, is then two rows and two columns larger than its output), and that can start a
     * fused first block.
     */
    public boolean oneChannel3x3() {
        return inChannels == 1 && kernelHeight == 3 && kernelWidth == 3 && stride == 1;
    }

    public ConvGeometry withBatch(int newBatch) {
        return new ConvGeometry(newBatch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth, stride, padding);
    }

    @Override
    public String toString() {
        return describe(batch, inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth, stride, padding);
    }

    private static String describe(int n, int c, int h, int w, int oc, int kh, int kw, int s, int p) {
        return "conv[input " + n + "x" + c + "x" + h + "x" + w + ", " + oc + " filters " + kh + "x" + kw
                + ", stride " + s + ", padding " + p + "]";
    }
}
