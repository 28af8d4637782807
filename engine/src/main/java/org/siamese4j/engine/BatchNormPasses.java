package org.siamese4j.engine;

/**
 * Batch normalisation's forward and backward passes over x = [batch][channels][plane], one channel at a time
 * (channels are independent, so they are spread over the threads and each is computed the same way whatever
 * the thread count). Sums run in float (the backend's vector lanes or pairs) within an image's plane and in
 * double across images; the loops over a plane are the backend's ({@link VectorOps#shiftedMoments} and the
 * three after it).
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
        parallel.run((part, parts) -> {
            int c0 = Parallel.rangeStart(channels, part, parts);
            int c1 = Parallel.rangeStart(channels, part + 1, parts);
            for (int c = c0; c < c1; c++) {
                forwardChannel(c, batch, channels, plane, x, xOff, scale[scaleOff + c], shift[shiftOff + c],
                        batchStatistics, mean, var, invStd, eps, y, yOff, relu);
            }
        });
    }

    private void forwardChannel(int c, int batch, int channels, int plane, float[] x, int xOff, float gamma,
                                float beta, boolean batchStatistics, double[] mean, double[] var,
                                float[] invStd, double eps, float[] y, int yOff, boolean relu) {
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
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            ops.scaleShift(x, xOff + base, y, yOff + base, plane, a, b, relu);
        }
    }

    /** See {@link Kernels#batchNormBackward}. */
    void backward(int batch, int channels, int plane, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
                  float[] scale, int scaleOff, double[] mean, float[] invStd, boolean relu,
                  float[] dScale, int dScaleOff, float[] dShift, int dShiftOff, float[] dx, int dxOff) {
        parallel.run((part, parts) -> {
            int c0 = Parallel.rangeStart(channels, part, parts);
            int c1 = Parallel.rangeStart(channels, part + 1, parts);
            for (int c = c0; c < c1; c++) {
                backwardChannel(c, batch, channels, plane, x, xOff, y, yOff, dy, dyOff, scale[scaleOff + c],
                        (float) mean[c], invStd[c], relu, dScale, dScaleOff + c, dShift, dShiftOff + c, dx, dxOff);
            }
        });
    }

    private void backwardChannel(int c, int batch, int channels, int plane, float[] x, int xOff, float[] y,
                                 int yOff, float[] d, int dOff, float gamma, float m, float inv, boolean relu,
                                 float[] dScale, int dScaleAt, float[] dShift, int dShiftAt, float[] dx, int dxOff) {
        // sums of g and of g * (x - mean), where g is dy through the fused ReLU's mask; h = (x - mean) * inv
        double sumDy = 0;
        double sumDyX = 0;
        double[] moments = MOMENTS.get();
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            ops.gradientMoments(d, dOff + base, x, xOff + base, y, yOff + base, plane, m, relu, moments);
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
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            ops.batchNormInputGradient(d, dOff + base, x, xOff + base, y, yOff + base, dx, dxOff + base, plane, p, q, r,
                    m, relu);
        }
    }

    /** Per-thread scratch for the two sums a pass returns. */
    private static final ThreadLocal<double[]> MOMENTS = ThreadLocal.withInitial(() -> new double[2]);
}
