package org.siamese4j.engine;

import java.util.function.IntConsumer;

/**
 * Batch normalisation's forward and backward passes over x = [batch][channels][plane], one channel at a time
 * (channels are independent, so they are spread over the threads and each is computed the same way whatever
 * the thread count). Sums run in float (the backend's vector lanes or pairs) within an image's plane and in
 * double across images; the loops over a plane are the backend's ({@link VectorOps#shiftedMoments} and the
 * three after it).
 *
 * <p>With a max-pool after it (the fused passes), each normalised plane goes through a per-thread buffer of one
 * plane, which stays in the first-level cache, straight into {@link MaxPooling#poolPlane}. Backward uses that the
 * normalised tensor's gradient is nonzero only at the windows' maxima: its sums run over the pooled gradient and
 * the input at argmax, and the input gradient is q (x - mean) + r everywhere plus p g at the maxima. The
 * full-size normalised tensor and its gradient, which separate layers write and read back, are never stored:
 * of the twelve passes over full-size tensors that separate batch norm, ReLU and pool layers make, five remain.
 */
final class BatchNormPasses {
    private final Parallel parallel;
    private final VectorOps ops;

    BatchNormPasses(Parallel parallel, VectorOps ops) {
        this.parallel = parallel;
        this.ops = ops;
    }

    /** See {@link Kernels#batchNormForward}. */
    void forward(int batch, int channels, int plane, float[] x, int xOff, float[] scale, int scaleOff,
                 float[] shift, int shiftOff, boolean batchStatistics, double[] mean, double[] var, float[] invStd,
                 double eps, float[] y, int yOff, boolean relu) {
        forEachChannel(channels, c -> forwardChannel(c, batch, channels, plane, x, xOff, scale[scaleOff + c],
                shift[shiftOff + c], batchStatistics, mean, var, invStd, eps, y, yOff, relu, null, null));
    }

    /** See {@link Kernels#batchNormPoolForward}. */
    void poolForward(PoolGeometry g, float[] x, int xOff, float[] scale, int scaleOff, float[] shift, int shiftOff,
                     boolean batchStatistics, double[] mean, double[] var, float[] invStd, double eps, boolean relu,
                     float[] y, int yOff, int[] argmax) {
        Checks.range("batch norm + pool input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("batch norm + pool output", y, yOff, (long) g.batch() * g.outSize(), g);
        MaxPooling.checkArgmax(g, argmax);
        int channels = g.channels();
        int plane = g.inHeight() * g.inWidth();
        forEachChannel(channels, c -> forwardChannel(c, g.batch(), channels, plane, x, xOff, scale[scaleOff + c],
                shift[shiftOff + c], batchStatistics, mean, var, invStd, eps, y, yOff, relu, g, argmax));
    }

    /** One channel; with a pool g, each plane is normalised into the thread's buffer and pooled from there. */
    private void forwardChannel(int c, int batch, int channels, int plane, float[] x, int xOff, float gamma,
                                float beta, boolean batchStatistics, double[] mean, double[] var,
                                float[] invStd, double eps, float[] y, int yOff, boolean relu,
                                PoolGeometry pool, int[] argmax) {
        if (batchStatistics) {
            // one pass for both moments, shifted by the channel's first value so the variance stays accurate
            float shiftBy = x[xOff + c * plane];
            double s = 0;
            double sq = 0;
            double[] moments = MOMENTS.get();
            for (int i = 0; i < batch; i++) {
                ops.shiftedMoments(x, xOff + (i * channels + c) * plane, plane, shiftBy, moments);
                s += moments[0];
                sq += moments[1];
            }
            int count = batch * plane;
            double shiftedMean = s / count;
            mean[c] = shiftBy + shiftedMean;
            var[c] = Math.max(0, sq / count - shiftedMean * shiftedMean);
        }
        float inv = (float) (1.0 / Math.sqrt(var[c] + eps));
        invStd[c] = inv;
        // y = a x + b with a = gamma / std, b = beta - a mean
        float a = gamma * inv;
        float b = beta - a * (float) mean[c];
        if (pool == null) {
            for (int i = 0; i < batch; i++) {
                int base = (i * channels + c) * plane;
                ops.scaleShift(x, xOff + base, y, yOff + base, plane, a, b, relu);
            }
            return;
        }
        float[] normalised = planeBuffer(plane);
        int outPlane = pool.outHeight() * pool.outWidth();
        for (int i = 0; i < batch; i++) {
            int img = i * channels + c;
            ops.scaleShift(x, xOff + img * plane, normalised, 0, plane, a, b, relu);
            MaxPooling.poolPlane(ops, pool, normalised, 0, c * plane, y, yOff + img * outPlane, argmax, img * outPlane);
        }
    }

    /** See {@link Kernels#batchNormBackward}. */
    void backward(int batch, int channels, int plane, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
                  float[] scale, int scaleOff, double[] mean, float[] invStd, boolean relu,
                  float[] dScale, int dScaleOff, float[] dShift, int dShiftOff, float[] dx, int dxOff) {
        forEachChannel(channels, c -> backwardChannel(c, batch, channels, plane, x, xOff, y, yOff, dy, dyOff,
                scale[scaleOff + c], (float) mean[c], invStd[c], relu, dScale, dScaleOff + c, dShift, dShiftOff + c,
                dx, dxOff, null, null));
    }

    /** See {@link Kernels#batchNormPoolBackward}. */
    void poolBackward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax, float[] dy, int dyOff,
                      float[] scale, int scaleOff, double[] mean, float[] invStd, boolean relu, float[] dScale,
                      int dScaleOff, float[] dShift, int dShiftOff, float[] dx, int dxOff) {
        long in = (long) g.batch() * g.inSize();
        long out = (long) g.batch() * g.outSize();
        Checks.range("batch norm + pool input", x, xOff, in, g);
        Checks.range("batch norm + pool output", y, yOff, out, g);
        Checks.range("batch norm + pool output gradient", dy, dyOff, out, g);
        if (dx != null) {
            Checks.range("batch norm + pool input gradient", dx, dxOff, in, g);
        }
        MaxPooling.checkArgmax(g, argmax);
        int channels = g.channels();
        int plane = g.inHeight() * g.inWidth();
        forEachChannel(channels, c -> backwardChannel(c, g.batch(), channels, plane, x, xOff, y, yOff, dy, dyOff,
                scale[scaleOff + c], (float) mean[c], invStd[c], relu, dScale, dScaleOff + c, dShift, dShiftOff + c,
                dx, dxOff, g, argmax));
    }

    /**
     * One channel. Without a pool, d and y are the normalised tensor's gradient and value; with a pool g they are
     * the pooled ones, and the normalised tensor's gradient is nonzero only at the windows' maxima (argmax).
     */
    private void backwardChannel(int c, int batch, int channels, int plane, float[] x, int xOff, float[] y,
                                 int yOff, float[] d, int dOff, float gamma, float m, float inv, boolean relu,
                                 float[] dScale, int dScaleAt, float[] dShift, int dShiftAt, float[] dx, int dxOff,
                                 PoolGeometry pool, int[] argmax) {
        int outPlane = pool == null ? 0 : pool.outHeight() * pool.outWidth();
        // sums of g and of g * (x - mean), where g is dy through the fused ReLU's mask; h = (x - mean) * inv
        double sumDy = 0;
        double sumDyX = 0;
        double[] moments = MOMENTS.get();
        for (int i = 0; i < batch; i++) {
            int img = i * channels + c;
            if (pool == null) {
                ops.gradientMoments(d, dOff + img * plane, x, xOff + img * plane, y, yOff + img * plane, plane, m, relu,
                        moments);
            } else {
                ops.pooledGradientMoments(d, dOff + img * outPlane, y, yOff + img * outPlane, argmax, img * outPlane,
                        outPlane, relu, x, xOff + img * plane - c * plane, m, moments);
            }
            sumDy += moments[0];
            sumDyX += moments[1];
        }
        double sumDyH = sumDyX * inv;
        dScale[dScaleAt] += (float) sumDyH;
        dShift[dShiftAt] += (float) sumDy;
        if (dx == null) {
            return;
        }
        // dx = gamma * inv / N * (N g - sum(g) - h sum(g h)) = p g + q (x - mean) + r
        int count = batch * plane;
        double k = gamma * inv / (double) count;
        float p = (float) (k * count);
        float q = (float) (-k * sumDyH * inv);
        float r = (float) (-k * sumDy);
        float[] gated = planeBuffer(outPlane);
        for (int i = 0; i < batch; i++) {
            int img = i * channels + c;
            int base = img * plane;
            if (pool == null) {
                ops.batchNormInputGradient(d, dOff + base, x, xOff + base, y, yOff + base, dx, dxOff + base, plane, p,
                        q, r, m, relu);
            } else {
                ops.centredAffine(x, xOff + base, dx, dxOff + base, plane, q, m, r);
                addAtMaxima(ops, d, dOff + img * outPlane, y, yOff + img * outPlane, argmax, img * outPlane, outPlane,
                        relu, p, gated, dx, dxOff + base - c * plane);
            }
        }
    }

    /**
     * dx[dxImage + argmax[aAt + j]] += p g for j < n, in order (overlapping windows may name an element twice), g as
     * in {@link VectorOps#pooledGradientMoments}: p g by the backend into gated (n floats), then a plain scatter
     * loop on both backends (a gather-add-scatter version ran, but in 2 of 5 JVMs C2 left the scatter's index
     * arithmetic out of line, and it allocated 37 MB a step).
     */
    static void addAtMaxima(VectorOps ops, float[] dy, int dyAt, float[] y, int yAt, int[] argmax, int aAt, int n,
                            boolean relu, float p, float[] gated, float[] dx, int dxImage) {
        ops.gatedGradient(dy, dyAt, y, yAt, n, relu, p, gated, 0);
        for (int j = 0; j < n; j++) {
            dx[dxImage + argmax[aAt + j]] += gated[j];
        }
    }

    /** body(c) for every channel, the channels split over the threads. */
    private void forEachChannel(int channels, IntConsumer body) {
        parallel.run((part, parts) -> {
            int c1 = Parallel.rangeStart(channels, part + 1, parts);
            for (int c = Parallel.rangeStart(channels, part, parts); c < c1; c++) {
                body.accept(c);
            }
        });
    }

    /** The calling thread's buffer of at least one plane (grown, never shrunk). */
    private static float[] planeBuffer(int plane) {
        float[][] holder = PLANE.get();
        if (holder[0].length < plane) {
            holder[0] = new float[plane];
        }
        return holder[0];
    }

    /** Per-thread scratch for the two sums a pass returns. */
    private static final ThreadLocal<double[]> MOMENTS = ThreadLocal.withInitial(() -> new double[2]);
    private static final ThreadLocal<float[][]> PLANE = ThreadLocal.withInitial(() -> new float[][] {new float[0]});
}
