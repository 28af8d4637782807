package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.siamese4j.engine.layer.Activation;
import org.siamese4j.engine.layer.Conv2d;
import org.siamese4j.engine.layer.Dense;
import org.siamese4j.engine.layer.Flatten;
import org.siamese4j.engine.layer.MaxPool2d;
import org.siamese4j.engine.layer.ParamSet;
import org.siamese4j.engine.layer.Sequential;

import java.util.List;

/** Bad shapes fail early with IllegalArgumentException naming the shapes, never deep in a kernel. */
class BadArgumentsTest {

    private static void failsNaming(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' should name '" + f + "'");
        }
    }

    @Test
    void geometriesRefuseImpossibleShapes() {
        failsNaming(() -> new ConvGeometry(1, 1, 5, 5, 4, 7, 7, 1, 0), "7x7", "5x5");
        failsNaming(() -> new ConvGeometry(-1, 1, 5, 5, 4, 3, 3, 1, 0), "-1");
        failsNaming(() -> new ConvGeometry(1, 1, 5, 5, 4, 3, 3, 0, 0), "stride 0");
        failsNaming(() -> new PoolGeometry(1, 1, 1, 3, 2, 2), "window 2");
        failsNaming(() -> Tensor.zeros(2, -3), "-3");
    }

    @Test
    void kernelsRefuseBuffersThatAreTooSmall() {
        for (Kernels k : TestKernels.all(2)) {
            failsNaming(() -> k.gemm(false, false, 4, 4, 4, 1f, new float[15], 0, 4, new float[16], 0, 4, 0f, new float[16], 0, 4),
                    "A", "4x4");
            failsNaming(() -> k.gemm(false, false, 4, 4, 4, 1f, new float[16], 0, 3, new float[16], 0, 4, 0f, new float[16], 0, 4),
                    "leading dimension");
            failsNaming(() -> k.gemm(false, false, -1, 4, 4, 1f, new float[16], 0, 4, new float[16], 0, 4, 0f, new float[16], 0, 4),
                    "negative");
            ConvGeometry g = new ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 0);
            failsNaming(() -> k.conv2dForward(g, new float[10], 0, new float[g.weightSize()], 0, new float[4], 0,
                    new float[2 * g.outSize()], 0, false), "conv input", "2x3x8x8");
            failsNaming(() -> k.reluForward(new float[3], 0, new float[5], 0, 5), "relu input");
            failsNaming(() -> k.l1JoinForward(new float[5], 0, new float[5], 1, new float[5], 0, 5), "l1 join right");
        }
    }

    @Test
    void kernelsNameNullBuffersNegativeOffsetsAndNegativeLengths() {
        for (Kernels k : TestKernels.all(2)) {
            ConvGeometry g = new ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 0);
            float[] x = new float[2 * g.inSize()];
            float[] w = new float[g.weightSize()];
            float[] y = new float[2 * g.outSize()];
            failsNaming(() -> k.conv2dForward(g, null, 0, w, 0, null, 0, y, 0, false), "conv input is null", "2x3x8x8");
            failsNaming(() -> k.conv2dForward(g, x, -1, w, 0, null, 0, y, 0, false), "conv input", "offset -1");
            failsNaming(() -> k.conv2dForward(g, x, 0, w, 0, new float[3], 0, y, 0, false), "conv bias", "needs 4");
            failsNaming(() -> k.conv2dBackwardParams(g, x, 0, y, 0, w, 0, new float[4], 1), "conv bias gradient", "offset 1");
            failsNaming(() -> k.reluForward(null, 0, new float[5], 0, 5), "relu input is null");
            failsNaming(() -> k.reluForward(new float[5], 0, new float[5], 0, -1), "relu input", "negative length -1");
            failsNaming(() -> k.sigmoidBackward(new float[5], 0, new float[5], -2, new float[5], 0, 3),
                    "sigmoid output gradient", "offset -2");
            failsNaming(() -> k.momentumStep(new float[5], 0, new float[5], 0, new float[4], 0, 5, 0.9f, 0.1f),
                    "momentumStep g", "needs 5");
            // a negative row count makes a negative extent: named, never taken for an empty matrix
            failsNaming(() -> k.addRowVector(new float[6], 0, -1, 3, new float[3], 0), "matrix", "needs -3 floats", "-1x3");
            failsNaming(() -> k.accumulateColumnSums(new float[6], 0, 2, 3, null, 0), "column sums is null", "2x3");
        }
    }

    @Test
    void maxPoolRefusesAMissingOrShortArgmaxInBothPasses() {
        for (Kernels k : TestKernels.all(2)) {
            PoolGeometry g = new PoolGeometry(2, 3, 4, 4, 2, 2);
            float[] x = new float[2 * g.inSize()];
            float[] y = new float[2 * g.outSize()];
            int[] full = new int[2 * g.outSize()];
            k.maxPoolForward(g, x, 0, y, 0, full);
            for (int[] bad : new int[][] {null, new int[2 * g.outSize() - 1]}) {
                String what = bad == null ? "argmax is null" : "argmax of length 23 is too short";
                failsNaming(() -> k.maxPoolForward(g, x, 0, y, 0, bad), what, "needs 24 entries", g.toString());
                failsNaming(() -> k.maxPoolBackward(g, y, 0, bad, x, 0), what, "needs 24 entries", g.toString());
            }
        }
    }

    @Test
    void gemmChecksEveryOperandInEveryLayout() {
        for (Kernels k : TestKernels.all(2)) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    // 3x5 times 5x4: A is 3x5 (5x3 when transposed), B 5x4 (4x5)
                    int lda = ta ? 3 : 5;
                    int ldb = tb ? 5 : 4;
                    float[] a = new float[15];
                    float[] b = new float[20];
                    float[] c = new float[12];
                    k.gemm(ta, tb, 3, 4, 5, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, 4);
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, a, 0, lda - 1, b, 0, ldb, 0f, c, 0, 4), "leading dimension");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, a, 0, lda, b, 0, ldb - 1, 0f, c, 0, 4), "leading dimension");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, 3), "leading dimension");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, a, 1, lda, b, 0, ldb, 0f, c, 0, 4), "A");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, a, 0, lda, new float[19], 0, ldb, 0f, c, 0, 4), "B");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, a, 0, lda, b, 0, ldb, 0f, new float[11], 0, 4), "C");
                    failsNaming(() -> k.gemm(ta, tb, 3, -4, 5, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, 4), "negative");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, -5, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, 4), "negative");
                    failsNaming(() -> k.gemm(ta, tb, 3, 4, 5, 1f, null, 0, lda, b, 0, ldb, 0f, c, 0, 4), "A");
                    // empty products touch nothing, whatever the (empty) operands
                    float[] untouched = {Float.NaN};
                    k.gemm(ta, tb, 0, 4, 5, 1f, new float[0], 0, ta ? 1 : 5, b, 0, ldb, 0f, untouched, 0, 4);
                    k.gemm(ta, tb, 3, 0, 5, 1f, a, 0, lda, new float[0], 0, tb ? 5 : 1, 0f, untouched, 0, 1);
                    assertTrue(Float.isNaN(untouched[0]));
                }
            }
        }
    }

    @Test
    void layersRefuseMismatchedInputs() {
        Kernels k = Backend.kernels("scalar", 1);
        Conv2d conv = new Conv2d(k, 1, 8, 8, 2, 3, 1, 0, Activation.RELU);
        ParamSet.of(conv);
        failsNaming(() -> conv.forward(Tensor.zeros(2, 1, 7, 8)), "[1, 8, 8]", "[2, 1, 7, 8]");
        Dense d = new Dense(k, 10, 3, Activation.NONE);
        ParamSet.of(d);
        failsNaming(() -> d.forward(Tensor.zeros(4, 11)), "[10]", "[4, 11]");
        failsNaming(() -> new Sequential(List.of(new Conv2d(k, 1, 8, 8, 2, 3, 1, 0, Activation.RELU),
                new MaxPool2d(k, 2, 5, 5), new Flatten(2, 3, 3))), "[2, 5, 5]", "[2, 6, 6]");
        failsNaming(() -> new Dense(k, 0, 3, Activation.NONE), "0");
        failsNaming(() -> new Conv2d(k, 1, 3, 3, 2, 4, 1, 0, Activation.NONE), "4x4", "3x3");
    }
}
