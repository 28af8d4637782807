package org.siamese4j.engine;

/**
 * Batch normalisation's forward and backward passes over x = [batch][channels][plane], one channel at a time
 * (channels are independent, so they are spread over the threads and each is computed the same way whatever
 * the thread count). Sums run in float pairs within an image's plane and in double across images. Shared by
 * both backends.
 */
final class BatchNormPasses {
    private final Parallel parallel;

    BatchNormPasses(Parallel parallel) {
        this.parallel = parallel;
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

    private static void forwardChannel(int c, int batch, int channels, int plane, float[] x, int xOff, float gamma,
                                       float beta, boolean batchStatistics, double[] mean, double[] var,
                                       float[] invStd, double eps, float[] y, int yOff, boolean relu) {
        if (batchStatistics) {
            // one pass for both moments, shifted by the channel's first value so the variance stays accurate
            float shiftBy = x[xOff + c * plane];
            double s = 0;
            double sq = 0;
            double[] moments = MOMENTS.get();
            for (int i = 0; i < batch; i++) {
                shiftedMoments(x, xOff + (i * channels + c) * plane, plane, shiftBy, moments);
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
            int src = xOff + base;
            int dst = yOff + base;
            if (relu) {
                for (int j = 0; j < plane; j++) {
                    y[dst + j] = Math.max(a * x[src + j] + b, 0f);
                }
            } else {
                for (int j = 0; j < plane; j++) {
                    y[dst + j] = a * x[src + j] + b;
                }
            }
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

    private static void backwardChannel(int c, int batch, int channels, int plane, float[] x, int xOff, float[] y,
                                        int yOff, float[] d, int dOff, float gamma, float m, float inv, boolean relu,
                                        float[] dScale, int dScaleAt, float[] dShift, int dShiftAt, float[] dx, int dxOff) {
        // sums of g and of g * (x - mean), where g is dy through the fused ReLU's mask; h = (x - mean) * inv
        double sumDy = 0;
        double sumDyX = 0;
        double[] moments = MOMENTS.get();
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            if (relu) {
                maskedMoments(d, dOff + base, x, xOff + base, y, yOff + base, plane, m, moments);
            } else {
                centeredMoments(d, dOff + base, x, xOff + base, plane, m, moments);
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
        for (int i = 0; i < batch; i++) {
            int base = (i * channels + c) * plane;
            int src = xOff + base;
            int dsrc = dOff + base;
            int out = yOff + base;
            int dst = dxOff + base;
            if (relu) {
                for (int j = 0; j < plane; j++) {
                    dx[dst + j] = p * passed(d[dsrc + j], y[out + j]) + q * (x[src + j] - m) + r;
                }
            } else {
                for (int j = 0; j < plane; j++) {
                    dx[dst + j] = p * d[dsrc + j] + q * (x[src + j] - m) + r;
                }
            }
        }
    }

    /** Per-thread scratch for the two sums a pass returns. */
    private static final ThreadLocal<double[]> MOMENTS = ThreadLocal.withInitial(() -> new double[2]);

    /** sum(x - shift) and sum((x - shift)^2) over a run, in float partial sums. */
    private static void shiftedMoments(float[] a, int off, int n, float shiftBy, double[] result) {
        float s0 = 0;
        float s1 = 0;
        float q0 = 0;
        float q1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float v0 = a[off + j] - shiftBy;
            float v1 = a[off + j + 1] - shiftBy;
            s0 += v0;
            s1 += v1;
            q0 += v0 * v0;
            q1 += v1 * v1;
        }
        for (; j < n; j++) {
            float v0 = a[off + j] - shiftBy;
            s0 += v0;
            q0 += v0 * v0;
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) q0 + q1;
    }

    /** sum(dy) and sum(dy * (x - m)). */
    private static void centeredMoments(float[] d, int dOff, float[] x, int xOff, int n, float m, double[] result) {
        float s0 = 0;
        float s1 = 0;
        float t0 = 0;
        float t1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float g0 = d[dOff + j];
            float g1 = d[dOff + j + 1];
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[xOff + j] - m);
            t1 += g1 * (x[xOff + j + 1] - m);
        }
        for (; j < n; j++) {
            float g0 = d[dOff + j];
            s0 += g0;
            t0 += g0 * (x[xOff + j] - m);
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) t0 + t1;
    }

    /** The same sums with dy masked where the fused ReLU was off (y <= 0). */
    private static void maskedMoments(float[] d, int dOff, float[] x, int xOff, float[] y, int yOff, int n, float m,
                                      double[] result) {
        float s0 = 0;
        float s1 = 0;
        float t0 = 0;
        float t1 = 0;
        int j = 0;
        for (; j + 1 < n; j += 2) {
            float g0 = passed(d[dOff + j], y[yOff + j]);
            float g1 = passed(d[dOff + j + 1], y[yOff + j + 1]);
            s0 += g0;
            s1 += g1;
            t0 += g0 * (x[xOff + j] - m);
            t1 += g1 * (x[xOff + j + 1] - m);
        }
        for (; j < n; j++) {
            float g0 = passed(d[dOff + j], y[yOff + j]);
            s0 += g0;
            t0 += g0 * (x[xOff + j] - m);
        }
        result[0] = (double) s0 + s1;
        result[1] = (double) t0 + t1;
    }

    /**
     * dy where the fused ReLU passed its input (y > 0), else 0, without a branch: about half the outputs are
     * zero in no predictable pattern, and mispredicted branches made this pass 7x slower than the forward one.
     * y is max(v, 0f), so +0 or positive (or NaN); its bits minus one are negative exactly for +0.
     */
    static float passed(float dy, float y) {
        int keep = ~((Float.floatToRawIntBits(y) - 1) >> 31);
        return Float.intBitsToFloat(Float.floatToRawIntBits(dy) & keep);
    }
}
