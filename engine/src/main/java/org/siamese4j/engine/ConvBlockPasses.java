package org.siamese4j.engine;

import java.util.Arrays;

/**
 * A network's first block in cache-sized pieces: a 3x3 convolution (stride 1, no bias) of one-channel images,
 * batch normalisation, ReLU and a max-pool. The convolution has a single input channel, so recomputing one of
 * its output planes costs 9 multiply-adds a pixel, less than reading the plane back from memory; its output,
 * the largest tensor of the network, is therefore never stored. Each pass computes a plane at a time (two
 * channels of one image, from the image zero-padded into a per-thread buffer) into a per-thread buffer that
 * stays in the first-level cache: the forward pass once to normalise and pool, the backward pass once to form
 * the plane's gradient and take the weight gradient from it. The batch statistics need no convolution: they
 * follow from the moments of the input's 3x3 patches ({@link #statistics}).
 *
 * <p>Channels are independent, so threads take whole pairs of them and each channel is computed the same way
 * whatever the thread count (the patch moments: an image per thread, summed in image order). The convolution
 * and its weight gradient are the backend's direct kernels ({@link VectorOps#conv3x3OneChannel}), or plain loops
 * where it has none; the batch-norm and pooling steps are {@link BatchNormPasses}'s, plane by plane.
 */
final class ConvBlockPasses {
    private final Parallel parallel;
    private final VectorOps ops;

    ConvBlockPasses(Parallel parallel, VectorOps ops) {
        this.parallel = parallel;
        this.ops = ops;
    }

    /** Checks that the convolution and pool fit together and the first block's conditions hold. */
    static void checkGeometry(ConvGeometry conv, PoolGeometry pool) {
        if (!conv.oneChannel3x3()) {
            throw new IllegalArgumentException("a fused first block needs a 3x3 convolution at stride 1 of one channel, not " + conv);
        }
        if (pool.batch() != conv.batch() || pool.channels() != conv.outChannels() || pool.inHeight() != conv.outHeight()
                || pool.inWidth() != conv.outWidth()) {
            throw new IllegalArgumentException("pool " + pool + " does not take the output of " + conv);
        }
    }

    /** See {@link Kernels#convBatchNormPoolForward}. */
    void forward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w, int wOff, float[] scale,
                 int scaleOff, float[] shift, int shiftOff, boolean batchStatistics, double[] mean, double[] var,
                 float[] invStd, double eps, boolean relu, float[] y, int yOff, int[] argmax, float[] xAtMax) {
        checkGeometry(conv, pool);
        long out = (long) pool.batch() * pool.outSize();
        Checks.range("first block input", x, xOff, (long) conv.batch() * conv.inSize(), conv);
        Checks.range("first block weights", w, wOff, conv.weightSize(), conv);
        Checks.range("first block output", y, yOff, out, pool);
        Checks.range("first block output at the maxima", xAtMax, 0, out, pool);
        MaxPooling.checkArgmax(pool, argmax);
        if (batchStatistics) {
            statistics(conv, x, xOff, w, wOff, mean, var);
        }
        forEachChannelRange(conv.outChannels(), (from, to) -> {
            for (int c = from; c < to; c++) {
                invStd[c] = (float) (1.0 / Math.sqrt(var[c] + eps));
            }
            normaliseAndPool(conv, pool, from, to, x, xOff, w, wOff, scale, scaleOff, shift, shiftOff, mean, invStd,
                    relu, y, yOff, argmax, xAtMax);
        });
    }

    /**
     * Every channel's batch mean and biased variance from the moments of the input's 3x3 patches (9 sums and 45
     * products, {@link VectorOps#patchMoments3x3}): the convolution is linear, so a channel's sum over the batch is
     * w . s and its sum of squares w^T M w, in double. One pass over the input instead of a second convolution of
     * every channel. Each image's moments by one thread, summed in image order: the same figures on any thread
     * count.
     */
    private void statistics(ConvGeometry conv, float[] x, int xOff, float[] w, int wOff, double[] mean, double[] var) {
        int batch = conv.batch();
        int pw = conv.inWidth() + 2 * conv.padding();
        int oh = conv.outHeight();
        int ow = conv.outWidth();
        Buffers caller = buffers(conv);
        if (caller.imageMoments.length < VectorOps.PATCH_MOMENTS * batch) {
            caller.imageMoments = new double[VectorOps.PATCH_MOMENTS * batch];
        }
        double[] perImage = caller.imageMoments;
        parallel.run((part, parts) -> {
            Buffers b = buffers(conv);
            if (b.scratch.length < VectorOps.PATCH_MOMENTS * ops.vectorLength()) {
                b.scratch = new float[VectorOps.PATCH_MOMENTS * ops.vectorLength()];
            }
            int i1 = Parallel.rangeStart(batch, part + 1, parts);
            for (int i = Parallel.rangeStart(batch, part, parts); i < i1; i++) {
                Arrays.fill(perImage, VectorOps.PATCH_MOMENTS * i, VectorOps.PATCH_MOMENTS * (i + 1), 0);
                pad(conv, i, x, xOff, b.padded);
                ops.patchMoments3x3(b.padded, 0, pw, oh, ow, b.scratch, perImage, VectorOps.PATCH_MOMENTS * i);
            }
        });
        double[] total = caller.total;
        Arrays.fill(total, 0);
        for (int i = 0; i < batch; i++) {
            for (int m = 0; m < VectorOps.PATCH_MOMENTS; m++) {
                total[m] += perImage[VectorOps.PATCH_MOMENTS * i + m];
            }
        }
        double count = (double) batch * oh * ow;
        for (int c = 0; c < conv.outChannels(); c++) {
            int tap = wOff + 9 * c;
            double sum = 0;
            double squares = 0;
            int pair = 9;
            for (int a = 0; a < 9; a++) {
                sum += w[tap + a] * total[a];
                for (int b = a; b < 9; b++) {
                    squares += (a == b ? 1.0 : 2.0) * w[tap + a] * w[tap + b] * total[pair++];
                }
            }
            double m = sum / count;
            mean[c] = m;
            var[c] = Math.max(0, squares / count - m * m);
        }
    }

    /** Normalises each plane of channels [from, to) as batch norm does, pools it, and keeps its values at the maxima. */
    private void normaliseAndPool(ConvGeometry conv, PoolGeometry pool, int from, int to, float[] x, int xOff,
                                  float[] w, int wOff, float[] scale, int scaleOff, float[] shift, int shiftOff,
                                  double[] mean, float[] invStd, boolean relu, float[] y, int yOff, int[] argmax,
                                  float[] xAtMax) {
        int plane = conv.outPixels();
        int outPlane = pool.outHeight() * pool.outWidth();
        int channels = conv.outChannels();
        Buffers b = buffers(conv);
        for (int i = 0; i < conv.batch(); i++) {
            pad(conv, i, x, xOff, b.padded);
            for (int c0 = from; c0 < to; c0 += 2) {
                int c1 = Math.min(to, c0 + 2);
                convolve(conv, c0, c1, w, wOff, b.padded, b.planes);
                for (int c = c0; c < c1; c++) {
                    int k = c - c0;
                    // y = a x + b with a = gamma / std, b = beta - a mean, as batch norm computes it
                    float a = scale[scaleOff + c] * invStd[c];
                    float shiftBy = shift[shiftOff + c] - a * (float) mean[c];
                    ops.scaleShift(b.planes, k * plane, b.normalised, 0, plane, a, shiftBy, relu);
                    int at = (i * channels + c) * outPlane;
                    MaxPooling.poolPlane(ops, pool, b.normalised, 0, c * plane, y, yOff + at, argmax, at);
                    int planeStart = k * plane - c * plane;
                    for (int j = 0; j < outPlane; j++) {
                        xAtMax[at + j] = b.planes[planeStart + argmax[at + j]];
                    }
                }
            }
        }
    }

    /** See {@link Kernels#convBatchNormPoolBackward}. */
    void backward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff,
                  int[] argmax, float[] xAtMax, float[] dy, int dyOff, float[] scale, int scaleOff, double[] mean,
                  float[] invStd, boolean relu, float[] dScale, int dScaleOff, float[] dShift, int dShiftOff,
                  float[] dw, int dwOff) {
        checkGeometry(conv, pool);
        long out = (long) pool.batch() * pool.outSize();
        Checks.range("first block input", x, xOff, (long) conv.batch() * conv.inSize(), conv);
        Checks.range("first block weights", w, wOff, conv.weightSize(), conv);
        Checks.range("first block weight gradient", dw, dwOff, conv.weightSize(), conv);
        Checks.range("first block output", y, yOff, out, pool);
        Checks.range("first block output gradient", dy, dyOff, out, pool);
        Checks.range("first block output at the maxima", xAtMax, 0, out, pool);
        MaxPooling.checkArgmax(pool, argmax);
        forEachChannelRange(conv.outChannels(), (from, to) -> backwardRange(conv, pool, from, to, x, xOff, w, wOff, y,
                yOff, argmax, xAtMax, dy, dyOff, scale, scaleOff, mean, invStd, relu, dScale, dScaleOff, dShift,
                dShiftOff, dw, dwOff));
    }

    private void backwardRange(ConvGeometry conv, PoolGeometry pool, int from, int to, float[] x, int xOff, float[] w,
                               int wOff, float[] y, int yOff, int[] argmax, float[] xAtMax, float[] dy, int dyOff,
                               float[] scale, int scaleOff, double[] mean, float[] invStd, boolean relu, float[] dScale,
                               int dScaleOff, float[] dShift, int dShiftOff, float[] dw, int dwOff) {
        int plane = conv.outPixels();
        int outPlane = pool.outHeight() * pool.outWidth();
        int channels = conv.outChannels();
        Buffers b = buffers(conv);
        // batch norm's sums run over the maxima only, where the normalised plane's gradient can be nonzero
        float[] p = b.p;
        float[] q = b.q;
        float[] r = b.r;
        for (int c = from; c < to; c++) {
            double sumDy = 0;
            double sumDyX = 0;
            for (int i = 0; i < conv.batch(); i++) {
                int at = (i * channels + c) * outPlane;
                ops.gradientMoments(dy, dyOff + at, xAtMax, at, y, yOff + at, outPlane, (float) mean[c], relu, b.moments);
                sumDy += b.moments[0];
                sumDyX += b.moments[1];
            }
            float inv = invStd[c];
            double sumDyH = sumDyX * inv;
            dScale[dScaleOff + c] += (float) sumDyH;
            dShift[dShiftOff + c] += (float) sumDy;
            // the convolution's output gradient = p g + q (x - mean) + r, as in BatchNormPasses
            int count = conv.batch() * plane;
            double scaled = scale[scaleOff + c] * inv / (double) count;
            p[c] = (float) (scaled * count);
            q[c] = (float) (-scaled * sumDyH * inv);
            r[c] = (float) (-scaled * sumDy);
        }
        for (int i = 0; i < conv.batch(); i++) {
            pad(conv, i, x, xOff, b.padded);
            for (int c0 = from; c0 < to; c0 += 2) {
                int c1 = Math.min(to, c0 + 2);
                convolve(conv, c0, c1, w, wOff, b.padded, b.planes);
                for (int c = c0; c < c1; c++) {
                    int k = c - c0;
                    int at = (i * channels + c) * outPlane;
                    ops.centredAffine(b.planes, k * plane, b.planes, k * plane, plane, q[c], (float) mean[c], r[c]);
                    BatchNormPasses.addAtMaxima(ops, dy, dyOff + at, y, yOff + at, argmax, at, outPlane, relu, p[c],
                            b.normalised, b.planes, k * plane - c * plane);
                }
                addWeightGradient(conv, b.padded, b.planes, c1 - c0, dw, dwOff + 9 * c0);
            }
        }
    }

    /** Image i, zero-padded as the convolution pads, into padded. */
    private static void pad(ConvGeometry conv, int i, float[] x, int xOff, float[] padded) {
        int pad = conv.padding();
        ConvImages.padImages(x, xOff + i * conv.inSize(), 1, 1, conv.inHeight(), conv.inWidth(), pad, pad, padded);
    }

    /** The output planes of channels [c0, c1) (one or two) of the padded image, one after the other, into planes. */
    private void convolve(ConvGeometry conv, int c0, int c1, float[] w, int wOff, float[] padded, float[] planes) {
        int pw = conv.inWidth() + 2 * conv.padding();
        int oh = conv.outHeight();
        int ow = conv.outWidth();
        if (ops.conv3x3OneChannel(padded, 0, pw, oh, ow, w, wOff + 9 * c0, c1 - c0, null, 0, false, planes, 0)) {
            return;
        }
        for (int k = 0; k < c1 - c0; k++) {
            int tap = wOff + 9 * (c0 + k);
            int o = k * oh * ow;
            for (int row = 0; row < oh; row++) {
                for (int col = 0; col < ow; col++) {
                    int at = row * pw + col;
                    float s = 0f;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            s += w[tap + 3 * ky + kx] * padded[at + ky * pw + kx];
                        }
                    }
                    planes[o++] = s;
                }
            }
        }
    }

    /** dw[9 k + t] += the weight gradient of output planes k < count (their gradients in planes) over one padded image. */
    private void addWeightGradient(ConvGeometry conv, float[] padded, float[] planes, int count, float[] dw, int dwOff) {
        int pw = conv.inWidth() + 2 * conv.padding();
        int oh = conv.outHeight();
        int ow = conv.outWidth();
        if (ops.conv3x3OneChannelWeightGradient(padded, 0, 1, pw, oh, ow, planes, 0, count * oh * ow, count, dw, dwOff)) {
            return;
        }
        for (int k = 0; k < count; k++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    float s = 0f;
                    int g = k * oh * ow;
                    for (int row = 0; row < oh; row++) {
                        int at = (row + ky) * pw + kx;
                        for (int col = 0; col < ow; col++) {
                            s += planes[g++] * padded[at + col];
                        }
                    }
                    dw[dwOff + 9 * k + 3 * ky + kx] += s;
                }
            }
        }
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(int from, int to);
    }

    /** body(from, to) over the threads' ranges of channels, each a whole number of pairs (the last may be odd). */
    private void forEachChannelRange(int channels, RangeBody body) {
        int pairs = (channels + 1) / 2;
        parallel.run((part, parts) -> {
            int from = 2 * Parallel.rangeStart(pairs, part, parts);
            int to = Math.min(channels, 2 * Parallel.rangeStart(pairs, part + 1, parts));
            if (from < to) {
                body.run(from, to);
            }
        });
    }

    /**
     * A thread's buffers: one padded image, two planes, a normalised plane, per-channel coefficients, and the
     * patch moments (scratch vectors, per image and in total).
     */
    private static final class Buffers {
        float[] padded = new float[0];
        float[] planes = new float[0];
        float[] normalised = new float[0];
        final double[] moments = new double[2];
        float[] scratch = new float[0];
        double[] imageMoments = new double[0];
        final double[] total = new double[VectorOps.PATCH_MOMENTS];
        float[] p = new float[0];
        float[] q = new float[0];
        float[] r = new float[0];
    }

    /** The calling thread's buffers, large enough for the convolution's images and planes (grown, never shrunk). */
    private static Buffers buffers(ConvGeometry conv) {
        Buffers b = BUFFERS.get();
        int plane = conv.outPixels();
        int padded = (conv.inHeight() + 2 * conv.padding()) * (conv.inWidth() + 2 * conv.padding());
        if (b.planes.length < 2 * plane) {
            b.planes = new float[2 * plane];
            b.normalised = new float[plane];
        }
        if (b.padded.length < padded) {
            b.padded = new float[padded];
        }
        int channels = conv.outChannels();
        if (b.p.length < channels) {
            b.p = new float[channels];
            b.q = new float[channels];
            b.r = new float[channels];
        }
        return b;
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);
}
