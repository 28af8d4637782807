package org.siamese4j.train.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

/** Baselines for one-shot and verification: nearest neighbour on raw pixels, and Eigenfaces. */
public final class Baselines {
    private Baselines() {
    }

    /** Negative squared Euclidean distance between raw pixels (after the model's crop and resize). */
    public static OneShot.Scorer pixels(LoadedDataset data) {
        List<LoadedClass> classes = data.classes();
        return (ca, ia, cb, ib) -> -squaredDistance(classes.get(ca).images().get(ia), classes.get(cb).images().get(ib));
    }

    static double squaredDistance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    /**
     * Eigenfaces (Turk and Pentland): PCA fitted on the training images (EJML), nearest neighbour in the
     * space of the leading components; {@code whiten} divides each coordinate by its standard deviation.
     */
    public static final class Eigenfaces {
        private final int dim;
        private final double[] mean;
        private final double[][] components;
        private final double[] scale;

        private Eigenfaces(double[] mean, double[][] components, double[] scale) {
            this.dim = mean.length;
            this.mean = mean;
            this.components = components;
            this.scale = scale;
        }

        public int components() {
            return components.length;
        }

        /** Fits on at most {@code maxImages} training images (a seeded sample), keeping k components. */
        public static Eigenfaces fit(LoadedDataset train, int k, boolean whiten, int maxImages, long seed) {
            List<float[]> all = new ArrayList<>();
            for (LoadedClass c : train.classes()) {
                all.addAll(c.images());
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = all.size() - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                float[] t = all.get(i);
                all.set(i, all.get(j));
                all.set(j, t);
            }
            List<float[]> sample = all.subList(0, Math.min(maxImages, all.size()));
            int n = sample.size();
            int d = sample.get(0).length;
            double[] mean = new double[d];
            for (float[] img : sample) {
                for (int i = 0; i < d; i++) {
                    mean[i] += img[i];
                }
            }
            for (int i = 0; i < d; i++) {
                mean[i] /= n;
            }
            DMatrixRMaj x = new DMatrixRMaj(n, d);
            for (int r = 0; r < n; r++) {
                float[] img = sample.get(r);
                for (int i = 0; i < d; i++) {
                    x.unsafe_set(r, i, img[i] - mean[i]);
                }
            }
            int keep = Math.min(k, Math.min(n - 1, d));
            double[][] comps = new double[keep][];
            double[] scale = new double[keep];
            // eigenvectors of the smaller of X X^T (n x n) and X^T X (d x d)
            boolean gram = n < d;
            DMatrixRMaj m = gram ? new DMatrixRMaj(n, n) : new DMatrixRMaj(d, d);
            if (gram) {
                CommonOps_DDRM.multTransB(x, x, m);
            } else {
                CommonOps_DDRM.multTransA(x, x, m);
            }
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, true, true);
            if (!eig.decompose(m)) {
                throw new IllegalStateException("eigen decomposition failed");
            }
            Integer[] order = new Integer[eig.getNumberOfEigenvalues()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(eig.getEigenvalue(b).real, eig.getEigenvalue(a).real));
            for (int c = 0; c < keep; c++) {
                double lambda = Math.max(eig.getEigenvalue(order[c]).real, 1e-12);
                DMatrixRMaj v = eig.getEigenVector(order[c]);
                double[] u = new double[d];
                if (gram) {
                    // u = X^T v / ||X^T v||
                    for (int r = 0; r < n; r++) {
                        double vr = v.get(r, 0);
                        for (int i = 0; i < d; i++) {
                            u[i] += vr * x.unsafe_get(r, i);
                        }
                    }
                } else {
                    for (int i = 0; i < d; i++) {
                        u[i] = v.get(i, 0);
                    }
                }
                double norm = 0;
                for (double e : u) {
                    norm += e * e;
                }
                norm = Math.sqrt(norm);
                for (int i = 0; i < d; i++) {
                    u[i] /= norm;
                }
                comps[c] = u;
                scale[c] = whiten ? 1.0 / Math.sqrt(lambda / Math.max(1, n - 1)) : 1.0;
            }
            return new Eigenfaces(mean, comps, scale);
        }

        public double[] project(float[] img) {
            double[] out = new double[components.length];
            for (int c = 0; c < components.length; c++) {
                double s = 0;
                double[] u = components[c];
                for (int i = 0; i < dim; i++) {
                    s += (img[i] - mean[i]) * u[i];
                }
                out[c] = s * scale[c];
            }
            return out;
        }

        /** A scorer over a dataset: every image projected once, negative squared distance. */
        public OneShot.Scorer scorer(LoadedDataset data) {
            List<LoadedClass> classes = data.classes();
            double[][][] proj = new double[classes.size()][][];
            for (int c = 0; c < classes.size(); c++) {
                List<float[]> imgs = classes.get(c).images();
                proj[c] = new double[imgs.size()][];
                for (int i = 0; i < imgs.size(); i++) {
                    proj[c][i] = project(imgs.get(i));
                }
            }
            return (ca, ia, cb, ib) -> {
                double[] a = proj[ca][ia];
                double[] b = proj[cb][ib];
                double s = 0;
                for (int i = 0; i < a.length; i++) {
                    double t = a[i] - b[i];
                    s += t * t;
                }
                return -s;
            };
        }
    }
}
