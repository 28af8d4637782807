package org.siamese4j.engine;

/**
 * The kernels of both backends, composed of one class per computation around the backend's {@link VectorOps}:
 * {@link PackedGemm} (a packed, cache-blocked GEMM driver in the style of BLIS/GotoBLAS around the backend's
 * register-blocked micro-kernel), the convolution passes {@link ConvForward}, {@link ConvBackwardInput} and
 * {@link ConvBackwardParams} (implicit GEMMs whose im2col operand is packed straight from the image and never
 * stored whole), {@link MaxPooling}, {@link BatchNormPasses}, {@link ConvBlockPasses} (a first block without its
 * convolution's output), {@link ElementwisePasses} and {@link ParameterPasses}. They share the
 * thread pool and one {@link Workspace} per thread. {@link Backend} makes these for "simd" and "scalar".
 */
final class CpuKernels implements Kernels {
    private final VectorOps ops;
    private final Parallel parallel;
    private final PackedGemm gemm;
    private final ConvForward convForward;
    private final ConvBackwardInput convBackwardInput;
    private final ConvBackwardParams convBackwardParams;
    private final MaxPooling pooling;
    private final BatchNormPasses batchNorm;
    private final ConvBlockPasses convBlock;
    private final ElementwisePasses elementwise;
    private final ParameterPasses parameters;

    CpuKernels(Parallel parallel, VectorOps ops) {
        this.ops = ops;
        this.parallel = parallel;
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(() -> new Workspace(ops));
        this.gemm = new PackedGemm(parallel, ops, workspaces);
        ConvWinograd winograd = new ConvWinograd(ops);
        this.convForward = new ConvForward(parallel, ops, gemm, workspaces, winograd);
        this.convBackwardInput = new ConvBackwardInput(parallel, ops, gemm, workspaces, winograd);
        this.convBackwardParams = new ConvBackwardParams(parallel, ops, gemm, workspaces, winograd);
        this.pooling = new MaxPooling(parallel, ops);
        this.batchNorm = new BatchNormPasses(parallel, ops);
        this.convBlock = new ConvBlockPasses(parallel, ops);
        this.elementwise = new ElementwisePasses(parallel, ops);
        this.parameters = new ParameterPasses(parallel, ops);
    }

    @Override
    public String name() {
        return ops.name();
    }

    @Override
    public int vectorLength() {
        return ops.vectorLength();
    }

    @Override
    public int threads() {
        return parallel.threads();
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        gemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void conv2dForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] bias, int biasOff,
                              float[] y, int yOff, boolean relu) {
        convForward.conv2dForward(g, x, xOff, w, wOff, bias, biasOff, y, yOff, relu);
    }

    @Override
    public void conv2dBackwardInput(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        convBackwardInput.conv2dBackwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
    }

    @Override
    public void conv2dBackwardParams(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                     float[] dw, int dwOff, float[] dbias, int dbiasOff) {
        convBackwardParams.conv2dBackwardParams(g, x, xOff, dy, dyOff, dw, dwOff, dbias, dbiasOff);
    }

    @Override
    public void maxPoolForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        pooling.maxPoolForward(g, x, xOff, y, yOff, argmax);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        pooling.maxPoolBackward(g, dy, dyOff, argmax, dx, dxOff);
    }

    @Override
    public void batchNormForward(int batch, int channels, int plane, float[] x, int xOff, float[] scale, int scaleOff,
                                 float[] shift, int shiftOff, boolean batchStatistics, double[] mean, double[] var,
                                 float[] invStd, double eps, float[] y, int yOff, boolean relu) {
        batchNorm.forward(batch, channels, plane, x, xOff, scale, scaleOff, shift, shiftOff, batchStatistics, mean, var,
                invStd, eps, y, yOff, relu);
    }

    @Override
    public void batchNormBackward(int batch, int channels, int plane, float[] x, int xOff, float[] y, int yOff,
                                  float[] dy, int dyOff, float[] scale, int scaleOff, double[] mean, float[] invStd,
                                  boolean relu, float[] dScale, int dScaleOff, float[] dShift, int dShiftOff,
                                  float[] dx, int dxOff) {
        batchNorm.backward(batch, channels, plane, x, xOff, y, yOff, dy, dyOff, scale, scaleOff, mean, invStd, relu,
                dScale, dScaleOff, dShift, dShiftOff, dx, dxOff);
    }

    @Override
    public void batchNormPoolForward(PoolGeometry g, float[] x, int xOff, float[] scale, int scaleOff, float[] shift,
                                     int shiftOff, boolean batchStatistics, double[] mean, double[] var,
                                     float[] invStd, double eps, boolean relu, float[] y, int yOff, int[] argmax) {
        batchNorm.poolForward(g, x, xOff, scale, scaleOff, shift, shiftOff, batchStatistics, mean, var, invStd, eps,
                relu, y, yOff, argmax);
    }

    @Override
    public void batchNormPoolBackward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax,
                                      float[] dy, int dyOff, float[] scale, int scaleOff, double[] mean,
                                      float[] invStd, boolean relu, float[] dScale, int dScaleOff, float[] dShift,
                                      int dShiftOff, float[] dx, int dxOff) {
        batchNorm.poolBackward(g, x, xOff, y, yOff, argmax, dy, dyOff, scale, scaleOff, mean, invStd, relu, dScale,
                dScaleOff, dShift, dShiftOff, dx, dxOff);
    }

    @Override
    public void convBatchNormPoolForward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w, int wOff,
                                         float[] scale, int scaleOff, float[] shift, int shiftOff,
                                         boolean batchStatistics, double[] mean, double[] var, float[] invStd,
                                         double eps, boolean relu, float[] y, int yOff, int[] argmax, float[] xAtMax) {
        convBlock.forward(conv, pool, x, xOff, w, wOff, scale, scaleOff, shift, shiftOff, batchStatistics, mean, var,
                invStd, eps, relu, y, yOff, argmax, xAtMax);
    }

    @Override
    public void convBatchNormPoolBackward(ConvGeometry conv, PoolGeometry pool, float[] x, int xOff, float[] w,
                                          int wOff, float[] y, int yOff, int[] argmax, float[] xAtMax, float[] dy,
                                          int dyOff, float[] scale, int scaleOff, double[] mean, float[] invStd,
                                          boolean relu, float[] dScale, int dScaleOff, float[] dShift, int dShiftOff,
                                          float[] dw, int dwOff) {
        convBlock.backward(conv, pool, x, xOff, w, wOff, y, yOff, argmax, xAtMax, dy, dyOff, scale, scaleOff, mean,
                invStd, relu, dScale, dScaleOff, dShift, dShiftOff, dw, dwOff);
    }

    @Override
    public void reluForward(float[] x, int xOff, float[] y, int yOff, int n) {
        elementwise.reluForward(x, xOff, y, yOff, n);
    }

    @Override
    public void reluBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        elementwise.reluBackward(y, yOff, dy, dyOff, dx, dxOff, n);
    }

    @Override
    public void sigmoidForward(float[] x, int xOff, float[] y, int yOff, int n) {
        elementwise.sigmoidForward(x, xOff, y, yOff, n);
    }

    @Override
    public void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        elementwise.sigmoidBackward(y, yOff, dy, dyOff, dx, dxOff, n);
    }

    @Override
    public void l1JoinForward(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        elementwise.l1JoinForward(a, aOff, b, bOff, out, outOff, n);
    }

    @Override
    public void l1JoinBackward(float[] a, int aOff, float[] b, int bOff, float[] dOut, int dOutOff,
                               float[] da, int daOff, float[] db, int dbOff, int n) {
        elementwise.l1JoinBackward(a, aOff, b, bOff, dOut, dOutOff, da, daOff, db, dbOff, n);
    }

    @Override
    public void addRowVector(float[] y, int yOff, int rows, int cols, float[] bias, int biasOff) {
        elementwise.addRowVector(y, yOff, rows, cols, bias, biasOff);
    }

    @Override
    public void accumulateColumnSums(float[] m, int mOff, int rows, int cols, float[] sums, int sumsOff) {
        elementwise.accumulateColumnSums(m, mOff, rows, cols, sums, sumsOff);
    }

    @Override
    public void momentumStep(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        parameters.momentumStep(w, wOff, v, vOff, g, gOff, n, mu, lr);
    }

    @Override
    public double addWeightDecay(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        return parameters.addWeightDecay(w, wOff, g, gOff, n, lambda);
    }
}
