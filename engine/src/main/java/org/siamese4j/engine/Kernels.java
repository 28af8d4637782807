package org.siamese4j.engine;

/**
 * The numerical kernels, with two implementations: {@code simd} (jdk.incubator.vector) and {@code scalar}
 * (plain Java). All arrays are row-major; every tensor argument is an array plus an element offset.
 * Kernels that produce an input gradient overwrite it; kernels that produce parameter gradients add to
 * them, so the two branches of a Siamese pair (one batch) and several batches accumulate.
 * Work is spread over {@link #threads()} threads; for a fixed thread count results are bit-identical
 * from run to run.
 */
public interface Kernels {

    /** "simd" or "scalar". */
    String name();

    /** Floats per vector register used by the kernels (1 for scalar). */
    int vectorLength();

    int threads();

    /**
     * C = alpha * op(A) * op(B) + beta * C, where op(A) is m x k and op(B) is k x n. A is stored m x k
     * (or k x m when transA) with row stride lda; likewise B. beta = 0 ignores C's old contents (NaN too).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /** y = conv(x, w) + bias, then ReLU when {@code relu}. w is [outC][inC][kh][kw]; bias may be null (none). */
    void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                       float[] y, int yOff, boolean relu);

    /** dx = gradient of the loss with respect to the conv input (overwritten). */
    void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff);

    /** dw += gradient with respect to the weights; dbias += gradient with respect to the bias (skipped when null). */
    void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                              float[] dw, int dwOff, float[] dbias, int dbiasOff);

    /** y = max over each window; argmax[i] records, per output element, the input element's index within its image. */
    void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax);

    /** dx = gradient routed to each window's maximum (overwritten). */
    void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff);

    /**
     * Batch normalisation of x = [batch][channels][plane], per channel. With {@code batchStatistics} the channel's
     * mean and biased variance over the batch are computed and written to mean[c] and var[c]; without, they are
     * read (running statistics). Writes invStd[c] = 1 / sqrt(var[c] + eps) and
     * y = scale[c] (x - mean[c]) invStd[c] + shift[c], then max(., 0) when {@code relu}.
     */
    void batchNormForward(int batch, int channels, int plane, float[] x, int xOff, float[] scale, int scaleOff,
                          float[] shift, int shiftOff, boolean batchStatistics, double[] mean, double[] var,
                          float[] invStd, double eps, float[] y, int yOff, boolean relu);

    /**
     * Its backward pass after a batch-statistics forward (y, mean and invStd from it). With g = dy, zeroed where
     * {@code relu} cut y to 0, and h = (x - mean) invStd: dScale[c] += sum(g h), dShift[c] += sum(g), and dx,
     * unless null, is overwritten with scale invStd / N (N g - sum(g) - h sum(g h)), N = batch x plane.
     */
    void batchNormBackward(int batch, int channels, int plane, float[] x, int xOff, float[] y, int yOff,
                           float[] dy, int dyOff, float[] scale, int scaleOff, double[] mean, float[] invStd,
                           boolean relu, float[] dScale, int dScaleOff, float[] dShift, int dShiftOff,
                           float[] dx, int dxOff);

    /**
     * Batch normalisation (as {@link #batchNormForward}, ReLU when {@code relu}) followed by the max-pool g, in one
     * pass over x = [batch][channels][inHeight x inWidth] that never stores the normalised tensor: y and argmax
     * are what {@link #maxPoolForward} gives on it. mean, var and invStd as in {@link #batchNormForward}.
     */
    void batchNormPoolForward(PoolGeometry g, float[] x, int xOff, float[] scale, int scaleOff, float[] shift,
                              int shiftOff, boolean batchStatistics, double[] mean, double[] var, float[] invStd,
                              double eps, boolean relu, float[] y, int yOff, int[] argmax);

    /**
     * Its backward pass after a batch-statistics forward (x, y, argmax, mean and invStd from it): dy routed to each
     * window's maximum (with {@code relu}, only where y is not +0), then as {@link #batchNormBackward}.
     */
    void batchNormPoolBackward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax, float[] dy,
                               int dyOff, float[] scale, int scaleOff, double[] mean, float[] invStd, boolean relu,
                               float[] dScale, int dScaleOff, float[] dShift, int dShiftOff, float[] dx, int dxOff);

    /**
     * A first block in one: the 3x3, stride-1 convolution {@code conv} of one-channel images x (no bias), batch
     * normalisation of its output (as {@link #batchNormForward}: mean, var, invStd; ReLU when {@code relu}), then the
     * max-pool {@code pool}; y and argmax are what {@link #maxPoolForward} gives on the normalised tensor, and
     * xAtMax[i] is the convolution's output at argmax[i], all that the backward pass needs of it. The convolution's
     * output is never stored.
     */
    void convBatchNormPoolForward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w, int wOff,
                                  float[] scale, int scaleOff, float[] shift, int shiftOff, boolean batchStatistics,
                                  double[] mean, double[] var, float[] invStd, double eps, boolean relu, float[] y,
                                  int yOff, int[] argmax, float[] xAtMax);

    /**
     * Its backward pass after a batch-statistics forward (y, argmax, xAtMax, mean and invStd from it): as
     * {@link #batchNormPoolBackward} into the convolution's output gradient, then as {@link #conv2dBackwardParams}
     * into dw (added to). dScale and dShift are added to; the images get no gradient (a first block's input needs none).
     */
    void convBatchNormPoolBackward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w, int wOff,
                                   float[] y, int yOff, int[] argmax, float[] xAtMax, float[] dy, int dyOff,
                                   float[] scale, int scaleOff, double[] mean, float[] invStd, boolean relu,
                                   float[] dScale, int dScaleOff, float[] dShift, int dShiftOff, float[] dw, int dwOff);

    /** y = max(x, 0). y may alias x. */
    void reluForward(float[] x, int xOff, float[] y, int yOff, int n);

    /** dx = dy where y > 0, else 0. dx may alias dy. */
    void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /** y = 1 / (1 + exp(-x)). y may alias x. */
    void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n);

    /** dx = dy * y * (1 - y). dx may alias dy. */
    void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n);

    /** out = |a - b|, element-wise. */
    void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);

    /** da = dOut * sign(a - b), db = -da (both overwritten; sign(0) = 0). */
    void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                        float[] da, int daOff, float[] db, int dbOff, int n);

    /** Adds bias[j] to every row of the rows x cols matrix y. */
    void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff);

    /** sums[j] += sum over rows of m[i][j], for a rows x cols matrix. */
    void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff);

    /** SGD with momentum on n parameters: v = mu v - lr g, then w += v. */
    void momentumStep(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr);

    /** g += lambda w on n parameters; returns the sum of w^2 (summed in double per block of 1024). */
    double addWeightDecay(float[] w, int wOff, float[] g, int gOff, int n, float lambda);
}
