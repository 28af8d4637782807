package org.siamese4j.engine;

/**
 * A logical matrix that the GEMM driver packs into micro-panels. Real arrays and virtual matrices
 * (im2col of an image batch, never materialised) implement the same two packing routines, so one GEMM
 * serves dense layers and convolutions alike.
 */
abstract class MatrixSource {

    /**
     * Packs rows [row0, row0+rows) x cols [col0, col0+cols) as the A operand: panels of mr rows, each
     * stored column by column (mr values per column), rows past the end zero-filled.
     */
    void packA(int row0, int rows, int col0, int cols, int mr, float[] dst) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is never the A operand");
    }

    /**
     * Packs rows [row0, row0+rows) x cols [col0, col0+cols) as the B operand: panels of nr columns, each
     * stored row by row (nr values per row), columns past the end zero-filled.
     */
    void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " is never the B operand");
    }

    /**
     * An mr = 8 A panel from 8 rows of a row-major array: dst[d + p * 8 + r] = a[s + r * ld + p] for p < cols.
     * Reads eight sequential streams and writes sequentially.
     */
    static void interleave8(float[] a, int s, int ld, int cols, float[] dst, int d) {
        int s1 = s + ld;
        int s2 = s1 + ld;
        int s3 = s2 + ld;
        int s4 = s3 + ld;
        int s5 = s4 + ld;
        int s6 = s5 + ld;
        int s7 = s6 + ld;
        for (int p = 0; p < cols; p++) {
            int o = d + p * 8;
            dst[o] = a[s + p];
            dst[o + 1] = a[s1 + p];
            dst[o + 2] = a[s2 + p];
            dst[o + 3] = a[s3 + p];
            dst[o + 4] = a[s4 + p];
            dst[o + 5] = a[s5 + p];
            dst[o + 6] = a[s6 + p];
            dst[o + 7] = a[s7 + p];
        }
    }

    /** A row-major array, optionally read transposed. */
    static final class Dense extends MatrixSource {
        private float[] a;
        private int off;
        private int ld;
        private boolean trans;

        Dense set(float[] a, int off, int ld, boolean trans) {
            this.a = a;
            this.off = off;
            this.ld = ld;
            this.trans = trans;
            return this;
        }

        @Override
        void packA(int row0, int rows, int col0, int cols, int mr, float[] dst) {
            for (int ir = 0; ir < rows; ir += mr) {
                int base = ir * cols;
                int live = Math.min(mr, rows - ir);
                if (trans) {
                    // element (i, p) = a[p*ld + i]: each column of the panel is a contiguous run
                    for (int p = 0; p < cols; p++) {
                        int d = base + p * mr;
                        System.arraycopy(a, off + (col0 + p) * ld + row0 + ir, dst, d, live);
                        for (int r = live; r < mr; r++) {
                            dst[d + r] = 0f;
                        }
                    }
                } else if (mr == 8 && live == 8) {
                    interleave8(a, off + (row0 + ir) * ld + col0, ld, cols, dst, base);
                } else {
                    for (int r = 0; r < live; r++) {
                        int s = off + (row0 + ir + r) * ld + col0;
                        int d = base + r;
                        for (int p = 0; p < cols; p++) {
                            dst[d + p * mr] = a[s + p];
                        }
                    }
                    for (int r = live; r < mr; r++) {
                        for (int p = 0; p < cols; p++) {
                            dst[base + r + p * mr] = 0f;
                        }
                    }
                }
            }
        }

        @Override
        void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
            if (!trans) {
                // one pass over each source row, across all panels
                for (int p = 0; p < rows; p++) {
                    int s = off + (row0 + p) * ld + col0;
                    for (int jr = 0; jr < cols; jr += nr) {
                        int live = Math.min(nr, cols - jr);
                        int d = jr * rows + p * nr;
                        System.arraycopy(a, s + jr, dst, d, live);
                        for (int c = live; c < nr; c++) {
                            dst[d + c] = 0f;
                        }
                    }
                }
                return;
            }
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                // element (p, j) = a[j*ld + p]: walk each source row once
                for (int c = 0; c < live; c++) {
                    int s = off + (col0 + jr + c) * ld + row0;
                    int d = base + c;
                    for (int p = 0; p < rows; p++) {
                        dst[d + p * nr] = a[s + p];
                    }
                }
                if (live < nr) {
                    for (int p = 0; p < rows; p++) {
                        for (int c = live; c < nr; c++) {
                            dst[base + p * nr + c] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Per-image matrices laid side by side: element (r, j) with j = img * cols + c reads
     * a[off + img * imageStride + r * cols + c]. This is a batch of NCHW conv outputs (channel x pixel)
     * seen as one channel x (image, pixel) matrix.
     */
    static final class Batched extends MatrixSource {
        private float[] a;
        private int off;
        private int imageStride;
        private int cols;

        /** First column: columns read are shifted by this much (see {@link #from}). */
        private int shift;

        Batched set(float[] a, int off, int imageStride, int cols) {
            this.a = a;
            this.off = off;
            this.imageStride = imageStride;
            this.cols = cols;
            this.shift = 0;
            return this;
        }

        /** The same matrix from column {@code col} on. */
        Batched from(int col) {
            this.shift = col;
            return this;
        }

        @Override
        void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
            col0 += shift;
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                int j0 = col0 + jr;
                for (int p = 0; p < rows; p++) {
                    int d = base + p * nr;
                    int rowOff = off + (row0 + p) * this.cols;
                    // copy contiguous runs that stay within one image
                    int c = 0;
                    while (c < live) {
                        int j = j0 + c;
                        int img = j / this.cols;
                        int within = j - img * this.cols;
                        int run = Math.min(live - c, this.cols - within);
                        System.arraycopy(a, rowOff + img * imageStride + within, dst, d + c, run);
                        c += run;
                    }
                    for (int z = live; z < nr; z++) {
                        dst[d + z] = 0f;
                    }
                }
            }
        }

        @Override
        void packA(int row0, int rows, int col0, int cols, int mr, float[] dst) {
            col0 += shift;
            for (int ir = 0; ir < rows; ir += mr) {
                int base = ir * cols;
                int live = Math.min(mr, rows - ir);
                int img = col0 / this.cols;
                int within = col0 - img * this.cols;
                if (mr == 8 && live == 8) {
                    // runs of pixels within one image, eight channel rows at a time
                    int p = 0;
                    while (p < cols) {
                        int run = Math.min(cols - p, this.cols - within);
                        interleave8(a, off + img * imageStride + (row0 + ir) * this.cols + within, this.cols, run, dst, base + p * 8);
                        p += run;
                        within = 0;
                        img++;
                    }
                    continue;
                }
                for (int p = 0; p < cols; p++) {
                    int s = off + img * imageStride + (row0 + ir) * this.cols + within;
                    int d = base + p * mr;
                    for (int r = 0; r < live; r++) {
                        dst[d + r] = a[s + r * this.cols];
                    }
                    for (int r = live; r < mr; r++) {
                        dst[d + r] = 0f;
                    }
                    if (++within == this.cols) {
                        within = 0;
                        img++;
                    }
                }
            }
        }
    }

    /**
     * The im2col matrix of a run of images, never stored: row q = (channel, ky, kx) of the kernel window,
     * column j = (image, oy, ox) of the output. Zero padding reads as 0. With {@code transposed}, rows and
     * columns swap (used for the weight gradient). Without padding and with stride 1, a row of a packed
     * panel is a few contiguous runs of the image, which the kernels copy a vector at a time
     * ({@link VectorOps#packRuns}); other shapes are gathered element by element.
     */
    static final class Im2col extends MatrixSource {
        private final VectorOps ops;
        private float[] x;
        private int off;
        private int channels;
        private int h;
        private int w;
        private int kh;
        private int kw;
        private int stride;
        private int pad;
        private int oh;
        private int ow;
        private int inSize;
        private boolean transposed;
        private int[] pixBase = new int[0];
        private int[] pixY = new int[0];
        private int[] pixX = new int[0];
        private int[] tapDelta = new int[0];
        private int[] tapY = new int[0];
        private int[] tapX = new int[0];
        private int[] runSrc = new int[0];
        private int[] runDst = new int[0];
        private int[] runLen = new int[0];
        private int[] opSrc = new int[0];
        private int[] opDst = new int[0];
        /** The ranges pix* and tap* were last filled for (-1: stale). */
        private int pixFrom = -1;
        private int pixCount;
        private int tapFrom = -1;
        private int tapCount;

        Im2col(VectorOps ops) {
            this.ops = ops;
        }

        /** x + off points at the first image of the run. */
        Im2col set(float[] x, int off, ConvGeometry g, boolean transposed) {
            return set(x, off, g.inChannels(), g.inHeight(), g.inWidth(), g.kernelHeight(), g.kernelWidth(),
                    g.stride(), g.padding(), transposed);
        }

        /** The same for images of channels x h x w stored back to back (e.g. a zero-padded copy). */
        Im2col set(float[] x, int off, int channels, int h, int w, int kh, int kw, int stride, int pad, boolean transposed) {
            this.x = x;
            this.off = off;
            this.channels = channels;
            this.h = h;
            this.w = w;
            this.kh = kh;
            this.kw = kw;
            this.stride = stride;
            this.pad = pad;
            this.oh = (h + 2 * pad - kh) / stride + 1;
            this.ow = (w + 2 * pad - kw) / stride + 1;
            this.inSize = channels * h * w;
            this.transposed = transposed;
            this.pixFrom = -1;
            this.tapFrom = -1;
            return this;
        }

        /** Fills pix* for output columns [j0, j0+n): base offset of the window's top-left and its position. */
        private void pixels(int j0, int n) {
            if (j0 == pixFrom && n == pixCount) {
                return;
            }
            pixFrom = j0;
            pixCount = n;
            if (pixBase.length < n) {
                pixBase = new int[n];
                pixY = new int[n];
                pixX = new int[n];
            }
            int p = oh * ow;
            int img = j0 / p;
            int within = j0 - img * p;
            int oy = within / ow;
            int ox = within - oy * ow;
            for (int c = 0; c < n; c++) {
                int iy = oy * stride - pad;
                int ix = ox * stride - pad;
                pixY[c] = iy;
                pixX[c] = ix;
                pixBase[c] = off + img * inSize + iy * w + ix;
                if (++ox == ow) {
                    ox = 0;
                    if (++oy == oh) {
                        oy = 0;
                        img++;
                    }
                }
            }
        }

        /** Fills tap* for kernel taps [q0, q0+n): offset of the tap relative to the window, and its position. */
        private void taps(int q0, int n) {
            if (q0 == tapFrom && n == tapCount) {
                return;
            }
            tapFrom = q0;
            tapCount = n;
            if (tapDelta.length < n) {
                tapDelta = new int[n];
                tapY = new int[n];
                tapX = new int[n];
            }
            int kk = kh * kw;
            for (int c = 0; c < n; c++) {
                int q = q0 + c;
                int ci = q / kk;
                int ky = (q - ci * kk) / kw;
                int kx = q - ci * kk - ky * kw;
                tapY[c] = ky;
                tapX[c] = kx;
                tapDelta[c] = (ci * h + ky) * w + kx;
            }
        }

        @Override
        void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
            boolean contiguous = stride == 1 && pad == 0;
            if (transposed) {
                pixels(row0, rows);
                taps(col0, cols);
                if (contiguous) {
                    packByRuns(pixBase, rows, tapDelta, cols, nr, dst);
                } else {
                    packPixelsByTaps(rows, cols, nr, dst);
                }
            } else {
                pixels(col0, cols);
                taps(row0, rows);
                if (contiguous) {
                    packByRuns(tapDelta, rows, pixBase, cols, nr, dst);
                } else {
                    packTapsByPixels(rows, cols, nr, dst);
                }
            }
        }

        /**
         * Element (p, c) is x[rowBase[p] + colBase[c]]; columns whose colBase goes up by one form runs that
         * are copied whole.
         */
        private void packByRuns(int[] rowBase, int rows, int[] colBase, int cols, int nr, float[] dst) {
            if (runSrc.length < nr) {
                runSrc = new int[nr];
                runDst = new int[nr];
                runLen = new int[nr];
                opSrc = new int[nr];
                opDst = new int[nr];
            }
            for (int jr = 0; jr < cols; jr += nr) {
                int live = Math.min(nr, cols - jr);
                int runs = 0;
                int c = 0;
                while (c < live) {
                    int start = c;
                    int base = colBase[jr + c];
                    c++;
                    while (c < live && colBase[jr + c] == base + (c - start)) {
                        c++;
                    }
                    runSrc[runs] = base;
                    runDst[runs] = start;
                    runLen[runs] = c - start;
                    runs++;
                }
                ops.packRuns(x, rowBase, rows, runSrc, runDst, runLen, runs, dst, jr * rows, nr, live, opSrc, opDst);
            }
        }

        /** B = im2col: rows are taps, columns pixels (forward pass), with padding or stride. */
        private void packTapsByPixels(int rows, int cols, int nr, float[] dst) {
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                for (int p = 0; p < rows; p++) {
                    int d = base + p * nr;
                    int delta = tapDelta[p];
                    int ty = tapY[p];
                    int tx = tapX[p];
                    for (int c = 0; c < live; c++) {
                        int iy = pixY[jr + c] + ty;
                        int ix = pixX[jr + c] + tx;
                        dst[d + c] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[pixBase[jr + c] + delta] : 0f;
                    }
                    for (int c = live; c < nr; c++) {
                        dst[d + c] = 0f;
                    }
                }
            }
        }

        /** B = im2col transposed: rows are pixels, columns taps (weight gradient), with padding or stride. */
        private void packPixelsByTaps(int rows, int cols, int nr, float[] dst) {
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                for (int p = 0; p < rows; p++) {
                    int d = base + p * nr;
                    int pb = pixBase[p];
                    int py = pixY[p];
                    int px = pixX[p];
                    for (int c = 0; c < live; c++) {
                        int iy = py + tapY[jr + c];
                        int ix = px + tapX[jr + c];
                        dst[d + c] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[pb + tapDelta[jr + c]] : 0f;
                    }
                    for (int c = live; c < nr; c++) {
                        dst[d + c] = 0f;
                    }
                }
            }
        }
    }

    /**
     * A matrix packed whole, once, in the layout the GEMM driver reads its A blocks in: for each depth block
     * [pc, pc+kc) (kc = min(KC, k - pc)), for each row block [ic, ic+mc), the panels packA would produce.
     * The block at (ic, pc) starts at pc * paddedRows + ic * kc. Used for conv weights, which every image
     * of a call multiplies.
     */
    static final class Packed extends MatrixSource {
        float[] data = new float[0];
        int rows;
        int depth;
        int paddedRows;

        /** Packs rows x depth of {@code src} for blocks of mc rows, panels of mr, by way of {@code scratch} (mc x kcMax). */
        Packed pack(MatrixSource src, int rows, int depth, int mc, int mr, int kcMax, float[] scratch) {
            this.rows = rows;
            this.depth = depth;
            this.paddedRows = (rows + mr - 1) / mr * mr;
            this.rowOffset = 0;
            int size = paddedRows * depth;
            if (data.length < size) {
                data = new float[size];
            }
            for (int pc = 0; pc < depth; pc += kcMax) {
                int kc = Math.min(kcMax, depth - pc);
                for (int ic = 0; ic < rows; ic += mc) {
                    int mcur = Math.min(mc, rows - ic);
                    src.packA(ic, mcur, pc, kc, mr, scratch);
                    System.arraycopy(scratch, 0, data, offset(ic, pc, kc), (mcur + mr - 1) / mr * mr * kc);
                }
            }
            return this;
        }

        /** First row of the packed matrix that this one's row 0 is (a multiple of mc; see {@link #view}). */
        int rowOffset;

        /** Rows [row0, row0+rows) of {@code whole} (row0 a multiple of its row block), without copying. */
        Packed view(Packed whole, int row0, int rows) {
            this.data = whole.data;
            this.rows = rows;
            this.depth = whole.depth;
            this.paddedRows = whole.paddedRows;
            this.rowOffset = whole.rowOffset + row0;
            return this;
        }

        int offset(int ic, int pc, int kc) {
            return pc * paddedRows + (rowOffset + ic) * kc;
        }
    }
}
