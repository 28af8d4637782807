package org.siamese4j.engine;

/**
 * A logical matrix that the GEMM driver packs into micro-panels. Real arrays and virtual matrices
 * (im2col of an image batch, never materialised) implement the same two packing routines, so one GEMM
 * serves dense layers and convolutions alike.
 */
abstract class MatrixSource {

    /** The value at (row, col); used only by the generic packers below, real sources override those. */
    abstract float get(int row, int col);

    /**
     * Packs rows [row0, row0+rows) x cols [col0, col0+cols) as the A operand: panels of mr rows, each
     * stored column by column (mr values per column), rows past the end zero-filled.
     */
    void packA(int row0, int rows, int col0, int cols, int mr, float[] dst) {
        for (int ir = 0; ir < rows; ir += mr) {
            int base = ir * cols;
            int live = Math.min(mr, rows - ir);
            for (int p = 0; p < cols; p++) {
                int d = base + p * mr;
                for (int r = 0; r < live; r++) {
                    dst[d + r] = get(row0 + ir + r, col0 + p);
                }
                for (int r = live; r < mr; r++) {
                    dst[d + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs rows [row0, row0+rows) x cols [col0, col0+cols) as the B operand: panels of nr columns, each
     * stored row by row (nr values per row), columns past the end zero-filled.
     */
    void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
        for (int jr = 0; jr < cols; jr += nr) {
            int base = jr * rows;
            int live = Math.min(nr, cols - jr);
            for (int p = 0; p < rows; p++) {
                int d = base + p * nr;
                for (int c = 0; c < live; c++) {
                    dst[d + c] = get(row0 + p, col0 + jr + c);
                }
                for (int c = live; c < nr; c++) {
                    dst[d + c] = 0f;
                }
            }
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
        float get(int row, int col) {
            return trans ? a[off + col * ld + row] : a[off + row * ld + col];
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
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                if (trans) {
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
                } else {
                    for (int p = 0; p < rows; p++) {
                        int d = base + p * nr;
                        System.arraycopy(a, off + (row0 + p) * ld + col0 + jr, dst, d, live);
                        for (int c = live; c < nr; c++) {
                            dst[d + c] = 0f;
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

        Batched set(float[] a, int off, int imageStride, int cols) {
            this.a = a;
            this.off = off;
            this.imageStride = imageStride;
            this.cols = cols;
            return this;
        }

        @Override
        float get(int row, int col) {
            int img = col / cols;
            return a[off + img * imageStride + row * cols + (col - img * cols)];
        }

        @Override
        void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
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
            for (int ir = 0; ir < rows; ir += mr) {
                int base = ir * cols;
                int live = Math.min(mr, rows - ir);
                int img = col0 / this.cols;
                int within = col0 - img * this.cols;
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
     * columns swap (used for the weight gradient).
     */
    static final class Im2col extends MatrixSource {
        private float[] x;
        private int off;
        private ConvGeometry g;
        private boolean transposed;
        private int[] pixBase = new int[0];
        private int[] pixY = new int[0];
        private int[] pixX = new int[0];
        private int[] tapDelta = new int[0];
        private int[] tapY = new int[0];
        private int[] tapX = new int[0];

        /** x + off points at the first image of the run. */
        Im2col set(float[] x, int off, ConvGeometry g, boolean transposed) {
            this.x = x;
            this.off = off;
            this.g = g;
            this.transposed = transposed;
            return this;
        }

        @Override
        float get(int row, int col) {
            int q = transposed ? col : row;
            int j = transposed ? row : col;
            int kk = g.kernelHeight() * g.kernelWidth();
            int ci = q / kk;
            int ky = (q % kk) / g.kernelWidth();
            int kx = q % g.kernelWidth();
            int p = g.outPixels();
            int img = j / p;
            int oy = (j % p) / g.outWidth();
            int ox = j % g.outWidth();
            int iy = oy * g.stride() - g.padding() + ky;
            int ix = ox * g.stride() - g.padding() + kx;
            if (iy < 0 || iy >= g.inHeight() || ix < 0 || ix >= g.inWidth()) {
                return 0f;
            }
            return x[off + img * g.inSize() + (ci * g.inHeight() + iy) * g.inWidth() + ix];
        }

        /** Fills pix* for output columns [j0, j0+n): base offset of the window's top-left and its position. */
        private void pixels(int j0, int n) {
            if (pixBase.length < n) {
                pixBase = new int[n];
                pixY = new int[n];
                pixX = new int[n];
            }
            int p = g.outPixels();
            int ow = g.outWidth();
            int img = j0 / p;
            int within = j0 - img * p;
            int oy = within / ow;
            int ox = within - oy * ow;
            for (int c = 0; c < n; c++) {
                int iy = oy * g.stride() - g.padding();
                int ix = ox * g.stride() - g.padding();
                pixY[c] = iy;
                pixX[c] = ix;
                pixBase[c] = off + img * g.inSize() + iy * g.inWidth() + ix;
                if (++ox == ow) {
                    ox = 0;
                    if (++oy == g.outHeight()) {
                        oy = 0;
                        img++;
                    }
                }
            }
        }

        /** Fills tap* for kernel taps [q0, q0+n): offset of the tap relative to the window, and its position. */
        private void taps(int q0, int n) {
            if (tapDelta.length < n) {
                tapDelta = new int[n];
                tapY = new int[n];
                tapX = new int[n];
            }
            int kw = g.kernelWidth();
            int kk = g.kernelHeight() * kw;
            for (int c = 0; c < n; c++) {
                int q = q0 + c;
                int ci = q / kk;
                int ky = (q - ci * kk) / kw;
                int kx = q - ci * kk - ky * kw;
                tapY[c] = ky;
                tapX[c] = kx;
                tapDelta[c] = (ci * g.inHeight() + ky) * g.inWidth() + kx;
            }
        }

        private boolean unpadded() {
            return g.padding() == 0;
        }

        @Override
        void packB(int row0, int rows, int col0, int cols, int nr, float[] dst) {
            if (transposed) {
                packPixelsByTaps(row0, rows, col0, cols, nr, dst);
            } else {
                packTapsByPixels(row0, rows, col0, cols, nr, dst);
            }
        }

        /** B = im2col: rows are taps, columns pixels (forward pass). */
        private void packTapsByPixels(int q0, int rows, int j0, int cols, int nr, float[] dst) {
            pixels(j0, cols);
            taps(q0, rows);
            int h = g.inHeight();
            int w = g.inWidth();
            boolean inside = unpadded();
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                for (int p = 0; p < rows; p++) {
                    int d = base + p * nr;
                    int delta = tapDelta[p];
                    if (inside) {
                        for (int c = 0; c < live; c++) {
                            dst[d + c] = x[pixBase[jr + c] + delta];
                        }
                    } else {
                        int ty = tapY[p];
                        int tx = tapX[p];
                        for (int c = 0; c < live; c++) {
                            int iy = pixY[jr + c] + ty;
                            int ix = pixX[jr + c] + tx;
                            dst[d + c] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[pixBase[jr + c] + delta] : 0f;
                        }
                    }
                    for (int c = live; c < nr; c++) {
                        dst[d + c] = 0f;
                    }
                }
            }
        }

        /** B = im2col transposed: rows are pixels, columns taps (weight gradient). */
        private void packPixelsByTaps(int j0, int rows, int q0, int cols, int nr, float[] dst) {
            pixels(j0, rows);
            taps(q0, cols);
            int h = g.inHeight();
            int w = g.inWidth();
            boolean inside = unpadded();
            for (int jr = 0; jr < cols; jr += nr) {
                int base = jr * rows;
                int live = Math.min(nr, cols - jr);
                for (int p = 0; p < rows; p++) {
                    int d = base + p * nr;
                    int pb = pixBase[p];
                    if (inside) {
                        for (int c = 0; c < live; c++) {
                            dst[d + c] = x[pb + tapDelta[jr + c]];
                        }
                    } else {
                        int py = pixY[p];
                        int px = pixX[p];
                        for (int c = 0; c < live; c++) {
                            int iy = py + tapY[jr + c];
                            int ix = px + tapX[jr + c];
                            dst[d + c] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[pb + tapDelta[jr + c]] : 0f;
                        }
                    }
                    for (int c = live; c < nr; c++) {
                        dst[d + c] = 0f;
                    }
                }
            }
        }
    }
}
