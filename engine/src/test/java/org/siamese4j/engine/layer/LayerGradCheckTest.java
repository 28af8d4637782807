package org.siamese4j.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.TestKernels;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.check.FaultyKernels;
import org.siamese4j.engine.check.FaultyKernels.Fault;
import org.siamese4j.engine.check.GradCheck;

/**
 * Every layer's backward pass against central differences of its double-precision reference, for the
 * input and every parameter tensor, on both backends; and proof that a broken backward pass is caught.
 */
class LayerGradCheckTest {

    /** Layers under test, built on the given kernels. */
    private static List<Layer> layers(Kernels k) {
        return List.of(
                new Conv2d(k, 1, 7, 6, 3, 3, 1, 0, Activation.NONE),
                new Conv2d(k, 1, 9, 20, 4, 3, 1, 1, Activation.NONE),   // compact's first layer, smaller
                new Conv2d(k, 2, 8, 7, 4, 3, 1, 0, Activation.RELU),
                new Conv2d(k, 3, 9, 9, 2, 3, 2, 1, Activation.RELU),
                new Conv2d(k, 2, 5, 5, 3, 4, 1, 2, Activation.NONE),
                // SIMD: Winograd tiles both ways; forward only (12 out channels: not whole micro-tile rows);
                // input gradient only (4 in channels: too few); all three passes (32 in channels: whole panels)
                new Conv2d(k, 8, 6, 4, 8, 3, 1, 1, Activation.RELU),
                new Conv2d(k, 8, 4, 6, 12, 3, 1, 1, Activation.NONE),
                new Conv2d(k, 16, 2, 4, 8, 3, 1, 1, Activation.NONE),
                new Conv2d(k, 32, 4, 6, 16, 3, 1, 1, Activation.RELU),
                new MaxPool2d(k, 2, 6, 7),
                new MaxPool2d(k, 1, 7, 7, 3, 2),
                new ReLU(k, 3, 4, 5),
                new Sigmoid(k, 11),
                new Flatten(2, 3, 4),
                new Dense(k, 13, 7, Activation.NONE),
                new Dense(k, 9, 17, Activation.RELU),
                new Dense(k, 20, 5, Activation.SIGMOID),
                new BatchNorm(k, new int[] {3, 4, 5}, Activation.NONE),
                new BatchNorm(k, new int[] {2, 3, 3}, Activation.RELU),
                new BatchNorm(k, new int[] {6}, Activation.NONE),
                BatchNorm.withMaxPool(k, new int[] {2, 6, 7}, Activation.RELU, 2, 2),
                BatchNorm.withMaxPool(k, new int[] {3, 5, 5}, Activation.NONE, 3, 2),
                BatchNorm.withMaxPool(k, new int[] {2, 4, 20}, Activation.RELU, 2, 2), // a row of whole SIMD windows
                firstBlock(k, 3, 7, 6, 1, Activation.RELU, 2, 2),   // rows narrower than a vector: the plain loops
                firstBlock(k, 2, 6, 20, 1, Activation.RELU, 2, 2),  // a vector and a tail vector per row
                firstBlock(k, 3, 5, 18, 0, Activation.NONE, 3, 2)); // unpadded: one vector per row, overlapping windows
    }

    /** A fused first block: a 3x3 convolution of one channel, batch norm, the activation and a max-pool. */
    private static Layer firstBlock(Kernels k, int channels, int height, int width, int padding, Activation activation,
                                    int window, int stride) {
        Conv2d conv = new Conv2d(k, 1, height, width, channels, 3, 1, padding, Activation.NONE, false);
        return new ConvBatchNormPool(k, conv, BatchNorm.withMaxPool(k, conv.outputShape(), activation, window, stride));
    }

    @Test
    void everyLayerPassesTheGradientCheck() {
        for (Kernels k : TestKernels.all(2)) {
            for (Layer layer : layers(k)) {
                for (int batch : new int[] {1, 3}) {
                    GradCheck.Report report = GradCheck.checkLayer(layer, batch, 42 + batch);
                    assertTrue(report.passed(), k.name() + " batch " + batch + "\n" + report.format());
                    long trained = layer.params().stream().filter(p -> p.role().trained()).count();
                    int input = layer.providesInputGradient() ? 1 : 0;
                    assertEquals(input + trained, report.tensors().size(), "input and every trained parameter checked");
                    for (GradCheck.TensorError e : report.tensors()) {
                        assertTrue(e.checked() > 0.95 * (e.checked() + e.skippedKinks()), "few kinks skipped: " + e);
                    }
                }
            }
        }
    }

    /** The demonstration that the checks can fail: each broken backward pass must be reported. */
    @Test
    void brokenBackwardPassesAreCaught() {
        Kernels good = Backend.kernels(Backend.preferredName(), 2);
        assertCaught(Fault.CONV_INPUT_SIGN_FLIP, k -> new Conv2d(k, 2, 6, 6, 3, 3, 1, 0, Activation.NONE), "input");
        assertCaught(Fault.CONV_WEIGHT_OFF_BY_ONE, k -> new Conv2d(k, 2, 6, 6, 3, 3, 1, 0, Activation.NONE), "weight");
        assertCaught(Fault.CONV_WEIGHT_OFF_BY_ONE, k -> new Conv2d(k, 1, 6, 18, 3, 3, 1, 1, Activation.NONE), "weight");
        // the Winograd forward and input-gradient passes (SIMD)
        assertCaught(Fault.CONV_INPUT_SIGN_FLIP, k -> new Conv2d(k, 8, 6, 6, 8, 3, 1, 1, Activation.NONE), "input");
        assertCaught(Fault.CONV_WEIGHT_OFF_BY_ONE, k -> new Conv2d(k, 8, 6, 6, 8, 3, 1, 1, Activation.NONE), "weight");
        assertCaught(Fault.CONV_WEIGHT_OFF_BY_ONE, k -> new Conv2d(k, 32, 4, 4, 16, 3, 1, 1, Activation.NONE), "weight");
        assertCaught(Fault.RELU_MASK_INVERTED, k -> new Conv2d(k, 1, 6, 6, 2, 3, 1, 0, Activation.RELU), "weight");
        assertCaught(Fault.RELU_MASK_INVERTED, k -> new ReLU(k, 10), "input");
        assertCaught(Fault.POOL_ARGMAX_OFF_BY_ONE, k -> new MaxPool2d(k, 2, 6, 6), "input");
        assertCaught(Fault.BATCH_NORM_MEAN_TERM_DROPPED, k -> new BatchNorm(k, new int[] {3, 4, 5}, Activation.NONE), "input");
        assertCaught(Fault.BATCH_NORM_MEAN_TERM_DROPPED, k -> new BatchNorm(k, new int[] {2, 3, 3}, Activation.RELU), "input");
        assertCaught(Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED, k -> new BatchNorm(k, new int[] {6}, Activation.NONE), "shift");
        // the fused batch norm + pool: each fault of the passes it replaces
        Function<Kernels, Layer> fused = k -> BatchNorm.withMaxPool(k, new int[] {2, 6, 6}, Activation.RELU, 2, 2);
        assertCaught(Fault.POOL_ARGMAX_OFF_BY_ONE, fused, "input");
        assertCaught(Fault.RELU_MASK_INVERTED, fused, "input");
        assertCaught(Fault.BATCH_NORM_MEAN_TERM_DROPPED, fused, "input");
        assertCaught(Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED, fused, "shift");
        // the fused first block: the faults of the convolution's weight gradient and of every pass after it
        Function<Kernels, Layer> first = k -> firstBlock(k, 2, 6, 20, 1, Activation.RELU, 2, 2);
        assertCaught(Fault.CONV_WEIGHT_OFF_BY_ONE, first, "weight");
        assertCaught(Fault.POOL_ARGMAX_OFF_BY_ONE, first, "weight");
        assertCaught(Fault.RELU_MASK_INVERTED, first, "shift");
        assertCaught(Fault.BATCH_NORM_MEAN_TERM_DROPPED, first, "weight");
        assertCaught(Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED, first, "shift");
        // and the same layers on correct kernels pass
        assertTrue(GradCheck.checkLayer(new Conv2d(good, 2, 6, 6, 3, 3, 1, 0, Activation.NONE), 2, 9).passed());
        assertTrue(GradCheck.checkLayer(firstBlock(good, 2, 6, 20, 1, Activation.RELU, 2, 2), 2, 5).passed());
    }

    private static void assertCaught(Fault fault, Function<Kernels, Layer> make, String tensor) {
        Kernels broken = new FaultyKernels(Backend.kernels(Backend.preferredName(), 2), fault);
        GradCheck.Report report = GradCheck.checkLayer(make.apply(broken), 2, 5);
        assertFalse(report.passed(), fault + " was not caught:\n" + report.format());
        GradCheck.TensorError e = report.tensors().stream().filter(t -> t.name().equals(tensor)).findFirst().orElseThrow();
        assertTrue(e.maxRelativeError() > 100 * GradCheck.DEFAULT_BOUND, fault + " reported only " + e);
    }

    @Test
    void parameterGradientsAccumulateAcrossBackwardPasses() {
        for (Kernels k : TestKernels.all(2)) {
            Dense d = new Dense(k, 6, 4, Activation.RELU);
            Conv2d c = new Conv2d(k, 1, 5, 5, 2, 3, 1, 0, Activation.RELU);
            for (Layer layer : List.of(d, c)) {
                ParamSet ps = ParamSet.of(layer);
                java.util.SplittableRandom r = new java.util.SplittableRandom(3);
                for (int i = 0; i < ps.size(); i++) {
                    ps.values()[i] = (float) r.nextDouble(-1, 1);
                }
                int[] in = layer.inputShape();
                float[] x = new float[2 * layer.inputSize()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextDouble(-1, 1);
                }
                float[] g = new float[2 * layer.outputSize()];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) r.nextDouble(-1, 1);
                }
                int[] xs = prepend(2, in);
                int[] gs = prepend(2, layer.outputShape());
                layer.forward(Tensor.of(x, xs));
                layer.backward(Tensor.of(g.clone(), gs));
                float[] once = ps.grads().clone();
                layer.forward(Tensor.of(x, xs));
                layer.backward(Tensor.of(g.clone(), gs));
                for (int i = 0; i < once.length; i++) {
                    assertEquals(2 * once[i], ps.grads()[i], 1e-5 * Math.max(1, Math.abs(once[i])), layer.kind());
                }
            }
        }
    }

    private static int[] prepend(int b, int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = b;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }
}
