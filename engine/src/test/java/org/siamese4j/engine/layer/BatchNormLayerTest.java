package org.siamese4j.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/**
 * What the gradient checks do not look at: a training-mode pass moves the running statistics towards the batch's
 * (momentum 0.1, the variance unbiased), and inference normalises by the running statistics alone.
 */
class BatchNormLayerTest {
    private static final int BATCH = 2;
    private static final int[] SHAPE = {3, 4, 5};
    private static final int PLANE = 20;

    @Test
    void trainingUpdatesTheRunningStatisticsAndInferenceUsesThem() {
        for (String backend : Backend.vectorApiAvailable() ? new String[] {"simd", "scalar"} : new String[] {"scalar"}) {
            Kernels k = Backend.kernels(backend, 2);
            BatchNorm bn = new BatchNorm(k, SHAPE, Activation.RELU);
            ParamSet.of(bn); // lays the parameters out
            SplittableRandom r = new SplittableRandom(5);
            int channels = SHAPE[0];
            float[] gamma = new float[channels];
            float[] beta = new float[channels];
            float[] mean0 = new float[channels];
            float[] var0 = new float[channels];
            for (int c = 0; c < channels; c++) {
                gamma[c] = (float) r.nextDouble(0.5, 1.5);
                beta[c] = (float) r.nextDouble(-0.5, 0.5);
                mean0[c] = (float) r.nextDouble(-1, 1);
                var0[c] = (float) r.nextDouble(0.5, 2);
                bn.params().get(0).value().set(c, gamma[c]);
                bn.params().get(1).value().set(c, beta[c]);
                bn.params().get(2).value().set(c, mean0[c]);
                bn.params().get(3).value().set(c, var0[c]);
            }
            float[] x = new float[BATCH * channels * PLANE];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextDouble(-2, 3);
            }
            int[] shape = {BATCH, SHAPE[0], SHAPE[1], SHAPE[2]};
            bn.setTraining(true);
            bn.forward(Tensor.of(x.clone(), shape));
            int count = BATCH * PLANE;
            for (int c = 0; c < channels; c++) {
                double s = 0;
                double sq = 0;
                for (int n = 0; n < BATCH; n++) {
                    for (int j = 0; j < PLANE; j++) {
                        double v = x[(n * channels + c) * PLANE + j];
                        s += v;
                        sq += v * v;
                    }
                }
                double m = s / count;
                double unbiased = (sq / count - m * m) * count / (count - 1);
                assertEquals(0.9 * mean0[c] + 0.1 * m, bn.params().get(2).value().get(c), 1e-5, backend + " running mean");
                assertEquals(0.9 * var0[c] + 0.1 * unbiased, bn.params().get(3).value().get(c), 1e-5, backend + " running variance");
            }
            bn.setTraining(false);
            float[] statistics = bn.params().get(2).value().toArray();
            float[] variances = bn.params().get(3).value().toArray();
            Tensor y = bn.forward(Tensor.of(x.clone(), shape));
            assertArrayEquals(statistics, bn.params().get(2).value().toArray(), backend + ": inference leaves the running mean");
            assertArrayEquals(variances, bn.params().get(3).value().toArray(), backend + ": inference leaves the running variance");
            for (int c = 0; c < channels; c++) {
                double rm = bn.params().get(2).value().get(c);
                double rv = bn.params().get(3).value().get(c);
                for (int n = 0; n < BATCH; n++) {
                    for (int j = 0; j < PLANE; j++) {
                        int at = (n * channels + c) * PLANE + j;
                        double expect = Math.max(0, gamma[c] * (x[at] - rm) / Math.sqrt(rv + 1e-5) + beta[c]);
                        assertEquals(expect, y.get(at), 1e-5 * Math.max(1, Math.abs(expect)), backend + " inference output");
                    }
                }
            }
            Tensor dy = Tensor.of(new float[x.length], shape);
            assertThrows(IllegalStateException.class, () -> bn.backward(dy), "no backward pass after an inference forward");
        }
    }
}
