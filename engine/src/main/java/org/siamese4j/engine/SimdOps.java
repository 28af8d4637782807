package org.siamese4j.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The backend hooks on the Vector API. Loaded only by reflection after {@link Backend} has found the
 * jdk.incubator.vector module, because touching FloatVector without it throws NoClassDefFoundError; so
 * no class that the scalar path loads may name this one.
 * Loops use loopBound with a scalar tail (masked loads are slow on JDK 17) and reduce once at the end.
 */
final class SimdOps implements VectorOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int MR = 8;
    private static final int NR = 2 * L;

    public SimdOps() {
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public int vectorLength() {
        return L;
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    /** 8 rows x 2 vectors of C in 16 accumulators; per step: 2 vector loads, 8 broadcasts, 16 FMAs. */
    @Override
    public void microKernel(int kc, float[] ap, int aOff, float[] bp, int bOff,
                            float[] c, int cOff, int ldc, boolean overwrite) {
        // accumulating starts from C, so there is one store path: with a second (load, add, store) path C2
        // sometimes stopped inlining the vector calls here and fell back to the allocating Java code
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (overwrite) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
            c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = c00;
        } else {
            c00 = FloatVector.fromArray(S, c, cOff);
            c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + ldc);
            c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, cOff + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, cOff + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, cOff + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, cOff + 7 * ldc + L);
        }
        int a = aOff;
        int b = bOff;
        for (int p = 0; p < kc; p++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector x;
            x = FloatVector.broadcast(S, ap[a]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[a + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[a + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[a + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[a + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[a + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, ap[a + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[a + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        // stores written out: handing vectors to a helper method makes C2 box them on JDK 17
        c00.intoArray(c, cOff);
        c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc);
        c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc);
        c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc);
        c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc);
        c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc);
        c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc);
        c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc);
        c71.intoArray(c, cOff + 7 * ldc + L);
    }

    @Override
    public void packRuns(float[] x, int[] rowBase, int rows, int[] runSrc, int[] runDst, int[] runLen,
                         int runs, float[] dst, int d, int nr, int live, int[] opSrc, int[] opDst) {
        // the runs become a fixed list of whole-vector copies, the same for every row (so the loops are
        // predictable); a copy may run past its run, into columns that a later copy, row or the zeroing
        // overwrites
        int ops = 0;
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < runLen[r]; i += L) {
                opSrc[ops] = runSrc[r] + i;
                opDst[ops] = d + runDst[r] + i;
                ops++;
            }
        }
        // rowBase grows with p, so the last row reads furthest
        if (rows == 0 || rowBase[rows - 1] + opSrc[ops - 1] + L > x.length) {
            for (int p = 0; p < rows; p++) {
                int rb = rowBase[p];
                int row = d + p * nr;
                for (int r = 0; r < runs; r++) {
                    System.arraycopy(x, rb + runSrc[r], dst, row + runDst[r], runLen[r]);
                }
            }
        } else if (ops == 1) {
            int s0 = opSrc[0];
            int d0 = opDst[0];
            for (int p = 0; p < rows; p++) {
                int rb = rowBase[p];
                int row = p * nr;
                FloatVector.fromArray(S, x, rb + s0).intoArray(dst, row + d0);
            }
        } else if (ops == 2) {
            int s0 = opSrc[0];
            int s1 = opSrc[1];
            int d0 = opDst[0];
            int d1 = opDst[1];
            for (int p = 0; p < rows; p++) {
                int rb = rowBase[p];
                int row = p * nr;
                FloatVector.fromArray(S, x, rb + s0).intoArray(dst, row + d0);
                FloatVector.fromArray(S, x, rb + s1).intoArray(dst, row + d1);
            }
        } else if (ops == 3) {
            int s0 = opSrc[0];
            int s1 = opSrc[1];
            int s2 = opSrc[2];
            int d0 = opDst[0];
            int d1 = opDst[1];
            int d2 = opDst[2];
            for (int p = 0; p < rows; p++) {
                int rb = rowBase[p];
                int row = p * nr;
                FloatVector.fromArray(S, x, rb + s0).intoArray(dst, row + d0);
                FloatVector.fromArray(S, x, rb + s1).intoArray(dst, row + d1);
                FloatVector.fromArray(S, x, rb + s2).intoArray(dst, row + d2);
            }
        } else {
            for (int p = 0; p < rows; p++) {
                int rb = rowBase[p];
                int row = p * nr;
                for (int v = 0; v < ops; v++) {
                    FloatVector.fromArray(S, x, rb + opSrc[v]).intoArray(dst, row + opDst[v]);
                }
            }
        }
        if (live < nr) {
            for (int p = 0; p < rows; p++) {
                int row = d + p * nr;
                for (int c = live; c < nr; c++) {
                    dst[row + c] = 0f;
                }
            }
        }
    }

    @Override
    public void elementwiseRange(int op, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        switch (op) {
            case RELU_FORWARD:
                reluForwardRange(a, aOff, c, cOff, n);
                break;
            case RELU_BACKWARD:
                reluBackwardRange(a, aOff, b, bOff, c, cOff, n);
                break;
            case SIGMOID_FORWARD:
                // the scalar loop, on purpose: the Vector API's EXP is another algorithm compiled (SVML) than
                // interpreted, so results would depend on JIT timing and a resumed run would drift from an
                // uninterrupted one; the sigmoid runs on embeddings only (a few thousand values)
                ScalarOps.sigmoidForwardRange(a, aOff, c, cOff, n);
                break;
            case SIGMOID_BACKWARD:
                sigmoidBackwardRange(a, aOff, b, bOff, c, cOff, n);
                break;
            default:
                throw new IllegalArgumentException("unknown element-wise op " + op);
        }
    }

    /**
     * Lane permutations for de-interleaving pairs (single-vector rearranges: on JDK 17 the two-vector form
     * and float-to-int conversion allocate): P puts the even lanes in the low half and the odd ones in the
     * high half, Q the other way round; HIGH selects the high half.
     */
    private static final VectorShuffle<Float> P = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i : 2 * (i - L / 2) + 1);
    private static final VectorShuffle<Float> Q = VectorShuffle.fromOp(S, i -> i < L / 2 ? 2 * i + 1 : 2 * (i - L / 2));
    private static final VectorMask<Float> HIGH = VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));

    @Override
    public int maxPool2x2Row(float[] x, int p, int w, int ow, float[] y, int yOff, int[] argmax, int aOff, int base) {
        if (ow < L) {
            return 0;
        }
        // a row that is not a whole number of vectors ends with a vector that overlaps the one before it: its
        // windows are computed twice, to the same values, instead of one by one in the caller's scalar loop
        int last = ow - L;
        // the offset of the chosen element (0, 1, w or w + 1) travels as the bits of a float through the
        // blends (which only select bits) and is stored as an int; the lane's position is added after the
        // loop. Few vector operations on purpose: in a larger version (with NaN masks and int vector adds)
        // C2 sometimes left the vector calls un-inlined, and they allocated.
        FloatVector offA = FloatVector.broadcast(S, Float.intBitsToFloat(0));
        FloatVector offB = FloatVector.broadcast(S, Float.intBitsToFloat(1));
        FloatVector offC = FloatVector.broadcast(S, Float.intBitsToFloat(w));
        FloatVector offD = FloatVector.broadcast(S, Float.intBitsToFloat(w + 1));
        int done = 0;
        for (int start = 0; ; start = Math.min(start + L, last)) {
            int p0 = p + 2 * start;
            int p1 = p0 + w;
            FloatVector u0 = FloatVector.fromArray(S, x, p0);
            FloatVector u1 = FloatVector.fromArray(S, x, p0 + L);
            FloatVector v0 = FloatVector.fromArray(S, x, p1);
            FloatVector v1 = FloatVector.fromArray(S, x, p1 + L);
            FloatVector a = u0.rearrange(P).blend(u1.rearrange(Q), HIGH);
            FloatVector b = u0.rearrange(Q).blend(u1.rearrange(P), HIGH);
            FloatVector c = v0.rearrange(P).blend(v1.rearrange(Q), HIGH);
            FloatVector d = v0.rearrange(Q).blend(v1.rearrange(P), HIGH);
            FloatVector m = a.max(b).max(c.max(d));
            if (m.test(VectorOperators.IS_NAN).anyTrue()) {
                break; // the scalar loop settles which NaN wins
            }
            // as the scalar loop: the first element equal to the maximum (its own value, so -0 stays -0)
            VectorMask<Float> isA = a.eq(m);
            VectorMask<Float> isB = b.eq(m);
            VectorMask<Float> isC = c.eq(m);
            d.blend(c, isC).blend(b, isB).blend(a, isA).intoArray(y, yOff + start);
            offD.blend(offC, isC).blend(offB, isB).blend(offA, isA).reinterpretAsInts().intoArray(argmax, aOff + start);
            done = start + L;
            if (start == last) {
                break;
            }
        }
        for (int i = 0; i < done; i++) {
            argmax[aOff + i] += base + 2 * i;
        }
        return done;
    }

    /**
     * As {@link #maxPool2x2Row}, with the four elements of L windows gathered through a map of the windows' first
     * elements (per thread, made again when the plane's shape changes): rows shorter than a vector would leave
     * the whole plane to the scalar loop.
     */
    @Override
    public int maxPool2x2Plane(float[] x, int p, int w, int oh, int ow, float[] y, int yOff, int[] argmax, int aOff,
                               int base) {
        int n = oh * ow / L * L;
        if (n == 0) {
            return 0;
        }
        int[] map = windowMap(w, ow, n);
        FloatVector offA = FloatVector.broadcast(S, Float.intBitsToFloat(0));
        FloatVector offB = FloatVector.broadcast(S, Float.intBitsToFloat(1));
        FloatVector offC = FloatVector.broadcast(S, Float.intBitsToFloat(w));
        FloatVector offD = FloatVector.broadcast(S, Float.intBitsToFloat(w + 1));
        int done = 0;
        for (; done < n; done += L) {
            FloatVector a = FloatVector.fromArray(S, x, p, map, done);
            FloatVector b = FloatVector.fromArray(S, x, p + 1, map, done);
            FloatVector c = FloatVector.fromArray(S, x, p + w, map, done);
            FloatVector d = FloatVector.fromArray(S, x, p + w + 1, map, done);
            FloatVector m = a.max(b).max(c.max(d));
            if (m.test(VectorOperators.IS_NAN).anyTrue()) {
                break; // the scalar loop settles which NaN wins
            }
            VectorMask<Float> isA = a.eq(m);
            VectorMask<Float> isB = b.eq(m);
            VectorMask<Float> isC = c.eq(m);
            d.blend(c, isC).blend(b, isB).blend(a, isA).intoArray(y, yOff + done);
            offD.blend(offC, isC).blend(offB, isB).blend(offA, isA).reinterpretAsInts().intoArray(argmax, aOff + done);
        }
        for (int i = 0; i < done; i++) {
            argmax[aOff + i] += base + map[i];
        }
        return done;
    }

    /** Per thread: the offsets of the first elements of a plane's 2x2 windows, for the last shape asked for. */
    private static final class WindowMap {
        int w = -1;
        int ow = -1;
        int[] first = new int[0];
    }

    private static final ThreadLocal<WindowMap> WINDOW_MAPS = ThreadLocal.withInitial(WindowMap::new);

    private static int[] windowMap(int w, int ow, int n) {
        WindowMap m = WINDOW_MAPS.get();
        if (m.w != w || m.ow != ow || m.first.length < n) {
            if (m.first.length < n) {
                m.first = new int[n];
            }
            for (int k = 0; k < m.first.length; k++) {
                m.first[k] = 2 * (k / ow) * w + 2 * (k % ow);
            }
            m.w = w;
            m.ow = ow;
        }
        return m.first;
    }

    @Override
    public void momentumStepRange(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        FloatVector muV = FloatVector.broadcast(S, mu);
        FloatVector minusLr = FloatVector.broadcast(S, -lr);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector vi = muV.fma(FloatVector.fromArray(S, v, vOff + i), FloatVector.fromArray(S, g, gOff + i).mul(minusLr));
            vi.intoArray(v, vOff + i);
            FloatVector.fromArray(S, w, wOff + i).add(vi).intoArray(w, wOff + i);
        }
        for (; i < n; i++) {
            float vi = mu * v[vOff + i] - lr * g[gOff + i];
            v[vOff + i] = vi;
            w[wOff + i] += vi;
        }
    }

    @Override
    public double weightDecayBlock(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        FloatVector lambdaV = FloatVector.broadcast(S, lambda);
        FloatVector sq = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector x = FloatVector.fromArray(S, w, wOff + i);
            sq = x.fma(x, sq);
            x.fma(lambdaV, FloatVector.fromArray(S, g, gOff + i)).intoArray(g, gOff + i);
        }
        float tail = 0f;
        for (; i < n; i++) {
            float x = w[wOff + i];
            tail += x * x;
            g[gOff + i] += lambda * x;
        }
        return (double) sumOfLanes(sq) + tail;
    }

    @Override
    public void biasActivate(float[] y, int off, int n, float bias, boolean relu) {
        FloatVector bv = FloatVector.broadcast(S, bias);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, off + i).add(bv);
            if (relu) {
                v = v.max(zero);
            }
            v.intoArray(y, off + i);
        }
        for (; i < n; i++) {
            float v = y[off + i] + bias;
            y[off + i] = relu ? (v > 0f ? v : 0f) : v;
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            acc = acc.add(FloatVector.fromArray(S, x, off + i));
        }
        float s = sumOfLanes(acc);
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    @Override
    public void shiftedMoments(float[] x, int off, int n, float shift, double[] result) {
        FloatVector shiftV = FloatVector.broadcast(S, shift);
        FloatVector s = FloatVector.zero(S);
        FloatVector q = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(shiftV);
            s = s.add(v);
            q = v.fma(v, q);
        }
        float sTail = 0f;
        float qTail = 0f;
        for (; i < n; i++) {
            float v = x[off + i] - shift;
            sTail += v;
            qTail += v * v;
        }
        result[0] = (double) sumOfLanes(s) + sTail;
        result[1] = (double) sumOfLanes(q) + qTail;
    }

    @Override
    public void gradientMoments(float[] dy, int dyOff, float[] x, int xOff, float[] y, int yOff, int n, float mean,
                                boolean relu, double[] result) {
        FloatVector meanV = FloatVector.broadcast(S, mean);
        FloatVector zero = FloatVector.zero(S);
        FloatVector s = zero;
        FloatVector t = zero;
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
            if (relu) {
                // zero where y is +0 (cut by the ReLU); a NaN y keeps its gradient, as in the scalar loop
                g = g.blend(zero, FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.EQ, 0f));
            }
            s = s.add(g);
            t = g.fma(FloatVector.fromArray(S, x, xOff + i).sub(meanV), t);
        }
        float sTail = 0f;
        float tTail = 0f;
        for (; i < n; i++) {
            float g = relu && y[yOff + i] == 0f ? 0f : dy[dyOff + i];
            sTail += g;
            tTail += g * (x[xOff + i] - mean);
        }
        result[0] = (double) sumOfLanes(s) + sTail;
        result[1] = (double) sumOfLanes(t) + tTail;
    }

    @Override
    public void scaleShift(float[] x, int xOff, float[] y, int yOff, int n, float a, float b, boolean relu) {
        FloatVector aV = FloatVector.broadcast(S, a);
        FloatVector bV = FloatVector.broadcast(S, b);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            // mul then add, not fma: the same roundings as the scalar a * x + b
            FloatVector v = FloatVector.fromArray(S, x, xOff + i).mul(aV).add(bV);
            if (relu) {
                v = v.max(zero);
            }
            v.intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float v = a * x[xOff + i] + b;
            y[yOff + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    @Override
    public void batchNormInputGradient(float[] dy, int dyOff, float[] x, int xOff, float[] y, int yOff, float[] dx,
                                       int dxOff, int n, float p, float q, float r, float mean, boolean relu) {
        FloatVector pV = FloatVector.broadcast(S, p);
        FloatVector qV = FloatVector.broadcast(S, q);
        FloatVector rV = FloatVector.broadcast(S, r);
        FloatVector meanV = FloatVector.broadcast(S, mean);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
            if (relu) {
                g = g.blend(zero, FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.EQ, 0f));
            }
            FloatVector centred = FloatVector.fromArray(S, x, xOff + i).sub(meanV);
            g.mul(pV).add(centred.mul(qV)).add(rV).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float g = relu && y[yOff + i] == 0f ? 0f : dy[dyOff + i];
            dx[dxOff + i] = p * g + q * (x[xOff + i] - mean) + r;
        }
    }

    @Override
    public void centredAffine(float[] x, int xOff, float[] y, int yOff, int n, float q, float mean, float r) {
        FloatVector qV = FloatVector.broadcast(S, q);
        FloatVector meanV = FloatVector.broadcast(S, mean);
        FloatVector rV = FloatVector.broadcast(S, r);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).sub(meanV).mul(qV).add(rV).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = q * (x[xOff + i] - mean) + r;
        }
    }

    @Override
    public void gatedGradient(float[] dy, int dyAt, float[] y, int yAt, int n, boolean relu, float p, float[] q,
                              int qOff) {
        FloatVector pV = FloatVector.broadcast(S, p);
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        int bound = S.loopBound(n);
        for (; j < bound; j += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyAt + j).mul(pV);
            if (relu) {
                g = g.blend(zero, FloatVector.fromArray(S, y, yAt + j).compare(VectorOperators.EQ, 0f));
            }
            g.intoArray(q, qOff + j);
        }
        for (; j < n; j++) {
            q[qOff + j] = relu && y[yAt + j] == 0f ? 0f : p * dy[dyAt + j];
        }
    }

    @Override
    public void pooledGradientMoments(float[] dy, int dyAt, float[] y, int yAt, int[] argmax, int aAt, int n,
                                      boolean relu, float[] x, int xImage, float mean, double[] result) {
        FloatVector meanV = FloatVector.broadcast(S, mean);
        FloatVector zero = FloatVector.zero(S);
        FloatVector s = zero;
        FloatVector t = zero;
        int j = 0;
        int bound = S.loopBound(n);
        for (; j < bound; j += L) {
            FloatVector g = FloatVector.fromArray(S, dy, dyAt + j);
            if (relu) {
                g = g.blend(zero, FloatVector.fromArray(S, y, yAt + j).compare(VectorOperators.EQ, 0f));
            }
            s = s.add(g);
            t = g.fma(FloatVector.fromArray(S, x, xImage, argmax, aAt + j).sub(meanV), t);
        }
        float sTail = 0f;
        float tTail = 0f;
        for (; j < n; j++) {
            float g = relu && y[yAt + j] == 0f ? 0f : dy[dyAt + j];
            sTail += g;
            tTail += g * (x[xImage + argmax[aAt + j]] - mean);
        }
        result[0] = (double) sumOfLanes(s) + sTail;
        result[1] = (double) sumOfLanes(t) + tTail;
    }

    /**
     * Two output channels at a time (the second a copy of the first when outC is odd, then stored over it): their
     * 18 weights stay in registers, and each of the 9 shifted input vectors feeds 2 multiply-adds; the bias starts
     * the sum, the ReLU bounds it before the store. A row is whole vectors from its start, then, when its width is
     * not a multiple of the vector, one more vector ending at its end, which recomputes a few outputs (the same
     * values). Rows narrower than a vector are left to the GEMM.
     */
    @Override
    public boolean conv3x3OneChannel(float[] padded, int pOff, int pw, int oh, int ow, float[] w, int wOff, int outC,
                                     float[] bias, int biasOff, boolean relu, float[] y, int yOff) {
        if (ow < L) {
            return false;
        }
        int pixels = oh * ow;
        int last = ow - L;
        // the ReLU as a lower bound: 0 with it, -infinity (no bound) without
        FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
        for (int o = 0; o < outC; o += 2) {
            int second = o + 1 < outC ? o + 1 : o;
            int k0 = wOff + 9 * o;
            int k1 = wOff + 9 * second;
            FloatVector bias0 = FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + o]);
            FloatVector bias1 = FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + second]);
            FloatVector a0 = FloatVector.broadcast(S, w[k0]);
            FloatVector a1 = FloatVector.broadcast(S, w[k0 + 1]);
            FloatVector a2 = FloatVector.broadcast(S, w[k0 + 2]);
            FloatVector a3 = FloatVector.broadcast(S, w[k0 + 3]);
            FloatVector a4 = FloatVector.broadcast(S, w[k0 + 4]);
            FloatVector a5 = FloatVector.broadcast(S, w[k0 + 5]);
            FloatVector a6 = FloatVector.broadcast(S, w[k0 + 6]);
            FloatVector a7 = FloatVector.broadcast(S, w[k0 + 7]);
            FloatVector a8 = FloatVector.broadcast(S, w[k0 + 8]);
            FloatVector b0 = FloatVector.broadcast(S, w[k1]);
            FloatVector b1 = FloatVector.broadcast(S, w[k1 + 1]);
            FloatVector b2 = FloatVector.broadcast(S, w[k1 + 2]);
            FloatVector b3 = FloatVector.broadcast(S, w[k1 + 3]);
            FloatVector b4 = FloatVector.broadcast(S, w[k1 + 4]);
            FloatVector b5 = FloatVector.broadcast(S, w[k1 + 5]);
            FloatVector b6 = FloatVector.broadcast(S, w[k1 + 6]);
            FloatVector b7 = FloatVector.broadcast(S, w[k1 + 7]);
            FloatVector b8 = FloatVector.broadcast(S, w[k1 + 8]);
            int y0 = yOff + o * pixels;
            int y1 = yOff + second * pixels;
            for (int r = 0; r < oh; r++) {
                int row = pOff + r * pw;
                for (int c = 0; ; c = Math.min(c + L, last)) {
                    int p = row + c;
                    FloatVector x = FloatVector.fromArray(S, padded, p);
                    FloatVector s0 = x.fma(a0, bias0);
                    FloatVector s1 = x.fma(b0, bias1);
                    x = FloatVector.fromArray(S, padded, p + 1);
                    s0 = x.fma(a1, s0);
                    s1 = x.fma(b1, s1);
                    x = FloatVector.fromArray(S, padded, p + 2);
                    s0 = x.fma(a2, s0);
                    s1 = x.fma(b2, s1);
                    x = FloatVector.fromArray(S, padded, p + pw);
                    s0 = x.fma(a3, s0);
                    s1 = x.fma(b3, s1);
                    x = FloatVector.fromArray(S, padded, p + pw + 1);
                    s0 = x.fma(a4, s0);
                    s1 = x.fma(b4, s1);
                    x = FloatVector.fromArray(S, padded, p + pw + 2);
                    s0 = x.fma(a5, s0);
                    s1 = x.fma(b5, s1);
                    x = FloatVector.fromArray(S, padded, p + 2 * pw);
                    s0 = x.fma(a6, s0);
                    s1 = x.fma(b6, s1);
                    x = FloatVector.fromArray(S, padded, p + 2 * pw + 1);
                    s0 = x.fma(a7, s0);
                    s1 = x.fma(b7, s1);
                    x = FloatVector.fromArray(S, padded, p + 2 * pw + 2);
                    s0 = x.fma(a8, s0);
                    s1 = x.fma(b8, s1);
                    s1.max(floor).intoArray(y, y1 + r * ow + c);
                    s0.max(floor).intoArray(y, y0 + r * ow + c);
                    if (c == last) {
                        break;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Two output channels at a time as in {@link #conv3x3OneChannel}: 18 accumulators, one per (channel, tap),
     * each shifted input vector loaded once for both channels; the vectors of a row as there, the output
     * gradient of the recomputed lanes of a row's last vector zeroed (by {@link #KEEP}) so that they count
     * once. One loop over every image's rows' vectors, so that no accumulator is carried across nested loops.
     */
    @Override
    public boolean conv3x3OneChannelWeightGradient(float[] padded, int pOff, int images, int pw, int oh, int ow,
                                                   float[] dy, int dyOff, int dyImage, int outC, float[] dw, int dwOff) {
        if (ow < L) {
            return false;
        }
        int pixels = oh * ow;
        int plane = (oh + 2) * pw;
        int last = ow - L;
        int perRow = (last + L - 1) / L + 1;
        int vectors = images * oh * perRow;
        // lanes that a row's last vector adds for the first time: the last ow mod L (all of them when 0)
        FloatVector keepLast = FloatVector.fromArray(S, KEEP, ow % L == 0 ? L : ow % L);
        FloatVector keepAll = FloatVector.broadcast(S, 1f);
        for (int o = 0; o < outC; o += 2) {
            boolean two = o + 1 < outC;
            int second = two ? pixels : 0;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            FloatVector a8 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector b3 = a0;
            FloatVector b4 = a0;
            FloatVector b5 = a0;
            FloatVector b6 = a0;
            FloatVector b7 = a0;
            FloatVector b8 = a0;
            int img = 0;
            int r = 0;
            int c = 0;
            for (int v = 0; v < vectors; v++) {
                int p = pOff + img * plane + r * pw + c;
                int d = dyOff + img * dyImage + o * pixels + r * ow + c;
                FloatVector keep = c == last ? keepLast : keepAll;
                FloatVector g0 = FloatVector.fromArray(S, dy, d).mul(keep);
                FloatVector g1 = FloatVector.fromArray(S, dy, d + second).mul(keep);
                FloatVector x = FloatVector.fromArray(S, padded, p);
                a0 = x.fma(g0, a0);
                b0 = x.fma(g1, b0);
                x = FloatVector.fromArray(S, padded, p + 1);
                a1 = x.fma(g0, a1);
                b1 = x.fma(g1, b1);
                x = FloatVector.fromArray(S, padded, p + 2);
                a2 = x.fma(g0, a2);
                b2 = x.fma(g1, b2);
                x = FloatVector.fromArray(S, padded, p + pw);
                a3 = x.fma(g0, a3);
                b3 = x.fma(g1, b3);
                x = FloatVector.fromArray(S, padded, p + pw + 1);
                a4 = x.fma(g0, a4);
                b4 = x.fma(g1, b4);
                x = FloatVector.fromArray(S, padded, p + pw + 2);
                a5 = x.fma(g0, a5);
                b5 = x.fma(g1, b5);
                x = FloatVector.fromArray(S, padded, p + 2 * pw);
                a6 = x.fma(g0, a6);
                b6 = x.fma(g1, b6);
                x = FloatVector.fromArray(S, padded, p + 2 * pw + 1);
                a7 = x.fma(g0, a7);
                b7 = x.fma(g1, b7);
                x = FloatVector.fromArray(S, padded, p + 2 * pw + 2);
                a8 = x.fma(g0, a8);
                b8 = x.fma(g1, b8);
                if (c < last) {
                    c = Math.min(c + L, last);
                } else {
                    c = 0;
                    if (++r == oh) {
                        r = 0;
                        img++;
                    }
                }
            }
            // the sums, lanes in order as sumOfLanes adds them, through a scratch array: sumOfLanes takes its
            // lanes one at a time, which for 18 vectors here made C2 box them
            float[] lanes = LANES.get();
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, L);
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
            a4.intoArray(lanes, 4 * L);
            a5.intoArray(lanes, 5 * L);
            a6.intoArray(lanes, 6 * L);
            a7.intoArray(lanes, 7 * L);
            a8.intoArray(lanes, 8 * L);
            b0.intoArray(lanes, 9 * L);
            b1.intoArray(lanes, 10 * L);
            b2.intoArray(lanes, 11 * L);
            b3.intoArray(lanes, 12 * L);
            b4.intoArray(lanes, 13 * L);
            b5.intoArray(lanes, 14 * L);
            b6.intoArray(lanes, 15 * L);
            b7.intoArray(lanes, 16 * L);
            b8.intoArray(lanes, 17 * L);
            for (int t = 0; t < (two ? 18 : 9); t++) {
                float sum = 0f;
                for (int k = 0; k < L; k++) {
                    sum += lanes[t * L + k];
                }
                dw[dwOff + 9 * o + t] += sum;
            }
        }
        return true;
    }

    /** Tap k's row and column, and the 45 pairs a <= b of taps in row order (a's and b's rows and columns). */
    private static final int[] TAP_ROW = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    private static final int[] TAP_COL = {0, 1, 2, 0, 1, 2, 0, 1, 2};
    private static final int[] PAIR_ROW_A = new int[45];
    private static final int[] PAIR_COL_A = new int[45];
    private static final int[] PAIR_ROW_B = new int[45];
    private static final int[] PAIR_COL_B = new int[45];

    static {
        int j = 0;
        for (int a = 0; a < 9; a++) {
            for (int b = a; b < 9; b++) {
                PAIR_ROW_A[j] = a / 3;
                PAIR_COL_A[j] = a % 3;
                PAIR_ROW_B[j] = b / 3;
                PAIR_COL_B[j] = b % 3;
                j++;
            }
        }
    }

    /**
     * A vector of output pixels at a time, each moment's vector sum kept in scratch (a short loop body over the
     * moments, rather than 54 accumulators written out: see {@link #winogradInputTiles} on long vector methods),
     * added into the double sums every 8 rows; the row's tail pixels straight into the double sums.
     */
    @Override
    public void patchMoments3x3(float[] padded, int pOff, int pw, int oh, int ow, float[] scratch, double[] moments,
                                int mOff) {
        int bound = S.loopBound(ow);
        for (int row0 = 0; row0 < oh; row0 += 8) {
            java.util.Arrays.fill(scratch, 0, PATCH_MOMENTS * L, 0f);
            int rowEnd = Math.min(oh, row0 + 8);
            for (int r = row0; r < rowEnd; r++) {
                int base = pOff + r * pw;
                for (int c = 0; c < bound; c += L) {
                    int at = base + c;
                    for (int k = 0; k < 9; k++) {
                        FloatVector t = FloatVector.fromArray(S, padded, at + TAP_ROW[k] * pw + TAP_COL[k]);
                        FloatVector.fromArray(S, scratch, k * L).add(t).intoArray(scratch, k * L);
                    }
                    for (int j = 0; j < 45; j++) {
                        FloatVector a = FloatVector.fromArray(S, padded, at + PAIR_ROW_A[j] * pw + PAIR_COL_A[j]);
                        FloatVector b = FloatVector.fromArray(S, padded, at + PAIR_ROW_B[j] * pw + PAIR_COL_B[j]);
                        int m = (9 + j) * L;
                        a.fma(b, FloatVector.fromArray(S, scratch, m)).intoArray(scratch, m);
                    }
                }
                for (int c = bound; c < ow; c++) {
                    ScalarOps.addPatchMoments(padded, base + c, pw, moments, mOff);
                }
            }
            for (int m = 0; m < PATCH_MOMENTS; m++) {
                double sum = 0;
                for (int lane = 0; lane < L; lane++) {
                    sum += scratch[m * L + lane];
                }
                moments[mOff + m] += sum;
            }
        }
    }

    @Override
    public boolean winogradTiles() {
        return true;
    }

    /**
     * B^T d B with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], a lane per tile. A row of B^T d at a time:
     * row i is d's row FIRST_ROW[i] plus SECOND_SIGN[i] times its row SECOND_ROW[i] (an exact fma), then its
     * four results. In a loop rather than written out: on JDK 17, C2 gave up on the vector intrinsics at the end
     * of the written-out form (about 64 vector operations in one method) in some programs, and those allocated.
     */
    @Override
    public void winogradInputTiles(float[] poly, int at, int pp, int q, float[] v, int vOff, int vStride) {
        for (int i = 0; i < 4; i++) {
            int a = at + 2 * (FIRST_ROW[i] & 1) * pp + (FIRST_ROW[i] >> 1) * q;
            int b = at + 2 * (SECOND_ROW[i] & 1) * pp + (SECOND_ROW[i] >> 1) * q;
            FloatVector sign = FloatVector.broadcast(S, SECOND_SIGN[i]);
            FloatVector e0 = FloatVector.fromArray(S, poly, b).fma(sign, FloatVector.fromArray(S, poly, a));
            FloatVector e1 = FloatVector.fromArray(S, poly, b + pp).fma(sign, FloatVector.fromArray(S, poly, a + pp));
            FloatVector e2 = FloatVector.fromArray(S, poly, b + 1).fma(sign, FloatVector.fromArray(S, poly, a + 1));
            FloatVector e3 = FloatVector.fromArray(S, poly, b + pp + 1)
                    .fma(sign, FloatVector.fromArray(S, poly, a + pp + 1));
            int o = vOff + 4 * i * vStride;
            e0.sub(e2).intoArray(v, o);
            e1.add(e2).intoArray(v, o + vStride);
            e2.sub(e1).intoArray(v, o + 2 * vStride);
            e1.sub(e3).intoArray(v, o + 3 * vStride);
        }
    }

    /** Row i of B^T d = d[FIRST_ROW[i]] + SECOND_SIGN[i] d[SECOND_ROW[i]]. */
    private static final int[] FIRST_ROW = {0, 1, 2, 1};
    private static final int[] SECOND_ROW = {2, 2, 1, 3};
    private static final float[] SECOND_SIGN = {-1f, 1f, -1f, -1f};

    /** A vector of pairs at a time by the pooling rows' de-interleaving shuffles, whole vectors stored (no masks: on JDK 17 they box). */
    @Override
    public void deinterleave(float[] x, int xOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff) {
        // rows shorter than a quarter of a vector of pairs (compact's 6x6 planes) go faster pair by pair
        int j = 0;
        for (; 4 * pairs >= L && j < pairs && xOff + 2 * j + 2 * L <= x.length; j += L) {
            FloatVector u0 = FloatVector.fromArray(S, x, xOff + 2 * j);
            FloatVector u1 = FloatVector.fromArray(S, x, xOff + 2 * j + L);
            u0.rearrange(P).blend(u1.rearrange(Q), HIGH).intoArray(even, evenOff + j);
            u0.rearrange(Q).blend(u1.rearrange(P), HIGH).intoArray(odd, oddOff + j);
        }
        ScalarOps.deinterleavePairs(x, xOff + 2 * j, pairs - j, even, evenOff + j, odd, oddOff + j);
    }

    /** A vector of pairs at a time, zipped into two vectors of output, whole vectors stored. */
    @Override
    public void interleave(float[] even, int evenOff, float[] odd, int oddOff, int pairs, float add, boolean relu,
                           float[] y, int yOff) {
        if (4 * pairs < L) {
            // short rows go faster pair by pair, as in deinterleave
            ScalarOps.interleavePairs(even, evenOff, odd, oddOff, pairs, add, relu, y, yOff);
            return;
        }
        FloatVector shift = FloatVector.broadcast(S, add);
        // the ReLU as a lower bound: 0 with it, -infinity (no bound) without
        FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
        for (int j = 0; j < pairs; j += L) {
            FloatVector e = FloatVector.fromArray(S, even, evenOff + j).add(shift).max(floor);
            FloatVector o = FloatVector.fromArray(S, odd, oddOff + j).add(shift).max(floor);
            e.rearrange(ZIP_LOW).blend(o.rearrange(ZIP_LOW), ODD_LANES).intoArray(y, yOff + 2 * j);
            e.rearrange(ZIP_HIGH).blend(o.rearrange(ZIP_HIGH), ODD_LANES).intoArray(y, yOff + 2 * j + L);
        }
    }

    /** Lane k of ZIP_LOW is lane k / 2, of ZIP_HIGH lane L / 2 + k / 2; ODD_LANES takes the odd lanes. */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, k -> k / 2);
    private static final VectorShuffle<Float> ZIP_HIGH = VectorShuffle.fromOp(S, k -> L / 2 + k / 2);
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL & ((1L << L) - 1));

    /** A^T m A with A^T = [1 1 1 0; 0 1 -1 -1], a lane per tile: the columns first, then the rows. */
    @Override
    public void winogradOutputTiles(float[] m, int mOff, int mStride, float[] out, int outOff, int outStride) {
        FloatVector m00 = FloatVector.fromArray(S, m, mOff);
        FloatVector m01 = FloatVector.fromArray(S, m, mOff + mStride);
        FloatVector m02 = FloatVector.fromArray(S, m, mOff + 2 * mStride);
        FloatVector m03 = FloatVector.fromArray(S, m, mOff + 3 * mStride);
        FloatVector m10 = FloatVector.fromArray(S, m, mOff + 4 * mStride);
        FloatVector m11 = FloatVector.fromArray(S, m, mOff + 5 * mStride);
        FloatVector m12 = FloatVector.fromArray(S, m, mOff + 6 * mStride);
        FloatVector m13 = FloatVector.fromArray(S, m, mOff + 7 * mStride);
        FloatVector m20 = FloatVector.fromArray(S, m, mOff + 8 * mStride);
        FloatVector m21 = FloatVector.fromArray(S, m, mOff + 9 * mStride);
        FloatVector m22 = FloatVector.fromArray(S, m, mOff + 10 * mStride);
        FloatVector m23 = FloatVector.fromArray(S, m, mOff + 11 * mStride);
        FloatVector m30 = FloatVector.fromArray(S, m, mOff + 12 * mStride);
        FloatVector m31 = FloatVector.fromArray(S, m, mOff + 13 * mStride);
        FloatVector m32 = FloatVector.fromArray(S, m, mOff + 14 * mStride);
        FloatVector m33 = FloatVector.fromArray(S, m, mOff + 15 * mStride);
        FloatVector z00 = m00.add(m10).add(m20);
        FloatVector z01 = m01.add(m11).add(m21);
        FloatVector z02 = m02.add(m12).add(m22);
        FloatVector z03 = m03.add(m13).add(m23);
        FloatVector z10 = m10.sub(m20).sub(m30);
        FloatVector z11 = m11.sub(m21).sub(m31);
        FloatVector z12 = m12.sub(m22).sub(m32);
        FloatVector z13 = m13.sub(m23).sub(m33);
        z00.add(z01).add(z02).intoArray(out, outOff);
        z01.sub(z02).sub(z03).intoArray(out, outOff + outStride);
        z10.add(z11).add(z12).intoArray(out, outOff + 2 * outStride);
        z11.sub(z12).sub(z13).intoArray(out, outOff + 3 * outStride);
    }

    /**
     * Lane k of DOWN_s is lane k + s, of UP_s lane k - s (wrapping); SET_s marks the lanes whose index has bit s.
     * One butterfly stage per bit: it swaps the bit between a row's index and a lane's (a 16 x 16 transpose).
     */
    private static final VectorShuffle<Float> DOWN_1 = VectorShuffle.fromOp(S, k -> (k + 1) % L);
    private static final VectorShuffle<Float> DOWN_2 = VectorShuffle.fromOp(S, k -> (k + 2) % L);
    private static final VectorShuffle<Float> DOWN_4 = VectorShuffle.fromOp(S, k -> (k + 4) % L);
    private static final VectorShuffle<Float> DOWN_8 = VectorShuffle.fromOp(S, k -> (k + 8) % L);
    private static final VectorShuffle<Float> UP_1 = VectorShuffle.fromOp(S, k -> (k + L - 1) % L);
    private static final VectorShuffle<Float> UP_2 = VectorShuffle.fromOp(S, k -> (k + L - 2) % L);
    private static final VectorShuffle<Float> UP_4 = VectorShuffle.fromOp(S, k -> (k + L - 4) % L);
    private static final VectorShuffle<Float> UP_8 = VectorShuffle.fromOp(S, k -> (k + L - 8) % L);
    private static final VectorMask<Float> SET_1 = VectorMask.fromLong(S, 0xAAAAL & ((1L << L) - 1));
    private static final VectorMask<Float> SET_2 = VectorMask.fromLong(S, 0xCCCCL & ((1L << L) - 1));
    private static final VectorMask<Float> SET_4 = VectorMask.fromLong(S, 0xF0F0L & ((1L << L) - 1));
    private static final VectorMask<Float> SET_8 = VectorMask.fromLong(S, 0xFF00L & ((1L << L) - 1));

    /**
     * 16 x 16 blocks transposed in registers where vectors have 16 lanes (the last block overlapping the one
     * before), a scalar loop otherwise.
     */
    @Override
    public void interleaveLanes(float[] a, int aOff, int n, float[] dst, int dOff) {
        if (L != 16 || n < L) {
            ScalarOps.interleaveRows(a, aOff, L, n, dst, dOff);
            return;
        }
        for (int k0 = 0; k0 < n; k0 += L) {
            int k = Math.min(k0, n - L);
            int src = aOff + k;
            FloatVector r0 = FloatVector.fromArray(S, a, src);
            FloatVector r1 = FloatVector.fromArray(S, a, src + 1 * n);
            FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * n);
            FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * n);
            FloatVector r4 = FloatVector.fromArray(S, a, src + 4 * n);
            FloatVector r5 = FloatVector.fromArray(S, a, src + 5 * n);
            FloatVector r6 = FloatVector.fromArray(S, a, src + 6 * n);
            FloatVector r7 = FloatVector.fromArray(S, a, src + 7 * n);
            FloatVector r8 = FloatVector.fromArray(S, a, src + 8 * n);
            FloatVector r9 = FloatVector.fromArray(S, a, src + 9 * n);
            FloatVector r10 = FloatVector.fromArray(S, a, src + 10 * n);
            FloatVector r11 = FloatVector.fromArray(S, a, src + 11 * n);
            FloatVector r12 = FloatVector.fromArray(S, a, src + 12 * n);
            FloatVector r13 = FloatVector.fromArray(S, a, src + 13 * n);
            FloatVector r14 = FloatVector.fromArray(S, a, src + 14 * n);
            FloatVector r15 = FloatVector.fromArray(S, a, src + 15 * n);
            FloatVector t;
            t = r0.blend(r8.rearrange(UP_8), SET_8);
            r8 = r0.rearrange(DOWN_8).blend(r8, SET_8);
            r0 = t;
            t = r1.blend(r9.rearrange(UP_8), SET_8);
            r9 = r1.rearrange(DOWN_8).blend(r9, SET_8);
            r1 = t;
            t = r2.blend(r10.rearrange(UP_8), SET_8);
            r10 = r2.rearrange(DOWN_8).blend(r10, SET_8);
            r2 = t;
            t = r3.blend(r11.rearrange(UP_8), SET_8);
            r11 = r3.rearrange(DOWN_8).blend(r11, SET_8);
            r3 = t;
            t = r4.blend(r12.rearrange(UP_8), SET_8);
            r12 = r4.rearrange(DOWN_8).blend(r12, SET_8);
            r4 = t;
            t = r5.blend(r13.rearrange(UP_8), SET_8);
            r13 = r5.rearrange(DOWN_8).blend(r13, SET_8);
            r5 = t;
            t = r6.blend(r14.rearrange(UP_8), SET_8);
            r14 = r6.rearrange(DOWN_8).blend(r14, SET_8);
            r6 = t;
            t = r7.blend(r15.rearrange(UP_8), SET_8);
            r15 = r7.rearrange(DOWN_8).blend(r15, SET_8);
            r7 = t;
            t = r0.blend(r4.rearrange(UP_4), SET_4);
            r4 = r0.rearrange(DOWN_4).blend(r4, SET_4);
            r0 = t;
            t = r1.blend(r5.rearrange(UP_4), SET_4);
            r5 = r1.rearrange(DOWN_4).blend(r5, SET_4);
            r1 = t;
            t = r2.blend(r6.rearrange(UP_4), SET_4);
            r6 = r2.rearrange(DOWN_4).blend(r6, SET_4);
            r2 = t;
            t = r3.blend(r7.rearrange(UP_4), SET_4);
            r7 = r3.rearrange(DOWN_4).blend(r7, SET_4);
            r3 = t;
            t = r8.blend(r12.rearrange(UP_4), SET_4);
            r12 = r8.rearrange(DOWN_4).blend(r12, SET_4);
            r8 = t;
            t = r9.blend(r13.rearrange(UP_4), SET_4);
            r13 = r9.rearrange(DOWN_4).blend(r13, SET_4);
            r9 = t;
            t = r10.blend(r14.rearrange(UP_4), SET_4);
            r14 = r10.rearrange(DOWN_4).blend(r14, SET_4);
            r10 = t;
            t = r11.blend(r15.rearrange(UP_4), SET_4);
            r15 = r11.rearrange(DOWN_4).blend(r15, SET_4);
            r11 = t;
            t = r0.blend(r2.rearrange(UP_2), SET_2);
            r2 = r0.rearrange(DOWN_2).blend(r2, SET_2);
            r0 = t;
            t = r1.blend(r3.rearrange(UP_2), SET_2);
            r3 = r1.rearrange(DOWN_2).blend(r3, SET_2);
            r1 = t;
            t = r4.blend(r6.rearrange(UP_2), SET_2);
            r6 = r4.rearrange(DOWN_2).blend(r6, SET_2);
            r4 = t;
            t = r5.blend(r7.rearrange(UP_2), SET_2);
            r7 = r5.rearrange(DOWN_2).blend(r7, SET_2);
            r5 = t;
            t = r8.blend(r10.rearrange(UP_2), SET_2);
            r10 = r8.rearrange(DOWN_2).blend(r10, SET_2);
            r8 = t;
            t = r9.blend(r11.rearrange(UP_2), SET_2);
            r11 = r9.rearrange(DOWN_2).blend(r11, SET_2);
            r9 = t;
            t = r12.blend(r14.rearrange(UP_2), SET_2);
            r14 = r12.rearrange(DOWN_2).blend(r14, SET_2);
            r12 = t;
            t = r13.blend(r15.rearrange(UP_2), SET_2);
            r15 = r13.rearrange(DOWN_2).blend(r15, SET_2);
            r13 = t;
            t = r0.blend(r1.rearrange(UP_1), SET_1);
            r1 = r0.rearrange(DOWN_1).blend(r1, SET_1);
            r0 = t;
            t = r2.blend(r3.rearrange(UP_1), SET_1);
            r3 = r2.rearrange(DOWN_1).blend(r3, SET_1);
            r2 = t;
            t = r4.blend(r5.rearrange(UP_1), SET_1);
            r5 = r4.rearrange(DOWN_1).blend(r5, SET_1);
            r4 = t;
            t = r6.blend(r7.rearrange(UP_1), SET_1);
            r7 = r6.rearrange(DOWN_1).blend(r7, SET_1);
            r6 = t;
            t = r8.blend(r9.rearrange(UP_1), SET_1);
            r9 = r8.rearrange(DOWN_1).blend(r9, SET_1);
            r8 = t;
            t = r10.blend(r11.rearrange(UP_1), SET_1);
            r11 = r10.rearrange(DOWN_1).blend(r11, SET_1);
            r10 = t;
            t = r12.blend(r13.rearrange(UP_1), SET_1);
            r13 = r12.rearrange(DOWN_1).blend(r13, SET_1);
            r12 = t;
            t = r14.blend(r15.rearrange(UP_1), SET_1);
            r15 = r14.rearrange(DOWN_1).blend(r15, SET_1);
            r14 = t;
            int o = dOff + k * L;
            r0.intoArray(dst, o);
            r1.intoArray(dst, o + 1 * L);
            r2.intoArray(dst, o + 2 * L);
            r3.intoArray(dst, o + 3 * L);
            r4.intoArray(dst, o + 4 * L);
            r5.intoArray(dst, o + 5 * L);
            r6.intoArray(dst, o + 6 * L);
            r7.intoArray(dst, o + 7 * L);
            r8.intoArray(dst, o + 8 * L);
            r9.intoArray(dst, o + 9 * L);
            r10.intoArray(dst, o + 10 * L);
            r11.intoArray(dst, o + 11 * L);
            r12.intoArray(dst, o + 12 * L);
            r13.intoArray(dst, o + 13 * L);
            r14.intoArray(dst, o + 14 * L);
            r15.intoArray(dst, o + 15 * L);
        }
    }

    /** Lanes MR.. first: the upper block of MR channels where the micro-kernel's A operand wants them. */
    private static final VectorShuffle<Float> UPPER_BLOCK_FIRST = VectorShuffle.fromOp(S, k -> (k + MR) % L);

    /** Where a vector holds one or two micro-tile blocks of MR channels (one species only: mixing them slows all). */
    @Override
    public boolean winogradChannelTiles() {
        return L == MR || L == 2 * MR;
    }

    /** {@link #winogradInputTiles}'s B^T d B, a lane per channel, a tile at a time along the row, a row of B^T d at a time. */
    @Override
    public void winogradChannelInputTiles(float[] x, int xOff, int rowStride, int count, float[] v, int vOff,
                                          int tileStride, int vStride) {
        for (int k = 0; k < count; k++) {
            int tile = xOff + 2 * k * L;
            int o = vOff + k * tileStride;
            for (int i = 0; i < 4; i++) {
                int a = tile + FIRST_ROW[i] * rowStride;
                int b = tile + SECOND_ROW[i] * rowStride;
                FloatVector sign = FloatVector.broadcast(S, SECOND_SIGN[i]);
                FloatVector e0 = FloatVector.fromArray(S, x, b).fma(sign, FloatVector.fromArray(S, x, a));
                FloatVector e1 = FloatVector.fromArray(S, x, b + L).fma(sign, FloatVector.fromArray(S, x, a + L));
                FloatVector e2 = FloatVector.fromArray(S, x, b + 2 * L).fma(sign, FloatVector.fromArray(S, x, a + 2 * L));
                FloatVector e3 = FloatVector.fromArray(S, x, b + 3 * L).fma(sign, FloatVector.fromArray(S, x, a + 3 * L));
                int r = o + 4 * i * vStride;
                e0.sub(e2).intoArray(v, r);
                e1.add(e2).intoArray(v, r + vStride);
                e2.sub(e1).intoArray(v, r + 2 * vStride);
                e1.sub(e3).intoArray(v, r + 3 * vStride);
            }
        }
    }

    /**
     * A g A^T with A = [1 0; 1 1; 1 -1; 0 -1], a lane per channel: the rows first (g's two rows combined), then
     * each row [u, w] becomes [u, u + w, u - w, -w]. Whole vectors stored, the upper block rotated down.
     */
    @Override
    public void winogradChannelOutputGradientTiles(float[] dy, int dyOff, int rowStride, int count, float[] m,
                                                   int mOff, int blockStride, int mStride) {
        for (int k = 0; k < count; k++) {
            int r0 = dyOff + 2 * k * L;
            FloatVector g00 = FloatVector.fromArray(S, dy, r0);
            FloatVector g01 = FloatVector.fromArray(S, dy, r0 + L);
            FloatVector g10 = FloatVector.fromArray(S, dy, r0 + rowStride);
            FloatVector g11 = FloatVector.fromArray(S, dy, r0 + rowStride + L);
            FloatVector s0 = g00.add(g10);
            FloatVector s1 = g01.add(g11);
            FloatVector t0 = g00.sub(g10);
            FloatVector t1 = g01.sub(g11);
            FloatVector n0 = g10.neg();
            FloatVector n1 = g11.neg();
            FloatVector m01 = g00.add(g01);
            FloatVector m02 = g00.sub(g01);
            FloatVector m03 = g01.neg();
            FloatVector m11 = s0.add(s1);
            FloatVector m12 = s0.sub(s1);
            FloatVector m13 = s1.neg();
            FloatVector m21 = t0.add(t1);
            FloatVector m22 = t0.sub(t1);
            FloatVector m23 = t1.neg();
            FloatVector m31 = n0.add(n1);
            FloatVector m32 = n0.sub(n1);
            int o = mOff + k * MR;
            g00.intoArray(m, o);
            m01.intoArray(m, o + mStride);
            m02.intoArray(m, o + 2 * mStride);
            m03.intoArray(m, o + 3 * mStride);
            s0.intoArray(m, o + 4 * mStride);
            m11.intoArray(m, o + 5 * mStride);
            m12.intoArray(m, o + 6 * mStride);
            m13.intoArray(m, o + 7 * mStride);
            t0.intoArray(m, o + 8 * mStride);
            m21.intoArray(m, o + 9 * mStride);
            m22.intoArray(m, o + 10 * mStride);
            m23.intoArray(m, o + 11 * mStride);
            n0.intoArray(m, o + 12 * mStride);
            m31.intoArray(m, o + 13 * mStride);
            m32.intoArray(m, o + 14 * mStride);
            g11.intoArray(m, o + 15 * mStride);
            if (L > MR) {
                o += blockStride;
                g00.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o);
                m01.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + mStride);
                m02.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 2 * mStride);
                m03.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 3 * mStride);
                s0.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 4 * mStride);
                m11.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 5 * mStride);
                m12.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 6 * mStride);
                m13.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 7 * mStride);
                t0.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 8 * mStride);
                m21.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 9 * mStride);
                m22.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 10 * mStride);
                m23.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 11 * mStride);
                n0.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 12 * mStride);
                m31.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 13 * mStride);
                m32.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 14 * mStride);
                g11.rearrange(UPPER_BLOCK_FIRST).intoArray(m, o + 15 * mStride);
            }
        }
    }

    /** L zeros, then L ones: from offset t, a vector whose last t lanes are 1. */
    private static final float[] KEEP = new float[2 * L];

    static {
        java.util.Arrays.fill(KEEP, L, 2 * L, 1f);
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, y, yOff + i).add(FloatVector.fromArray(S, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    private void reluForwardRange(float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).max(zero).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            float v = x[xOff + i];
            y[yOff + i] = v > 0f ? v : 0f;
        }
    }

    private void reluBackwardRange(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            VectorMask<Float> live = FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(S, dy, dyOff + i), live).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    private void sigmoidBackwardRange(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector s = FloatVector.fromArray(S, y, yOff + i);
            FloatVector.fromArray(S, dy, dyOff + i).mul(s).mul(one.sub(s)).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i)).abs().intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Math.abs(a[aOff + i] - b[bOff + i]);
        }
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(S, a, aOff + i).sub(FloatVector.fromArray(S, b, bOff + i));
            FloatVector g = FloatVector.fromArray(S, dOut, dOutOff + i);
            FloatVector signed = zero.blend(g, d.compare(VectorOperators.GT, 0f))
                    .blend(g.neg(), d.compare(VectorOperators.LT, 0f));
            signed.intoArray(da, daOff + i);
            signed.neg().intoArray(db, dbOff + i);
        }
        for (; i < n; i++) {
            float d = a[aOff + i] - b[bOff + i];
            float g = d > 0f ? dOut[dOutOff + i] : (d < 0f ? -dOut[dOutOff + i] : 0f);
            da[daOff + i] = g;
            db[dbOff + i] = -g;
        }
    }

    /**
     * The lanes summed in lane order. Not reduceLanes(ADD): its order is unspecified for floats, and on JDK 25
     * the interpreted and the compiled code were seen to round differently, so a resumed run drifted from an
     * uninterrupted one.
     */
    /** Per-thread scratch for the 18 accumulators of {@link #conv3x3OneChannelWeightGradient}. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[18 * L]);

    private static float sumOfLanes(FloatVector v) {
        float s = 0f;
        for (int k = 0; k < L; k++) {
            s += v.lane(k);
        }
        return s;
    }
}
