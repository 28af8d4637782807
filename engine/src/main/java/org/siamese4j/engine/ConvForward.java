package org.siamese4j.engine;

/**
 * y = conv(x, w) + bias, then ReLU when asked: per thread a run of images, each group of them one implicit
 * GEMM y (outC x images*pixels) = W (outC x patch) * im2col(x) (patch x images*pixels). The weights, the A
 * operand of all of them, are packed once per thread; the im2col matrix is the B operand, packed straight from
 * the images (from zero-padded copies for padding at stride 1, so that its rows are contiguous runs) and never
 * stored whole.
 */
final class ConvForward {
    private final Parallel parallel;
    private final VectorOps ops;
    private final PackedGemm gemm;
    private final ThreadLocal<Workspace> workspaces;
    private final ThreadLocal<Task> tasks = ThreadLocal.withInitial(Task::new);
    private final ConvWinograd winograd;

    ConvForward(Parallel parallel, VectorOps ops, PackedGemm gemm, ThreadLocal<Workspace> workspaces,
                ConvWinograd winograd) {
        this.parallel = parallel;
        this.ops = ops;
        this.gemm = gemm;
        this.workspaces = workspaces;
        this.winograd = winograd;
    }

    /** {@link Kernels#conv2dForward}: checked, then split over the threads by images. */
    void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                       float[] y, int yOff, boolean relu) {
        Checks.range("conv input", x, xOff, (long) g.batch() * g.inSize(), g);
        Checks.range("conv weights", w, wOff, g.weightSize(), g);
        if (bias != null) {
            Checks.range("conv bias", bias, biasOff, g.outChannels(), g);
        }
        Checks.range("conv output", y, yOff, (long) g.batch() * g.outSize(), g);
        Task t = tasks.get();
        t.g = g;
        t.x = x;
        t.xOff = xOff;
        t.w = w;
        t.wOff = wOff;
        t.bias = bias;
        t.biasOff = biasOff;
        t.y = y;
        t.yOff = yOff;
        t.relu = relu;
        try {
            parallel.run(t);
        } finally {
            t.clear();
        }
    }

    /** One part: images [i0, i1) of the batch, a group of them per GEMM. */
    private void part(int part, int parts, ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
                      float[] bias, int biasOff, float[] y, int yOff, boolean relu) {
        int i0 = Parallel.rangeStart(g.batch(), part, parts);
        int i1 = Parallel.rangeStart(g.batch(), part + 1, parts);
        if (i0 >= i1) {
            return;
        }
        if (winograd.forwardApplies(g)) {
            winograd.forward(i0, i1, g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu);
            return;
        }
        Workspace ws = workspaces.get();
        if (g.oneChannel3x3() && directOneChannel(i0, i1, g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu, ws)) {
            return;
        }
        int pixels = g.outPixels();
        int patch = g.patchSize();
        int outC = g.outChannels();
        int pad = g.padding();
        boolean prepad = pad > 0 && g.stride() == 1;
        int ph = g.inHeight() + 2 * pad;
        int pw = g.inWidth() + 2 * pad;
        int paddedSize = g.inChannels() * ph * pw;
        // the weights are the A operand of every image's GEMM: pack them once
        MatrixSource.Packed weights = gemm.prepack(ws.a.set(w, wOff, patch, false), outC, patch, ws);
        int group = ConvImages.imagesPerGemm(pixels, i1 - i0);
        for (int img = i0; img < i1; img += group) {
            int n = Math.min(group, i1 - img);
            int cols = n * pixels;
            MatrixSource.Im2col cols2;
            if (prepad) {
                float[] buf = ws.ensurePadded(n * paddedSize);
                ConvImages.padImages(x, xOff + img * g.inSize(), n, g.inChannels(), g.inHeight(), g.inWidth(), pad, pad, buf);
                cols2 = ws.im2col.set(buf, 0, g.inChannels(), ph, pw, g.kernelHeight(), g.kernelWidth(), 1, 0, false);
            } else {
                cols2 = ws.im2col.set(x, xOff + img * g.inSize(), g, false);
            }
            if (n == 1) {
                int out = yOff + img * g.outSize();
                gemm.gemmSerial(weights, cols2, outC, pixels, patch, 1f, 0f, y, out, pixels, ws);
                for (int c = 0; c < outC; c++) {
                    ops.biasActivate(y, out + c * pixels, pixels, bias == null ? 0f : bias[biasOff + c], relu);
                }
            } else {
                float[] tmp = ws.ensureTmp(outC * cols);
                gemm.gemmSerial(weights, cols2, outC, cols, patch, 1f, 0f, tmp, 0, cols, ws);
                for (int c = 0; c < outC; c++) {
                    for (int i = 0; i < n; i++) {
                        int out = yOff + (img + i) * g.outSize() + c * pixels;
                        System.arraycopy(tmp, c * cols + i * pixels, y, out, pixels);
                        ops.biasActivate(y, out, pixels, bias == null ? 0f : bias[biasOff + c], relu);
                    }
                }
            }
        }
    }

    /**
     * Images [i0, i1) of a first layer by the backend's direct kernel ({@link VectorOps#conv3x3OneChannel}), each
     * zero-padded first if the layer pads; false, with nothing written, where the backend has none.
     */
    private boolean directOneChannel(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] w, int wOff,
                                     float[] bias, int biasOff, float[] y, int yOff, boolean relu, Workspace ws) {
        int pad = g.padding();
        int pw = g.inWidth() + 2 * pad;
        for (int img = i0; img < i1; img++) {
            float[] src = x;
            int sOff = xOff + img * g.inSize();
            if (pad > 0) {
                src = ws.ensurePadded((g.inHeight() + 2 * pad) * pw);
                ConvImages.padImages(x, sOff, 1, 1, g.inHeight(), g.inWidth(), pad, pad, src);
                sOff = 0;
            }
            int out = yOff + img * g.outSize();
            if (!ops.conv3x3OneChannel(src, sOff, pw, g.outHeight(), g.outWidth(), w, wOff, g.outChannels(), bias,
                    biasOff, relu, y, out)) {
                return false;
            }
        }
        return true;
    }

    /** The pass as a reusable parallel body (one per calling thread, so a call allocates nothing). */
    private final class Task implements Parallel.Body {
        ConvGeometry g;
        float[] x;
        int xOff;
        float[] w;
        int wOff;
        float[] bias;
        int biasOff;
        float[] y;
        int yOff;
        boolean relu;

        void clear() {
            g = null;
            x = null;
            w = null;
            bias = null;
            y = null;
        }

        @Override
        public void run(int part, int parts) {
            part(part, parts, g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu);
        }
    }
}
