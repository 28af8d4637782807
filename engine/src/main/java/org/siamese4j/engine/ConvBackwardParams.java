package org.siamese4j.engine;

import java.util.Arrays;

/**
 * dw += the gradient with respect to the weights, dbias += the gradient with respect to the bias (skipped when
 * null). Per thread a run of images, each thread summing into its own copy (part 0 straight into dw and dbias),
 * and the copies are added in part order at the end, so results do not depend on who ran which part. The
 * weight gradient by the first strategy that fits: the backend's direct kernel for a one-channel 3x3 layer;
 * Winograd's F(2x2, 3x3) ({@link ConvWinograd#backwardWeights}) for 3x3 layers with a one-pixel border, even
 * sides and channels enough; a "shift GEMM" per kernel tap on channel-interleaved copies (stride 1, channels
 * enough, few junk columns); else dW (outC x patch) += dY (outC x images*pixels) times im2col(x)^T, from
 * zero-padded copies for padding at stride 1.
 */
final class ConvBackwardParams {
    /** Zero-padded image copies for the weight gradient are made this many floats at a time at most. */
    private static final int PAD_CHUNK_FLOATS = 1 << 20;
    /** Images packed per chunk by the shift-GEMM weight gradient: about this many floats (L2-sized). */
    private static final int SHIFT_CHUNK_FLOATS = 1 << 17;

    private final Parallel parallel;
    private final VectorOps ops;
    private final PackedGemm gemm;
    private final ThreadLocal<Workspace> workspaces;
    private final ConvWinograd winograd;
    private final ThreadLocal<Task> tasks = ThreadLocal.withInitial(Task::new);
    private final int mr;
    private final int nr;
    /** Per-part weight-gradient partial sums; backward passes on one instance are serialised by this lock. */
    private final Object partialLock = new Object();
    private float[][] partialWeights = new float[0][];
    private float[][] partialBias = new float[0][];

    ConvBackwardParams(Parallel parallel, VectorOps ops, PackedGemm gemm, ThreadLocal<Workspace> workspaces,
                       ConvWinograd winograd) {
        this.parallel = parallel;
        this.ops = ops;
        this.gemm = gemm;
        this.workspaces = workspaces;
        this.winograd = winograd;
        this.mr = gemm.mr;
        this.nr = gemm.nr;
    }

    /** {@link Kernels#conv2dBackwardParams}: checked, split over the threads by images, then the parts summed. */
    void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                              float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        Checks.range("conv input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("conv output gradient", dy, dyOff, (long) g.batch() * g.outSize(), g);
        Checks.range("conv weight gradient", dw, dwOff, g.weightSize(), g);
        if (dbias != null) {
            Checks.range("conv bias gradient", dbias, dbiasOff, g.outChannels(), g);
        }
        int outC = g.outChannels();
        synchronized (partialLock) {
            int parts = parallel.threads();
            ensurePartials(parts, g.weightSize(), outC);
            Task t = tasks.get();
            t.g = g;
            t.x = x;
            t.xOff = xOff;
            t.dy = dy;
            t.dyOff = dyOff;
            t.dw = dw;
            t.dwOff = dwOff;
            t.dbias = dbias;
            t.dbiasOff = dbiasOff;
            try {
                parallel.run(t);
            } finally {
                t.clear();
            }
            for (int p = 1; p < parts; p++) {
                ops.add(partialWeights[p], 0, dw, dwOff, g.weightSize());
                if (dbias != null) {
                    ops.add(partialBias[p], 0, dbias, dbiasOff, outC);
                }
            }
        }
    }

    private void ensurePartials(int parts, int weights, int biases) {
        if (partialWeights.length < parts) {
            partialWeights = Arrays.copyOf(partialWeights, parts);
            partialBias = Arrays.copyOf(partialBias, parts);
        }
        for (int p = 1; p < parts; p++) {
            if (partialWeights[p] == null || partialWeights[p].length < weights) {
                partialWeights[p] = new float[weights];
            }
            if (partialBias[p] == null || partialBias[p].length < biases) {
                partialBias[p] = new float[biases];
            }
        }
    }

    /** One part: images [i0, i1) of the batch into its own partial sums (part 0: into dw and dbias). */
    private void part(int part, int count, ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                      float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        int i0 = Parallel.rangeStart(g.batch(), part, count);
        int i1 = Parallel.rangeStart(g.batch(), part + 1, count);
        float[] wTarget = part == 0 ? dw : partialWeights[part];
        int wAt = part == 0 ? dwOff : 0;
        float[] bTarget = part == 0 ? dbias : (dbias == null ? null : partialBias[part]);
        int bAt = part == 0 ? dbiasOff : 0;
        if (part != 0) {
            Arrays.fill(wTarget, 0, g.weightSize(), 0f);
            if (bTarget != null) {
                Arrays.fill(bTarget, 0, outC, 0f);
            }
        }
        if (i0 >= i1) {
            return;
        }
        Workspace ws = workspaces.get();
        int pad = g.padding();
        if (g.oneChannel3x3() && directOneChannel(i0, i1, g, x, xOff, dy, dyOff, wTarget, wAt, ws)) {
            // done by the backend's direct kernel
        } else if (winograd.weightGradientApplies(g)) {
            winograd.backwardWeights(i0, i1, g, x, xOff, dy, dyOff, wTarget, wAt);
        } else if (shiftGemmFits(g)) {
            backwardParamsByShifts(i0, i1, g, x, xOff, dy, dyOff, wTarget, wAt, ws);
        } else if (pad > 0 && g.stride() == 1) {
            // zero-padded copies, a chunk of images at a time, so that the im2col runs are contiguous
            int ph = g.inHeight() + 2 * pad;
            int pw = g.inWidth() + 2 * pad;
            int paddedSize = g.inChannels() * ph * pw;
            int chunk = Math.max(1, Math.min(i1 - i0, PAD_CHUNK_FLOATS / paddedSize));
            for (int img = i0; img < i1; img += chunk) {
                int n = Math.min(chunk, i1 - img);
                float[] buf = ws.ensurePadded(n * paddedSize);
                ConvImages.padImages(x, xOff + img * g.inSize(), n, g.inChannels(), g.inHeight(), g.inWidth(), pad, pad, buf);
                MatrixSource.Batched dys = ws.batched.set(dy, dyOff + img * g.outSize(), g.outSize(), pixels);
                MatrixSource.Im2col colsT = ws.im2col.set(buf, 0, g.inChannels(), ph, pw, g.kernelHeight(), g.kernelWidth(),
                        1, 0, true);
                gemm.gemmSerial(dys, colsT, outC, patch, n * pixels, 1f, 1f, wTarget, wAt, patch, ws);
            }
        } else {
            // dW (outC x patch) += dY (outC x (images*pixels)) * im2col^T ((images*pixels) x patch)
            MatrixSource.Batched dys = ws.batched.set(dy, dyOff + i0 * g.outSize(), g.outSize(), pixels);
            MatrixSource.Im2col colsT = ws.im2col.set(x, xOff + i0 * g.inSize(), g, true);
            gemm.gemmSerial(dys, colsT, outC, patch, (i1 - i0) * pixels, 1f, 1f, wTarget, wAt, patch, ws);
        }
        for (int img = i0; img < i1 && bTarget != null; img++) {
            int base = dyOff + img * g.outSize();
            for (int c = 0; c < outC; c++) {
                bTarget[bAt + c] += ops.sum(dy, base + c * pixels, pixels);
            }
        }
    }

    /**
     * A first layer's weight gradient by the backend's direct kernel ({@link VectorOps#conv3x3OneChannelWeightGradient}),
     * a chunk of images at a time (zero-padded first if the layer pads), small enough to stay in L2 while every pair
     * of output channels goes over it; false, with nothing added, where the backend has none.
     */
    private boolean directOneChannel(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                     float[] wTarget, int wAt, Workspace ws) {
        int pad = g.padding();
        int pw = g.inWidth() + 2 * pad;
        int paddedSize = (g.inHeight() + 2 * pad) * pw;
        int chunk = Math.max(1, Math.min(i1 - i0, SHIFT_CHUNK_FLOATS / paddedSize));
        for (int img = i0; img < i1; img += chunk) {
            int n = Math.min(chunk, i1 - img);
            float[] src = x;
            int sOff = xOff + img * g.inSize();
            if (pad > 0) {
                src = ws.ensurePadded(n * paddedSize);
                ConvImages.padImages(x, sOff, n, 1, g.inHeight(), g.inWidth(), pad, pad, src);
                sOff = 0;
            }
            if (!ops.conv3x3OneChannelWeightGradient(src, sOff, n, pw, g.outHeight(), g.outWidth(), dy,
                    dyOff + img * g.outSize(), g.outSize(), g.outChannels(), wTarget, wAt)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stride 1, channels enough for the rows of a micro-tile, few junk columns on the padded-width grid, and
     * either padding (which the im2col path must copy and packs in short runs) or images large enough for
     * long micro-kernel calls (measured: the im2col path wins on small unpadded images, e.g. 9x9).
     */
    private boolean shiftGemmFits(ConvGeometry g) {
        if (g.stride() != 1 || g.inChannels() < 8) {
            return false;
        }
        int pw = g.inWidth() + 2 * g.padding();
        long grid = (long) (g.outHeight() - 1) * pw + g.outWidth();
        return 2 * grid <= 3L * g.outPixels() && (g.padding() > 0 || grid >= 128);
    }

    /**
     * The weight gradient as one small GEMM per kernel tap, with nothing packed per tap. On the padded
     * input's grid (row width pw), output pixel (oy, ox) sits at p = oy * pw + ox and tap (ky, kx) reads
     * the input at p + ky * pw + kx: a fixed shift. So with x stored channel-interleaved (mr channels per
     * panel, one pixel after another) and dy likewise (nr channels per panel, zero at the junk columns
     * ox >= ow), dW[., ., ky, kx]^T (inC x outC) = sum over p of X[., p + shift] dY[., p]^T, and the
     * micro-kernel reads both operands straight from those two buffers, shifting only A's offset. Each
     * image is packed once (its own size) instead of expanding im2col kh * kw times.
     */
    private void backwardParamsByShifts(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                        float[] wTarget, int wAt, Workspace ws) {
        int inC = g.inChannels();
        int outC = g.outChannels();
        int kh = g.kernelHeight();
        int kw = g.kernelWidth();
        int pad = g.padding();
        int h = g.inHeight();
        int w = g.inWidth();
        int ph = h + 2 * pad;
        int pw = w + 2 * pad;
        int plane = ph * pw;
        int oh = g.outHeight();
        int ow = g.outWidth();
        int outPixels = oh * ow;
        int grid = (oh - 1) * pw + ow;
        int cBlocks = (inC + mr - 1) / mr;
        int oBlocks = (outC + nr - 1) / nr;
        int inCp = cBlocks * mr;
        int outCp = oBlocks * nr;
        int shifts = kh * kw;
        float[] acc = ws.ensureShiftAcc(shifts * inCp * outCp);
        Arrays.fill(acc, 0, shifts * inCp * outCp, 0f);
        // a chunk of images is packed at a time, small enough to stay in L2; each accumulator tile then
        // stays in L1 while the images of the chunk go by
        int xSize = cBlocks * plane * mr;
        int dySize = oBlocks * grid * nr;
        int chunk = Math.max(1, Math.min(i1 - i0, SHIFT_CHUNK_FLOATS / (xSize + dySize)));
        float[] px = ws.ensureShiftX(chunk * xSize);
        float[] pd = ws.ensureShiftDy(chunk * dySize);
        for (int first = i0; first < i1; first += chunk) {
            int n = Math.min(chunk, i1 - first);
            for (int i = 0; i < n; i++) {
                int img = first + i;
                // x: zero-padded planes, interleaved mr channels at a time
                float[] src = x;
                int sOff = xOff + img * g.inSize();
                if (pad > 0) {
                    src = ws.ensurePadded(inC * plane);
                    ConvImages.padImages(x, sOff, 1, inC, h, w, pad, pad, src);
                    sOff = 0;
                }
                for (int cb = 0; cb < cBlocks; cb++) {
                    int base = i * xSize + cb * plane * mr;
                    int live = Math.min(mr, inC - cb * mr);
                    if (mr == 8 && live == 8) {
                        MatrixSource.interleave8(src, sOff + cb * mr * plane, plane, plane, px, base);
                    } else {
                        for (int p = 0; p < plane; p++) {
                            for (int r = 0; r < mr; r++) {
                                px[base + p * mr + r] = r < live ? src[sOff + (cb * mr + r) * plane + p] : 0f;
                            }
                        }
                    }
                }
                // dy: nr channels at a time on the padded-width grid, zero at the junk columns
                int dOff = dyOff + img * g.outSize();
                for (int ob = 0; ob < oBlocks; ob++) {
                    int base = i * dySize + ob * grid * nr;
                    int live = Math.min(nr, outC - ob * nr);
                    for (int oy = 0; oy < oh; oy++) {
                        int row = base + oy * pw * nr;
                        for (int c = 0; c < live; c++) {
                            int src2 = dOff + (ob * nr + c) * outPixels + oy * ow;
                            for (int ox = 0; ox < ow; ox++) {
                                pd[row + ox * nr + c] = dy[src2 + ox];
                            }
                        }
                        for (int ox = 0; ox < ow; ox++) {
                            for (int c = live; c < nr; c++) {
                                pd[row + ox * nr + c] = 0f;
                            }
                        }
                        if (oy < oh - 1) {
                            Arrays.fill(pd, row + ow * nr, row + pw * nr, 0f);
                        }
                    }
                }
            }
            for (int ob = 0; ob < oBlocks; ob++) {
                for (int cb = 0; cb < cBlocks; cb++) {
                    shiftTiles(px, (cb * plane) * mr, xSize, pd, ob * grid * nr, dySize, n, grid, kh, kw, pw,
                            acc, (cb * mr) * outCp + ob * nr, inCp * outCp, outCp);
                }
            }
        }
        // dW[co][ci][ky][kx] += acc[ky*kw+kx][ci][co]
        for (int co = 0; co < outC; co++) {
            for (int ci = 0; ci < inC; ci++) {
                int d = wAt + (co * inC + ci) * shifts;
                for (int sh = 0; sh < shifts; sh++) {
                    wTarget[d + sh] += acc[(sh * inCp + ci) * outCp + co];
                }
            }
        }
    }

    /**
     * The kh * kw tap tiles of one (channel block, output-channel block) pair, over n images. A method of
     * its own, called often, so that the JIT compiles it whole: compiled on-stack-replacement inside the
     * long image loop, the inlined micro-kernel was seen to box its vectors on JDK 17.
     */
    private void shiftTiles(float[] px, int aBase, int xSize, float[] pd, int bBase, int dySize, int n, int grid,
                            int kh, int kw, int pw, float[] acc, int tileBase, int tileStride, int ldc) {
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int tile = tileBase + (ky * kw + kx) * tileStride;
                int aAt = aBase + (ky * pw + kx) * mr;
                for (int i = 0; i < n; i++) {
                    ops.microKernel(grid, px, i * xSize + aAt, pd, i * dySize + bBase, acc, tile, ldc, false);
                }
            }
        }
    }

    /** The pass as a reusable parallel body (one per calling thread, so a call allocates nothing). */
    private final class Task implements Parallel.Body {
        ConvGeometry g;
        float[] x;
        int xOff;
        float[] dy;
        int dyOff;
        float[] dw;
        int dwOff;
        float[] dbias;
        int dbiasOff;

        void clear() {
            g = null;
            x = null;
            dy = null;
            dw = null;
            dbias = null;
        }

        @Override
        public void run(int part, int parts) {
            part(part, parts, g, x, xOff, dy, dyOff, dw, dwOff, dbias, dbiasOff);
        }
    }
}
