package org.siamese4j.engine;

/** Triple-loop references in double precision, written for clarity only. */
final class Naive {
    private Naive() {
    }

    static double[] gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, float[] a, int aOff, int lda,
                         float[] b, int bOff, int ldb, double beta, float[] c, int cOff, int ldc) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                double old = beta == 0 ? 0 : beta * c[cOff + i * ldc + j];
                out[i * n + j] = alpha * s + old;
            }
        }
        return out;
    }

    static double[] convForward(ConvGeometry g, float[] x, float[] w, float[] bias, boolean relu) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        double[] y = new double[g.batch() * g.outSize()];
        for (int n = 0; n < g.batch(); n++) {
            for (int co = 0; co < g.outChannels(); co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias[co];
                        for (int ci = 0; ci < g.inChannels(); ci++) {
                            for (int ky = 0; ky < g.kernelHeight(); ky++) {
                                for (int kx = 0; kx < g.kernelWidth(); kx++) {
                                    int iy = oy * g.stride() - g.padding() + ky;
                                    int ix = ox * g.stride() - g.padding() + kx;
                                    if (iy >= 0 && iy < g.inHeight() && ix >= 0 && ix < g.inWidth()) {
                                        s += (double) w[((co * g.inChannels() + ci) * g.kernelHeight() + ky) * g.kernelWidth() + kx]
                                                * x[((n * g.inChannels() + ci) * g.inHeight() + iy) * g.inWidth() + ix];
                                    }
                                }
                            }
                        }
                        y[((n * g.outChannels() + co) * oh + oy) * ow + ox] = relu ? Math.max(0, s) : s;
                    }
                }
            }
        }
        return y;
    }

    /** dx, dw, db of a conv for output gradient dy (no activation). */
    static double[][] convBackward(ConvGeometry g, float[] x, float[] w, float[] dy) {
        int oh = g.outHeight();
        int ow = g.outWidth();
        double[] dx = new double[g.batch() * g.inSize()];
        double[] dw = new double[g.weightSize()];
        double[] db = new double[g.outChannels()];
        for (int n = 0; n < g.batch(); n++) {
            for (int co = 0; co < g.outChannels(); co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double d = dy[((n * g.outChannels() + co) * oh + oy) * ow + ox];
                        db[co] += d;
                        for (int ci = 0; ci < g.inChannels(); ci++) {
                            for (int ky = 0; ky < g.kernelHeight(); ky++) {
                                for (int kx = 0; kx < g.kernelWidth(); kx++) {
                                    int iy = oy * g.stride() - g.padding() + ky;
                                    int ix = ox * g.stride() - g.padding() + kx;
                                    if (iy >= 0 && iy < g.inHeight() && ix >= 0 && ix < g.inWidth()) {
                                        int wi = ((co * g.inChannels() + ci) * g.kernelHeight() + ky) * g.kernelWidth() + kx;
                                        int xi = ((n * g.inChannels() + ci) * g.inHeight() + iy) * g.inWidth() + ix;
                                        dw[wi] += d * x[xi];
                                        dx[xi] += d * w[wi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw, db};
    }
}
