package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The packing of GEMM operands against explicit matrices: the im2col view packs the panels of the matrix it
 * stands for, for every stride and padding (including padding at stride 1, which the kernels copy zero-padded
 * instead), whichever block is asked for and in whatever order; and a backend's run copies honour an empty block.
 */
class PackingTest {

    /** The explicit im2col matrix (taps x pixels, or pixels x taps when transposed) of a run of images. */
    private static float[][] im2col(float[] x, int off, int images, int channels, int h, int w, int kh, int kw,
                                    int stride, int pad, boolean transposed) {
        int oh = (h + 2 * pad - kh) / stride + 1;
        int ow = (w + 2 * pad - kw) / stride + 1;
        int taps = channels * kh * kw;
        int pixels = images * oh * ow;
        float[][] m = transposed ? new float[pixels][taps] : new float[taps][pixels];
        for (int q = 0; q < taps; q++) {
            int ci = q / (kh * kw);
            int ky = q / kw % kh;
            int kx = q % kw;
            for (int j = 0; j < pixels; j++) {
                int img = j / (oh * ow);
                int oy = j / ow % oh;
                int ox = j % ow;
                int iy = oy * stride - pad + ky;
                int ix = ox * stride - pad + kx;
                float v = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0f
                        : x[off + ((img * channels + ci) * h + iy) * w + ix];
                if (transposed) {
                    m[j][q] = v;
                } else {
                    m[q][j] = v;
                }
            }
        }
        return m;
    }

    /** The B panels of rows [row0, row0+rows) x columns [col0, col0+cols) of m: nr columns each, zero-filled. */
    private static float[] panelsB(float[][] m, int row0, int rows, int col0, int cols, int nr) {
        int panels = (cols + nr - 1) / nr;
        float[] dst = new float[panels * nr * rows];
        for (int jr = 0; jr < cols; jr += nr) {
            for (int p = 0; p < rows; p++) {
                for (int c = 0; c < nr; c++) {
                    dst[jr * rows + p * nr + c] = jr + c < cols ? m[row0 + p][col0 + jr + c] : 0f;
                }
            }
        }
        return dst;
    }

    @Test
    void im2colPacksThePanelsOfItsMatrixForEveryStrideAndPadding() {
        SplittableRandom r = new SplittableRandom(41);
        int images = 2, channels = 3, h = 7, w = 6;
        float[] x = TestKernels.random(r, 5 + images * channels * h * w);
        // {kh, kw, stride, pad}
        int[][] shapes = {{3, 3, 1, 0}, {3, 3, 1, 1}, {2, 3, 2, 0}, {3, 2, 2, 1}, {1, 1, 1, 0}, {3, 3, 3, 2}};
        for (VectorOps ops : TestKernels.allOps()) {
            int nr = ops.nr();
            for (int[] s : shapes) {
                for (boolean transposed : new boolean[] {false, true}) {
                    String where = ops.name() + " kernel " + s[0] + "x" + s[1] + " stride " + s[2] + " pad " + s[3]
                            + (transposed ? " transposed" : "");
                    float[][] m = im2col(x, 5, images, channels, h, w, s[0], s[1], s[2], s[3], transposed);
                    MatrixSource.Im2col src = new MatrixSource.Im2col(ops)
                            .set(x, 5, channels, h, w, s[0], s[1], s[2], s[3], transposed);
                    int rowCount = m.length;
                    int colCount = m[0].length;
                    // blocks at offsets and of several sizes; blocks that share a first row or a first column with
                    // the one before but are longer (the view caches the positions of the last block's rows and
                    // columns: entries past those it filled last are another block's); one asked twice
                    int[][] blocks = {
                        {0, rowCount, 0, colCount}, {1, 2, 3, 5}, {1, 2, 3, nr + 3}, {1, rowCount - 2, 3, nr + 3},
                        {1, rowCount - 1, 3, colCount - 3}, {1, rowCount - 1, 3, colCount - 3}, {0, 1, colCount - 1, 1},
                    };
                    for (int[] b : blocks) {
                        b[1] = Math.min(b[1], rowCount - b[0]);
                        b[3] = Math.min(b[3], colCount - b[2]);
                        float[] expect = panelsB(m, b[0], b[1], b[2], b[3], nr);
                        float[] got = new float[expect.length + VectorOps.PACK_SLACK];
                        Arrays.fill(got, Float.NaN);
                        src.packB(b[0], b[1], b[2], b[3], nr, got);
                        assertArrayEquals(expect, Arrays.copyOf(got, expect.length), where + " block " + Arrays.toString(b));
                    }
                }
            }
        }
    }

    @Test
    void runCopiesOfAnEmptyBlockWriteNothing() {
        for (VectorOps ops : TestKernels.allOps()) {
            float[] x = new float[64];
            Arrays.fill(x, 1f);
            float[] dst = new float[ops.nr() + VectorOps.PACK_SLACK];
            Arrays.fill(dst, -3f);
            int[] scratch = new int[ops.nr()];
            ops.packRuns(x, new int[0], 0, new int[] {0}, new int[] {0}, new int[] {4}, 1, dst, 0, ops.nr(), 4,
                    scratch, scratch.clone());
            for (float v : dst) {
                assertEquals(-3f, v, ops.name());
            }
        }
    }
}
