package org.siamese4j.engine;

import java.util.Arrays;

/**
 * Max-pool, forward (the maximum of each window and where it was) and backward (the gradient routed to each
 * window's maximum). Memory-bound and shuffle-heavy, so both backends share these plain loops, except for
 * rows of the common 2x2, stride-2 window, which the SIMD backend takes a vector at a time.
 */
final class MaxPooling {
    private final Parallel parallel;
    private final VectorOps ops;
    private final ThreadLocal<PoolTask> tasks = ThreadLocal.withInitial(PoolTask::new);

    MaxPooling(Parallel parallel, VectorOps ops) {
        this.parallel = parallel;
        this.ops = ops;
    }

    /** {@link Kernels#maxPoolForward}: checked, then split over the threads by planes. */
    void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        Checks.range("pool input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("pool output", y, yOff, (long) g.batch() * g.outSize(), g);
        checkArgmax(g, argmax);
        runPool(true, g, x, xOff, y, yOff, argmax);
    }

    /** Both passes index argmax from 0 with one entry per output element. */
    static void checkArgmax(PoolGeometry g, int[] argmax) {
        long needed = (long) g.batch() * g.outSize();
        if (argmax == null || argmax.length < needed) {
            throw new IllegalArgumentException("argmax " + (argmax == null ? "is null" : "of length " + argmax.length
                    + " is too short") + ": needs " + needed + " entries for " + g);
        }
    }

    /** One part: planes [p0, p1), each by {@link #poolPlane}. */
    private static void forwardPart(VectorOps ops, int part, int parts, PoolGeometry g, float[] x, int xOff,
                                    float[] y, int yOff, int[] argmax) {
        int inPlane = g.inHeight() * g.inWidth();
        int outPlane = g.outHeight() * g.outWidth();
        int planes = g.batch() * g.channels();
        int p0 = Parallel.rangeStart(planes, part, parts);
        int p1 = Parallel.rangeStart(planes, part + 1, parts);
        for (int plane = p0; plane < p1; plane++) {
            int within = plane % g.channels() * inPlane;
            poolPlane(ops, g, x, xOff + plane * inPlane, within, y, yOff + plane * outPlane, argmax, plane * outPlane);
        }
    }

    /**
     * The windows of one plane, which starts at x[p]: maxima to y[yAt..], their positions to argmax[aAt..], each
     * plus {@code within} (the plane's offset in its image). The common 2x2 window goes row by row, as far as the
     * backend's {@link VectorOps#maxPool2x2Row} takes it (stride 2), then window by window; other windows by the
     * general loop. Also the pooling step of {@link BatchNormPasses}'s fused pass, on a plane it normalised.
     */
    static void poolPlane(VectorOps ops, PoolGeometry g, float[] x, int p, int within, float[] y, int yAt,
                          int[] argmax, int aAt) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        int w = g.inWidth();
        int k = g.window();
        int s = g.stride();
        if (k == 2) {
            // the common 2x2 window, with the same result as the general loop; rows shorter than a vector by
            // the backend's plane kernel, as far as it goes
            int planeDone = s == 2 && ow < ops.vectorLength()
                    ? ops.maxPool2x2Plane(x, p, w, oh, ow, y, yAt, argmax, aAt, within) : 0;
            for (int oy = 0; oy < oh; oy++) {
                int r0 = oy * s * w;
                int r1 = r0 + w;
                int o = oy * ow;
                int done = s == 2 ? ops.maxPool2x2Row(x, p + r0, w, ow, y, yAt + o, argmax, aAt + o, within + r0) : 0;
                done = Math.max(done, Math.min(ow, planeDone - o));
                for (int ox = done; ox < ow; ox++) {
                    int i = r0 + ox * s;
                    int j = r1 + ox * s;
                    float a = x[p + i];
                    float b = x[p + i + 1];
                    float c = x[p + j];
                    float d = x[p + j + 1];
                    // branch-free: the maximum (NaN if any is NaN), then the first element equal to it
                    // (or the first NaN); that is the element the sequential scan keeps, -0/+0 included
                    float m = Math.max(Math.max(a, b), Math.max(c, d));
                    int best = (d == m) | (d != d) ? j + 1 : i;
                    best = (c == m) | (c != c) ? j : best;
                    best = (b == m) | (b != b) ? i + 1 : best;
                    best = (a == m) | (a != a) ? i : best;
                    y[yAt + o + ox] = x[p + best];
                    argmax[aAt + o + ox] = within + best;
                }
            }
            return;
        }
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int best = (oy * s) * w + ox * s;
                float bestValue = x[p + best];
                for (int dy = 0; dy < k; dy++) {
                    int row = (oy * s + dy) * w + ox * s;
                    for (int dx = 0; dx < k; dx++) {
                        float v = x[p + row + dx];
                        // NaN propagates: a NaN beats everything, so divergence is not hidden
                        if (v > bestValue || (v != v && bestValue == bestValue)) {
                            bestValue = v;
                            best = row + dx;
                        }
                    }
                }
                y[yAt + oy * ow + ox] = bestValue;
                argmax[aAt + oy * ow + ox] = within + best;
            }
        }
    }

    /** {@link Kernels#maxPoolBackward}: checked, then split over the threads by images. */
    void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        Checks.range("pool output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("pool input gradient", dx, dxOff, (long) g.batch() * g.inSize(), g);
        checkArgmax(g, argmax);
        runPool(false, g, dy, dyOff, dx, dxOff, argmax);
    }

    /** One part: images [i0, i1), dx zeroed then each output's gradient added at its argmax. */
    private static void backwardPart(int part, int parts, PoolGeometry g, float[] dy, int dyOff, int[] argmax,
                                     float[] dx, int dxOff) {
        int outSize = g.outSize();
        int inSize = g.inSize();
        int i0 = Parallel.rangeStart(g.batch(), part, parts);
        int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
        for (int img = i0; img < i1; img++) {
            int in = dxOff + img * inSize;
            Arrays.fill(dx, in, in + inSize, 0f);
            int out = img * outSize;
            for (int i = 0; i < outSize; i++) {
                dx[in + argmax[out + i]] += dy[dyOff + out + i];
            }
        }
    }

    private void runPool(boolean forward, PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        PoolTask t = tasks.get();
        t.forward = forward;
        t.g = g;
        t.x = x;
        t.xOff = xOff;
        t.y = y;
        t.yOff = yOff;
        t.argmax = argmax;
        try {
            parallel.run(t);
        } finally {
            t.g = null;
            t.x = null;
            t.y = null;
            t.argmax = null;
        }
    }

    /** Both max-pool passes as one reusable parallel body (one per calling thread, so a call allocates nothing). */
    private final class PoolTask implements Parallel.Body {
        boolean forward;
        PoolGeometry g;
        float[] x;
        int xOff;
        float[] y;
        int yOff;
        int[] argmax;

        @Override
        public void run(int part, int parts) {
            if (forward) {
                forwardPart(ops, part, parts, g, x, xOff, y, yOff, argmax);
            } else {
                // x = dy, y = dx
                backwardPart(part, parts, g, x, xOff, argmax, y, yOff);
            }
        }
    }
}
