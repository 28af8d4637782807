package org.siamese4j.engine;

/**
 * What a backend supplies to the kernels: the register-blocked micro-kernel, the vector copies that pack
 * im2col runs, and the short loops of the bias, reduction, element-wise, optimizer and pooling passes.
 * Everything else (blocking, packing, threading, the convolution strategies) is shared and lives in the
 * kernel classes that take one of these ({@link CpuKernels}). Implementations: {@code SimdOps}
 * (jdk.incubator.vector, loaded by name only) and {@link ScalarOps}. None of these methods checks its
 * arguments or splits work over threads: the callers do both.
 */
interface VectorOps {
    /** Element-wise ops of {@link #elementwiseRange}. */
    int RELU_FORWARD = 0;
    int RELU_BACKWARD = 1;
    int SIGMOID_FORWARD = 2;
    int SIGMOID_BACKWARD = 3;
    /** Floats past a packed B block that {@link #packRuns} may scribble on. */
    int PACK_SLACK = 64;

    /** "simd" or "scalar". */
    String name();

    /** Floats per vector register (1 for scalar). */
    int vectorLength();

    /** Micro-tile: mr rows by nr columns of C stay in registers. */
    int mr();

    int nr();

    /**
     * The micro-kernel: C[0..mr) x [0..nr) (row stride ldc) = Ap * Bp (+ C unless overwrite), where Ap is
     * an mr x kc panel stored column by column and Bp a kc x nr panel stored row by row. Alpha is folded
     * into Ap when it is packed.
     */
    void microKernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc, boolean overwrite);

    /**
     * Packs the rows of one B micro-panel from contiguous runs of x: for p < rows and r < runs,
     * dst[d + p*nr + runDst[r] + i] = x[rowBase[p] + runSrc[r] + i] for i < runLen[r]; then columns
     * [live, nr) of every row are zeroed. The runs are in column order and tile [0, live). Rows are
     * written in order, and an implementation may write up to {@link #vectorLength()} floats of garbage
     * past a run's end (later runs, rows or the zeroing overwrite it), so dst needs {@link #PACK_SLACK}
     * floats of slack after the last panel. Reads stay inside x. rowBase is non-decreasing. opSrc and
     * opDst are scratch arrays of at least nr entries.
     */
    void packRuns(float[] x, int[] rowBase, int rows, int[] runSrc, int[] runDst, int[] runLen,
                  int runs, float[] dst, int d, int nr, int live, int[] opSrc, int[] opDst);

    /** y[off..off+n) = y + bias, then max(., 0) when relu. */
    void biasActivate(float[] y, int off, int n, float bias, boolean relu);

    /** Sum of x[off..off+n). */
    float sum(float[] x, int off, int n);

    /** y[yOff..+n) += x[xOff..+n). */
    void add(float[] x, int xOff, float[] y, int yOff, int n);

    /** The element-wise op on n elements, on the calling thread: a is the input (x or y), b the gradient (dy, or null), c the output. */
    void elementwiseRange(int op, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n);

    /** out = |a - b| on n elements. */
    void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);

    /** da = dOut * sign(a - b), db = -da on n elements. */
    void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                        float[] da, int daOff, float[] db, int dbOff, int n);

    /** v = mu v - lr g; w += v on one range, on the calling thread. */
    void momentumStepRange(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr);

    /** g += lambda w on one range of at most {@link ParameterPasses#PARAM_BLOCK} elements; returns the sum of w^2 over it. */
    double weightDecayBlock(float[] w, int wOff, float[] g, int gOff, int n, float lambda);

    /** result[0] = sum(x - shift), result[1] = sum((x - shift)^2) over x[off..off+n) (batch-norm statistics). */
    void shiftedMoments(float[] x, int off, int n, float shift, double[] result);

    /**
     * result[0] = sum(g), result[1] = sum(g (x - mean)) over n elements, where g = dy, or with {@code relu}
     * g = dy where y is not +0 (y = max(., 0) cut it) and 0 there (batch-norm backward).
     */
    void gradientMoments(float[] dy, int dyOff, float[] x, int xOff, float[] y, int yOff, int n, float mean,
                         boolean relu, double[] result);

    /** y = a x + b on n elements, then max(., 0) when relu: a x rounded, then + b, as Java evaluates it. */
    void scaleShift(float[] x, int xOff, float[] y, int yOff, int n, float a, float b, boolean relu);

    /**
     * dx = p g + q (x - mean) + r on n elements, g as in {@link #gradientMoments}; each product rounded, then
     * summed left to right, as Java evaluates it.
     */
    void batchNormInputGradient(float[] dy, int dyOff, float[] x, int xOff, float[] y, int yOff, float[] dx, int dxOff,
                                int n, float p, float q, float r, float mean, boolean relu);

    /**
     * y = q (x - mean) + r on n elements, each step rounded as Java evaluates it: the part of batch norm's input
     * gradient that every element gets, when the rest (p g) is nonzero only at a few of them.
     */
    void centredAffine(float[] x, int xOff, float[] y, int yOff, int n, float q, float mean, float r);

    /**
     * q[qOff + j] = p g for j < n, g = dy[dyAt + j], or 0 where relu and y[yAt + j] == 0 (the unit was off): the
     * gradient a max-pool sends to its maxima, scaled.
     */
    void gatedGradient(float[] dy, int dyAt, float[] y, int yAt, int n, boolean relu, float p, float[] q, int qOff);

    /**
     * Batch norm's backward sums for a pooled plane: result[0] = sum(g), result[1] = sum(g (x[xImage + argmax[aAt + j]]
     * - mean)) over j < n, where g = dy[dyAt + j], or with {@code relu} 0 where y[yAt + j] is +0 (a NaN keeps it).
     */
    void pooledGradientMoments(float[] dy, int dyAt, float[] y, int yAt, int[] argmax, int aAt, int n, boolean relu,
                               float[] x, int xImage, float mean, double[] result);

    /**
     * A first layer's convolution without the GEMM: 3x3 kernel, stride 1, one input channel, on one image already
     * zero-padded where its padding needs (oh + 2 rows of pw = ow + 2 floats at padded[pOff]). Output plane o
     * (outC of them, oh x ow each, at y[yOff + o oh ow]) gets sum over the taps t = 3 ky + kx of
     * w[wOff + 9 o + t] padded[pOff + (r + ky) pw + c + kx], plus bias[biasOff + o] (none when bias is null), then
     * max(., 0) when relu. A GEMM over 9 columns wastes most of its micro-tile; a backend that has nothing better
     * returns false before writing anything.
     */
    boolean conv3x3OneChannel(float[] padded, int pOff, int pw, int oh, int ow, float[] w, int wOff, int outC,
                              float[] bias, int biasOff, boolean relu, float[] y, int yOff);

    /**
     * Its weight gradient over {@code images} such images (image i at padded[pOff + i (oh + 2) pw], its output
     * gradient at dy[dyOff + i dyImage]): dw[dwOff + 9 o + t] += sum over images and output pixels of
     * dy(o, r, c) padded(r + ky, c + kx). Returns false, before adding anything, where the backend leaves it to
     * the GEMM.
     */
    boolean conv3x3OneChannelWeightGradient(float[] padded, int pOff, int images, int pw, int oh, int ow,
                                            float[] dy, int dyOff, int dyImage, int outC, float[] dw, int dwOff);

    /** How many moments {@link #patchMoments3x3} gives: 9 tap sums and 45 products of taps. */
    int PATCH_MOMENTS = 54;

    /**
     * The moments of a 3x3 convolution's input patches over one padded image (row width pw, outputs oh x ow):
     * moments[mOff + k] += the sum over output pixels of tap k = 3 ky + kx, padded(r + ky, c + kx), and
     * moments[mOff + 9 + j] += the sum of tap a times tap b for the j-th pair a <= b in row order (45 pairs).
     * Sums in double; the backend may add partial float sums of up to 8 rows. scratch holds at least
     * {@link #PATCH_MOMENTS} vectors.
     */
    void patchMoments3x3(float[] padded, int pOff, int pw, int oh, int ow, float[] scratch, double[] moments,
                         int mOff);

    /** Whether {@link #winogradInputTiles} and {@link #winogradOutputTiles} exist here ({@link ConvWinograd}). */
    boolean winogradTiles();

    /**
     * Winograd F(2x2, 3x3)'s input transform B^T d B of {@link #vectorLength()} tiles, tile j's 4x4 input d being
     * d[r][c] = poly[at + j + (2 (r % 2) + c % 2) pp + (r / 2) q + c / 2] (the polyphase planes of
     * {@link ConvWinograd}, pp floats apart); its 16 results go to v[vOff + j + p vStride], p = 4 i + k for
     * position (i, k) of the 4x4 result.
     */
    void winogradInputTiles(float[] poly, int at, int pp, int q, float[] v, int vOff, int vStride);

    /**
     * Winograd F(2x2, 3x3)'s output transform A^T m A of {@link #vectorLength()} tiles, tile j's 4x4 product
     * m[i][k] = m[mOff + j + (4 i + k) mStride]; output (a, b) of the tile's 2x2 goes to
     * out[outOff + j + (2 a + b) outStride].
     */
    void winogradOutputTiles(float[] m, int mOff, int mStride, float[] out, int outOff, int outStride);

    /**
     * {@link #vectorLength()} rows of n floats, one after the other from a[aOff], interleaved a column at a time:
     * dst[dOff + k L + j] = a[aOff + j n + k] (L channels of a plane of n pixels, a vector of channels a pixel).
     */
    void interleaveLanes(float[] a, int aOff, int n, float[] dst, int dOff);

    /**
     * Whether {@link #winogradChannelInputTiles} and {@link #winogradChannelOutputGradientTiles} exist here
     * ({@link ConvWinograd}'s weight gradient).
     */
    boolean winogradChannelTiles();

    /**
     * {@link #winogradInputTiles}'s B^T d B of count tiles along a row, a lane per channel ({@link #vectorLength()}
     * channels interleaved a pixel at a time): tile k's input d[r][c] is the vector at x[xOff + (2k + c) L +
     * r rowStride]; result p = 4 i + j goes to v[vOff + k tileStride + p vStride], a vector.
     */
    void winogradChannelInputTiles(float[] x, int xOff, int rowStride, int count, float[] v, int vOff, int tileStride,
                                   int vStride);

    /**
     * The adjoint of {@link #winogradOutputTiles}, A g A^T, of count tiles along a row, a lane per channel
     * ({@link #vectorLength()} channels interleaved a pixel at a time, one or two blocks of {@link #mr()}): tile k's
     * 2x2 output gradient g[a][b] is the vector at dy[dyOff + (2k + b) L + a rowStride]; result p = 4 i + j goes,
     * for the channels of block c, to the mr floats at m[mOff + c blockStride + k mr + p mStride]. Whole vectors
     * are stored: each may write L - mr floats past its mr, which the next tile writes over (a panel needs a
     * spare tile at its end).
     */
    void winogradChannelOutputGradientTiles(float[] dy, int dyOff, int rowStride, int count, float[] m, int mOff,
                                            int blockStride, int mStride);

    /**
     * even[evenOff + j] = x[xOff + 2j] and odd[oddOff + j] = x[xOff + 2j + 1] for j < pairs. The backend may write
     * whole vectors: up to {@link #vectorLength()} - 1 floats past the last pair in even and in odd, which the
     * caller writes over afterwards or leaves unused.
     */
    void deinterleave(float[] x, int xOff, int pairs, float[] even, int evenOff, float[] odd, int oddOff);

    /**
     * y[yOff + 2j] = f(even[evenOff + j] + add) and y[yOff + 2j + 1] = f(odd[oddOff + j] + add) for j < pairs, f
     * the identity or, with relu, max(v, 0) (a NaN stays NaN). The backend may write whole vectors: up to
     * 2 {@link #vectorLength()} - 1 floats past 2 pairs, which the caller writes over afterwards; it may read even
     * and odd up to a vector past the last pair.
     */
    void interleave(float[] even, int evenOff, float[] odd, int oddOff, int pairs, float add, boolean relu, float[] y,
                    int yOff);

    /**
     * A row of 2x2, stride-2 max-pool windows, from the left, as far as the backend does it whole: the
     * windows of output ox read x[p + 2ox], x[p + 2ox + 1] and the same a row (w) further; y[yOff + ox]
     * and argmax[aOff + ox] = base + (offset of the chosen element from p) get exactly what the scalar
     * loop in {@link MaxPooling} gives. Returns how many outputs it wrote (0: none).
     */
    int maxPool2x2Row(float[] x, int p, int w, int ow, float[] y, int yOff, int[] argmax, int aOff, int base);

    /**
     * The 2x2, stride-2 windows of a whole plane whose rows are shorter than a vector, in output order from the
     * first: output k = (oy, ox) of oh x ow reads x[p + 2 oy w + 2 ox], its right neighbour and the two a row (w)
     * further; y[yOff + k] and argmax[aOff + k] = base + (offset of the chosen element from p) get exactly what
     * the scalar loop in {@link MaxPooling} gives. Returns how many outputs it wrote (0: none).
     */
    int maxPool2x2Plane(float[] x, int p, int w, int oh, int ow, float[] y, int yOff, int[] argmax, int aOff, int base);
}
