package org.siamese4j.engine;

import java.util.Arrays;

/**
 * 3x3 convolutions at stride 1 with a one-pixel zero border and even output sides, by Winograd's minimal
 * filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): a 2x2
 * block of outputs (a tile) takes 16 multiply-adds per input channel from its 4x4 block of input where the
 * direct form takes 36. For a run of images:
 * <ol>
 * <li>each input plane is split into its four polyphase planes (even or odd rows, even or odd columns of the
 * zero-padded plane), in which the 16 inputs of tile (ty, tx) sit at the same offset ty q + tx plus a shift,
 * q = ow / 2 + 1 (one unused tile a row): the tiles of an image are then contiguous, and the backend's
 * {@link VectorOps#winogradInputTiles} transforms a vector of them at a time (B^T d B);</li>
 * <li>for each of the 16 transformed positions, out channels x tiles = U (out x in channels, the weights
 * transformed once, G g G^T) times V (in channels x tiles), on the backend's micro-kernel, a panel of nr tiles
 * at a time so that V and the products stay in cache;</li>
 * <li>the products are transformed back ({@link VectorOps#winogradOutputTiles}, A^T m A) into the output's
 * polyphase planes, which are interleaved into the output with bias and ReLU.</li>
 * </ol>
 * The input gradient of such a convolution is the same convolution of the output gradient with the kernels
 * flipped and their channels swapped ({@link #backwardInput}); the weight gradient runs over tiles instead of
 * channels ({@link #backwardWeights}). Every output is computed the same way whatever
 * the run of images it is computed with, so results do not depend on the thread count. Results differ from
 * the direct form's by float rounding (the transforms add and subtract inputs before multiplying).
 */
final class ConvWinograd {
    /** Tiles of a run of images, about: enough columns for the micro-kernel, little enough to stay in L2. */
    private static final int RUN_TILES = 256;
    /** The weight gradient's group of images (tiles, about) and chunk of tiles: copies and transforms in L2. */
    private static final int GROUP_TILES = 128;
    private static final int CHUNK_TILES = 64;

    private final VectorOps ops;
    private final int lanes;
    private final int mr;
    private final int nr;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    ConvWinograd(VectorOps ops) {
        this.ops = ops;
        this.lanes = ops.vectorLength();
        this.mr = ops.mr();
        this.nr = ops.nr();
    }

    /** Whether the forward pass of g goes this way. */
    boolean forwardApplies(ConvGeometry g) {
        return ops.winogradTiles() && fits(g) && g.outChannels() % mr == 0;
    }

    /** Whether the input-gradient pass of g goes this way (its out channels are g's in channels). */
    boolean backwardInputApplies(ConvGeometry g) {
        return ops.winogradTiles() && fits(g) && g.inChannels() % mr == 0;
    }

    /** A 3x3 kernel at stride 1 with a one-pixel border (output as large as the input), even sides, channels enough to fill the GEMM. */
    private static boolean fits(ConvGeometry g) {
        return g.kernelHeight() == 3 && g.kernelWidth() == 3 && g.stride() == 1 && g.padding() == 1
                && g.inHeight() % 2 == 0 && g.inWidth() % 2 == 0 && g.inChannels() >= 8 && g.outChannels() >= 8;
    }

    /** y = conv(x, w) + bias (ReLU when asked) for images [i0, i1), as {@link Kernels#conv2dForward}. */
    void forward(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                 float[] y, int yOff, boolean relu) {
        Buffers b = buffers.get();
        int inC = g.inChannels();
        int outC = g.outChannels();
        b.ensureWeights(16 * inC * outC);
        transformWeights(w, wOff, outC, inC, false, b);
        convolve(i0, i1, g.inHeight(), g.inWidth(), inC, outC, x, xOff, b.u, bias, biasOff, relu, y, yOff, b);
    }

    /** dx = the input gradient of images [i0, i1), overwritten, as {@link Kernels#conv2dBackwardInput}. */
    void backwardInput(int i0, int i1, ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx,
                       int dxOff) {
        Buffers b = buffers.get();
        int inC = g.inChannels();
        int outC = g.outChannels();
        b.ensureWeights(16 * inC * outC);
        // the flipped kernels with in and out channels swapped: wf[ci][co][u][v] = w[co][ci][2-u][2-v]
        transformWeights(w, wOff, outC, inC, true, b);
        convolve(i0, i1, g.outHeight(), g.outWidth(), outC, inC, dy, dyOff, b.u, null, 0, false, dx, dxOff, b);
    }

    /** Whether the weight-gradient pass of g goes this way: in channels whole panels of nr, out channels whole vectors. */
    boolean weightGradientApplies(ConvGeometry g) {
        return ops.winogradChannelTiles() && fits(g) && g.inChannels() % nr == 0 && nr % lanes == 0
                && g.outChannels() % lanes == 0;
    }

    /**
     * dw += the weight gradient over images [i0, i1) (no bias). The forward pass is Y = A^T M A per tile, with
     * M = sum over in channels of U (.) V; so dM = A dY A^T, dU = sum over tiles of dM (.) V at each of the 16
     * positions (out x in channels = dM (out channels x tiles) times V^T (tiles x in channels)), and
     * dw = G^T dU G. Both GEMM operands run over tiles, so they are transformed from channel-interleaved copies
     * of the images (a vector of channels a pixel), which puts them straight into the micro-kernel's packed
     * layouts: dM as A (mr out channels a tile, a spare tile a panel), V as B (nr in channels a tile). A group
     * of images is copied at a time, and its tiles transformed and multiplied a chunk of tile rows at a time, so
     * that both stay in L2.
     */
    void backwardWeights(int i0, int i1, ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw,
                         int dwOff) {
        Buffers b = buffers.get();
        GradientShape s = b.gradientShape.set(g);
        b.ensureGradient(s.perGroup * s.xImage, s.perGroup * s.dyImage, 16 * s.vPosition, 16 * s.mPosition,
                16 * s.products, lanes * s.h * s.w);
        Arrays.fill(b.du, 0, 16 * s.products, 0f);
        for (int first = i0; first < i1; first += s.perGroup) {
            int images = Math.min(s.perGroup, i1 - first);
            for (int i = 0; i < images; i++) {
                int image = first + i;
                interleavePadded(x, xOff + image * s.inC * s.h * s.w, s.inC, s.h, s.w, b.xc, i * s.xImage, b);
                for (int co = 0; co < s.outC; co += lanes) {
                    int plane = co * s.h * s.w;
                    ops.interleaveLanes(dy, dyOff + image * s.dyImage + plane, s.h * s.w, b.dyc, i * s.dyImage + plane);
                }
            }
            int rows = images * s.th;
            for (int row0 = 0; row0 < rows; row0 += s.chunkRows) {
                int chunkEnd = Math.min(rows, row0 + s.chunkRows);
                transformChunk(row0, chunkEnd, s, b);
                multiplyChunk((chunkEnd - row0) * s.tw, s, b);
            }
        }
        addKernelGradients(b.du, s.products, b.half, dw, dwOff);
    }

    /**
     * Tile rows [row0, rowEnd) of the group (row r: image r / th, tile row r % th) into b.v (V, nr in channels a
     * tile) and b.m (dM, mr out channels a tile, panels of chunkTiles + 1 tiles), 16 positions each. This and
     * {@link #multiplyChunk} are methods of their own, called per chunk, so that the JIT compiles them whole:
     * compiled on-stack-replacement inside the long loops, inlined vector code was seen to box on JDK 17.
     */
    private void transformChunk(int row0, int rowEnd, GradientShape s, Buffers b) {
        int pw = s.w + 2;
        for (int row = row0; row < rowEnd; row++) {
            int image = row / s.th;
            int ty = row % s.th;
            int k0 = (row - row0) * s.tw;
            for (int ci = 0; ci < s.inC; ci += lanes) {
                int src = image * s.xImage + (ci * (s.h + 2) + 2 * ty * lanes) * pw;
                int panel = ci / nr * s.chunkTiles * nr + ci % nr;
                ops.winogradChannelInputTiles(b.xc, src, pw * lanes, s.tw, b.v, panel + k0 * nr, nr, s.vPosition);
            }
            for (int co = 0; co < s.outC; co += lanes) {
                int src = image * s.dyImage + co * s.h * s.w + 2 * ty * s.w * lanes;
                ops.winogradChannelOutputGradientTiles(b.dyc, src, s.w * lanes, s.tw, b.m,
                        co * s.mPanel + k0 * mr, s.mPanel * mr, s.mPosition);
            }
        }
    }

    /** b.du[p] (out x in channels) += dM[p] V[p]^T over the chunk's kc tiles, for the 16 positions p. */
    private void multiplyChunk(int kc, GradientShape s, Buffers b) {
        for (int p = 0; p < 16; p++) {
            for (int co = 0; co < s.outC; co += mr) {
                for (int ci = 0; ci < s.inC; ci += nr) {
                    ops.microKernel(kc, b.m, p * s.mPosition + co * s.mPanel, b.v, p * s.vPosition + ci * s.chunkTiles,
                            b.du, p * s.products + co * s.inC + ci, s.inC, false);
                }
            }
        }
    }

    /** dw[co][ci] += G^T dU G for each of the products pairs of channels, dU[p] at du[p products + co inC + ci]. */
    private static void addKernelGradients(float[] du, int products, float[] h, float[] dw, int dwOff) {
        for (int pair = 0; pair < products; pair++) {
            // G^T dU (3 x 4): G's columns are (1, 1/2, 1/2, 0), (0, 1/2, -1/2, 0), (0, 1/2, 1/2, 1)
            for (int s = 0; s < 4; s++) {
                float d0 = du[s * products + pair];
                float d1 = du[(4 + s) * products + pair];
                float d2 = du[(8 + s) * products + pair];
                float d3 = du[(12 + s) * products + pair];
                h[s] = d0 + 0.5f * (d1 + d2);
                h[4 + s] = 0.5f * (d1 - d2);
                h[8 + s] = 0.5f * (d1 + d2) + d3;
            }
            int at = dwOff + 9 * pair;
            for (int r = 0; r < 3; r++) {
                float h0 = h[4 * r];
                float h1 = h[4 * r + 1];
                float h2 = h[4 * r + 2];
                float h3 = h[4 * r + 3];
                dw[at + 3 * r] += h0 + 0.5f * (h1 + h2);
                dw[at + 3 * r + 1] += 0.5f * (h1 - h2);
                dw[at + 3 * r + 2] += 0.5f * (h1 + h2) + h3;
            }
        }
    }

    /**
     * The image's channels (h x w planes), zero-padded by one pixel, {@code lanes} channels a pixel: block cb,
     * padded pixel (r, c), channel j at xc[xcOff + ((cb (h + 2) + r) (w + 2) + c) lanes + j]. Each block is
     * interleaved unpadded into b.flat, then copied a row at a time; each border fill covers a row's right border
     * and the next row's left one.
     */
    private void interleavePadded(float[] x, int xOff, int channels, int h, int w, float[] xc, int xcOff, Buffers b) {
        int pw = w + 2;
        int plane = h * w;
        for (int cb = 0; cb < channels; cb += lanes) {
            ops.interleaveLanes(x, xOff + cb * plane, plane, b.flat, 0);
            int block = xcOff + cb * (h + 2) * pw;
            Arrays.fill(xc, block, block + (pw + 1) * lanes, 0f);
            for (int r = 0; r < h; r++) {
                int row = block + ((r + 1) * pw + 1) * lanes;
                System.arraycopy(b.flat, r * w * lanes, xc, row, w * lanes);
                Arrays.fill(xc, row + w * lanes, row + (w + 2) * lanes, 0f);
            }
            Arrays.fill(xc, block + ((h + 1) * pw + 1) * lanes, block + (h + 2) * pw * lanes, 0f);
        }
    }

    /**
     * b.u = the transformed kernels G g G^T, 16 positions of (out x in channels), each packed as the micro-kernel
     * reads its A operand: blocks of mr out channels, in channel by in channel. With flip, the kernels of the
     * input-gradient pass: out channel ci, in channel co, w[co][ci] rotated by 180 degrees.
     */
    private void transformWeights(float[] w, int wOff, int wOut, int wIn, boolean flip, Buffers b) {
        int outC = flip ? wIn : wOut;
        int inC = flip ? wOut : wIn;
        float[] u = b.u;
        float[] g = b.kernel;
        float[] gg = b.half;
        for (int co = 0; co < outC; co++) {
            for (int ci = 0; ci < inC; ci++) {
                int src = wOff + 9 * (flip ? ci * wIn + co : co * wIn + ci);
                for (int t = 0; t < 9; t++) {
                    g[t] = w[src + (flip ? 8 - t : t)];
                }
                // G g (4 x 3), then (G g) G^T (4 x 4); G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
                for (int c = 0; c < 3; c++) {
                    float g0 = g[c];
                    float g1 = g[3 + c];
                    float g2 = g[6 + c];
                    gg[c] = g0;
                    gg[3 + c] = 0.5f * (g0 + g1 + g2);
                    gg[6 + c] = 0.5f * (g0 - g1 + g2);
                    gg[9 + c] = g2;
                }
                int at = (co / mr) * inC * mr + ci * mr + co % mr;
                int position = outC * inC;
                for (int r = 0; r < 4; r++) {
                    float a0 = gg[3 * r];
                    float a1 = gg[3 * r + 1];
                    float a2 = gg[3 * r + 2];
                    u[at + (4 * r) * position] = a0;
                    u[at + (4 * r + 1) * position] = 0.5f * (a0 + a1 + a2);
                    u[at + (4 * r + 2) * position] = 0.5f * (a0 - a1 + a2);
                    u[at + (4 * r + 3) * position] = a2;
                }
            }
        }
    }

    /** The convolution of images [i0, i1) of x (inC planes of h x w) into y (outC planes of h x w), a run of images at a time. */
    private void convolve(int i0, int i1, int h, int w, int inC, int outC, float[] x, int xOff, float[] u,
                          float[] bias, int biasOff, boolean relu, float[] y, int yOff, Buffers b) {
        Shape s = b.shape.set(h, w, lanes);
        int perRun = Math.max(1, RUN_TILES / s.imageTiles);
        int vStride = inC * nr + lanes;
        int mStride = outC * nr + lanes;
        b.ensureRun(perRun * inC * 4 * s.planeStride + 2 * lanes + 2 * s.q, 16 * vStride, 16 * mStride,
                perRun * outC * 4 * s.imageTiles + 2 * lanes);
        for (int run = i0; run < i1; run += perRun) {
            int images = Math.min(perRun, i1 - run);
            int tiles = images * s.imageTiles;
            split(x, xOff + run * inC * h * w, images * inC, s, b.poly);
            for (int t0 = 0; t0 < tiles; t0 += nr) {
                // transform the panel's tiles, multiply them by the weights, transform the products back
                for (int ci = 0; ci < inC; ci++) {
                    for (int t = t0; t < Math.min(t0 + nr, tiles); t += lanes) {
                        int image = t / s.imageTiles;
                        int at = (image * inC + ci) * 4 * s.planeStride + t - image * s.imageTiles;
                        ops.winogradInputTiles(b.poly, at, s.planeStride, s.q, b.v, ci * nr + t - t0, vStride);
                    }
                }
                for (int p = 0; p < 16; p++) {
                    for (int co = 0; co < outC; co += mr) {
                        ops.microKernel(inC, u, p * outC * inC + co * inC, b.v, p * vStride, b.m,
                                p * mStride + co * nr, nr, true);
                    }
                }
                for (int co = 0; co < outC; co++) {
                    for (int t = t0; t < Math.min(t0 + nr, tiles); t += lanes) {
                        int image = t / s.imageTiles;
                        int at = (image * outC + co) * 4 * s.imageTiles + t - image * s.imageTiles;
                        ops.winogradOutputTiles(b.m, co * nr + t - t0, mStride, b.out, at, s.imageTiles);
                    }
                }
            }
            join(b.out, images * outC, outC, s, bias, biasOff, relu, y, yOff + run * outC * h * w);
        }
    }

    /**
     * Tile geometry of an h x w plane: th x tw tiles, laid out q = tw + 1 a row (the last one unused) in
     * imageTiles (whole vectors) a plane; each polyphase plane is (th + 1) x q, planeStride apart (a gap of two
     * vectors, where the whole-vector writes of a plane's last row may land). Set per call, not allocated.
     */
    private static final class Shape {
        int h;
        int w;
        int th;
        int tw;
        int q;
        int polyPlane;
        int planeStride;
        int imageTiles;

        Shape set(int h, int w, int lanes) {
            this.h = h;
            this.w = w;
            this.th = h / 2;
            this.tw = w / 2;
            this.q = tw + 1;
            this.polyPlane = (th + 1) * q;
            this.planeStride = polyPlane + 2 * lanes;
            this.imageTiles = (th * q + lanes - 1) / lanes * lanes;
            return this;
        }
    }

    /**
     * The four polyphase planes of each of {@code planes} zero-padded h x w planes of x: plane 2a + b holds
     * padded[2k + a][2l + b] at k q + l, for k <= th and l <= tw. Rows are written in order, each over what the
     * whole vectors of the row before spilled; the border is zeroed last.
     */
    private void split(float[] x, int xOff, int planes, Shape s, float[] poly) {
        int h = s.h;
        int w = s.w;
        int q = s.q;
        int pp = s.planeStride;
        for (int p = 0; p < planes; p++) {
            int src = xOff + p * h * w;
            int dst = p * 4 * pp;
            for (int r = 0; r < h; r++) {
                // padded row r + 1 is row k of the planes with a = (r + 1) mod 2; x's even columns are the odd
                // padded columns (b = 1, l = c / 2), its odd columns the even ones (b = 0, l = c / 2 + 1)
                int a = (r + 1) & 1;
                int k = (r + 1) >> 1;
                ops.deinterleave(x, src + r * w, s.tw, poly, dst + (2 * a + 1) * pp + k * q, poly,
                        dst + (2 * a) * pp + k * q + 1);
            }
            zeroBorder(poly, dst, s);
        }
    }

    /**
     * The zero border of one plane's polyphase planes, the only cells {@link #split} does not write: padded row 0
     * (row 0 of planes 0 and 1), padded row h + 1 (row th of planes 2 and 3), padded column 0 (column 0 of planes
     * 0 and 2) and padded column w + 1 (column tw of planes 1 and 3).
     */
    private static void zeroBorder(float[] poly, int dst, Shape s) {
        int q = s.q;
        int pp = s.planeStride;
        Arrays.fill(poly, dst, dst + q, 0f);
        Arrays.fill(poly, dst + pp, dst + pp + q, 0f);
        Arrays.fill(poly, dst + 2 * pp + s.th * q, dst + 2 * pp + s.th * q + q, 0f);
        Arrays.fill(poly, dst + 3 * pp + s.th * q, dst + 3 * pp + s.th * q + q, 0f);
        for (int k = 0; k <= s.th; k++) {
            poly[dst + k * q] = 0f;
            poly[dst + 2 * pp + k * q] = 0f;
            poly[dst + pp + k * q + s.tw] = 0f;
            poly[dst + 3 * pp + k * q + s.tw] = 0f;
        }
    }

    /**
     * y = the output polyphase planes interleaved into planes of h x w, plus bias, then ReLU when asked. Rows in
     * order, each written over what the rows before spilled; rows whose whole vectors would reach past the run's
     * planes without them.
     */
    private void join(float[] out, int planes, int channels, Shape s, float[] bias, int biasOff, boolean relu,
                      float[] y, int yOff) {
        int w = s.w;
        int q = s.q;
        int n = s.imageTiles;
        int end = yOff + planes * s.h * w;
        int reach = 2 * ((s.tw + lanes - 1) / lanes) * lanes;
        for (int p = 0; p < planes; p++) {
            float add = bias == null ? 0f : bias[biasOff + p % channels];
            int src = p * 4 * n;
            int dst = yOff + p * s.h * w;
            for (int row = 0; row < s.h; row++) {
                // output row 2 ty + a comes from planes 2a (even columns) and 2a + 1 (odd columns)
                int t = src + (row >> 1) * q + 2 * (row & 1) * n;
                int at = dst + row * w;
                if (at + reach <= end) {
                    ops.interleave(out, t, out, t + n, s.tw, add, relu, y, at);
                } else {
                    ScalarOps.interleavePairs(out, t, out, t + n, s.tw, add, relu, y, at);
                }
            }
        }
    }

    /**
     * The weight gradient's layout for one geometry: tiles th x tw an image; channel-interleaved copies of xImage
     * (padded) and dyImage floats an image, perGroup images at a time; chunks of chunkRows tile rows (chunkTiles
     * tiles); V's positions vPosition floats apart, dM's mPosition apart in panels of mPanel tiles (a spare one);
     * products = out x in channels. Set per call, not allocated.
     */
    private static final class GradientShape {
        int h;
        int w;
        int inC;
        int outC;
        int th;
        int tw;
        int xImage;
        int dyImage;
        int perGroup;
        int chunkRows;
        int chunkTiles;
        int mPanel;
        int vPosition;
        int mPosition;
        int products;

        GradientShape set(ConvGeometry g) {
            h = g.inHeight();
            w = g.inWidth();
            inC = g.inChannels();
            outC = g.outChannels();
            th = h / 2;
            tw = w / 2;
            xImage = inC * (h + 2) * (w + 2);
            dyImage = outC * h * w;
            perGroup = Math.max(1, GROUP_TILES / (th * tw));
            chunkRows = Math.max(1, CHUNK_TILES / tw);
            chunkTiles = chunkRows * tw;
            mPanel = chunkTiles + 1;
            vPosition = inC * chunkTiles;
            mPosition = outC * mPanel;
            products = outC * inC;
            return this;
        }
    }

    /**
     * A thread's buffers (grown, never shrunk): transformed weights, polyphase input, a panel's V and M, output
     * planes; for the weight gradient, channel-interleaved copies, dU and a flat plane.
     */
    private static final class Buffers {
        final Shape shape = new Shape();
        final GradientShape gradientShape = new GradientShape();
        final float[] kernel = new float[9];
        final float[] half = new float[12];
        float[] u = new float[0];
        float[] poly = new float[0];
        float[] v = new float[0];
        float[] m = new float[0];
        float[] out = new float[0];

        float[] xc = new float[0];
        float[] dyc = new float[0];
        float[] du = new float[0];
        float[] flat = new float[0];

        void ensureGradient(int xcSize, int dycSize, int vSize, int mSize, int duSize, int flatSize) {
            if (flat.length < flatSize) {
                flat = new float[flatSize];
            }
            if (xc.length < xcSize) {
                xc = new float[xcSize];
            }
            if (dyc.length < dycSize) {
                dyc = new float[dycSize];
            }
            if (v.length < vSize) {
                v = new float[vSize];
            }
            if (m.length < mSize) {
                m = new float[mSize];
            }
            if (du.length < duSize) {
                du = new float[duSize];
            }
        }

        void ensureWeights(int size) {
            if (u.length < size) {
                u = new float[size];
            }
        }

        void ensureRun(int polySize, int vSize, int mSize, int outSize) {
            if (poly.length < polySize) {
                poly = new float[polySize];
            }
            if (v.length < vSize) {
                v = new float[vSize];
            }
            if (m.length < mSize) {
                m = new float[mSize];
            }
            if (out.length < outSize) {
                out = new float[outSize];
            }
        }
    }
}
