package org.siamese4j.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.ConvGeometry;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/**
 * What each layer is before it computes anything: its name, input and output shapes, parameters (names, roles,
 * shapes), multiply-adds per sample; and the constructions and tensors it refuses, with messages naming what is wrong.
 */
class LayerShapeTest {
    private static final Kernels K = Backend.kernels("scalar", 1);

    /** One layer and what it must report. {@code params} lists "name ROLE [shape]" in order. */
    private record Expected(Layer layer, String kind, int[] in, int[] out, List<String> params, long macs) {
    }

    private static List<Expected> table() {
        return List.of(
                // (9 + 2 - 3) / 2 + 1 = 5 rows, (7 + 2 - 3) / 2 + 1 = 4 columns; 5 * 20 outputs of 2 * 3 * 3 taps each
                new Expected(new Conv2d(K, 2, 9, 7, 5, 3, 2, 1, Activation.RELU), "conv3x3+relu", ints(2, 9, 7), ints(5, 5, 4),
                        List.of("weight WEIGHT [5, 2, 3, 3]", "bias BIAS [5]"), 5 * 20 * 18),
                new Expected(new Conv2d(K, 1, 6, 6, 3, 5, 1, 0, Activation.NONE, false), "conv5x5", ints(1, 6, 6), ints(3, 2, 2),
                        List.of("weight WEIGHT [3, 1, 5, 5]"), 3 * 4 * 25),
                new Expected(new MaxPool2d(K, 3, 7, 6), "maxpool2x2", ints(3, 7, 6), ints(3, 3, 3), List.of(), 0),
                new Expected(new MaxPool2d(K, 2, 8, 7, 3, 2), "maxpool3x3", ints(2, 8, 7), ints(2, 3, 3), List.of(), 0),
                new Expected(new ReLU(K, 3, 4, 5), "relu", ints(3, 4, 5), ints(3, 4, 5), List.of(), 0),
                new Expected(new Sigmoid(K, 11), "sigmoid", ints(11), ints(11), List.of(), 0),
                new Expected(new Flatten(2, 3, 4), "flatten", ints(2, 3, 4), ints(24), List.of(), 0),
                new Expected(new Dense(K, 13, 7, Activation.NONE), "dense", ints(13), ints(7),
                        List.of("weight WEIGHT [7, 13]", "bias BIAS [7]"), 91),
                new Expected(new Dense(K, 9, 17, Activation.RELU), "dense+relu", ints(9), ints(17),
                        List.of("weight WEIGHT [17, 9]", "bias BIAS [17]"), 153),
                new Expected(new Dense(K, 1, 1, Activation.SIGMOID), "dense+sigmoid", ints(1), ints(1),
                        List.of("weight WEIGHT [1, 1]", "bias BIAS [1]"), 1),
                new Expected(new BatchNorm(K, ints(3, 4, 5), Activation.NONE), "batchnorm", ints(3, 4, 5), ints(3, 4, 5),
                        List.of("scale SCALE [3]", "shift SHIFT [3]", "running-mean STATISTIC [3]", "running-var STATISTIC [3]"), 0),
                new Expected(new BatchNorm(K, ints(6), Activation.RELU), "batchnorm+relu", ints(6), ints(6),
                        List.of("scale SCALE [6]", "shift SHIFT [6]", "running-mean STATISTIC [6]", "running-var STATISTIC [6]"), 0));
    }

    @Test
    void everyLayerReportsItsKindShapesParametersAndCost() {
        for (Expected e : table()) {
            Layer l = e.layer();
            assertEquals(e.kind(), l.kind());
            assertArrayEquals(e.in(), l.inputShape(), e.kind());
            assertArrayEquals(e.out(), l.outputShape(), e.kind());
            assertEquals(Arrays.stream(e.in()).reduce(1, (a, b) -> a * b), l.inputSize(), e.kind());
            assertEquals(Arrays.stream(e.out()).reduce(1, (a, b) -> a * b), l.outputSize(), e.kind());
            assertEquals(e.kind() + " " + Arrays.toString(e.in()) + " -> " + Arrays.toString(e.out()), l.describe());
            assertEquals(e.params(), l.params().stream().map(p -> p.name() + " " + p.role() + " " + Arrays.toString(p.shape())).toList(),
                    e.kind());
            assertEquals(e.macs(), l.forwardMacsPerSample(), e.kind());
            l.inputShape()[0] = 99;
            l.outputShape()[0] = 99;
            assertArrayEquals(e.in(), l.inputShape(), e.kind() + ": shapes are copies");
            assertArrayEquals(e.out(), l.outputShape(), e.kind() + ": shapes are copies");
        }
    }

    @Test
    void theLayersGettersReturnWhatTheyWereBuiltWith() {
        Conv2d conv = new Conv2d(K, 2, 9, 7, 5, 3, 2, 1, Activation.RELU);
        assertEquals(new ConvGeometry(1, 2, 9, 7, 5, 3, 3, 2, 1), conv.geometry());
        assertSame(conv.params().get(0), conv.weight());
        assertSame(conv.params().get(1), conv.bias());
        assertNull(new Conv2d(K, 2, 9, 7, 5, 3, 2, 1, Activation.NONE, false).bias(), "no bias when built without one");

        Dense d = new Dense(K, 9, 17, Activation.SIGMOID);
        assertEquals(Activation.SIGMOID, d.activation());
        assertSame(d.params().get(0), d.weight());
        assertSame(d.params().get(1), d.bias());
    }

    @Test
    void onlyBatchNormsRunningStatisticsAreLeftOutOfTraining() {
        BatchNorm bn = new BatchNorm(K, ints(4), Activation.NONE);
        assertEquals(List.of(true, true, false, false), bn.params().stream().map(p -> p.role().trained()).toList());
        Dense d = new Dense(K, 3, 2, Activation.NONE);
        Conv2d c = new Conv2d(K, 1, 4, 4, 2, 3, 1, 0, Activation.NONE);
        for (Param p : List.of(d.weight(), d.bias(), c.weight(), c.bias())) {
            assertTrue(p.role().trained(), p.name());
        }
    }

    @Test
    void impossibleLayersAreRefused() {
        failsNaming(() -> new Dense(K, 0, 3, Activation.NONE), "0 -> 3");
        failsNaming(() -> new Dense(K, 3, 0, Activation.NONE), "3 -> 0");
        failsNaming(() -> new Dense(K, -4, 2, Activation.RELU), "-4 -> 2");
        failsNaming(() -> new Conv2d(K, 1, 6, 6, 2, 3, 1, 0, Activation.SIGMOID), "fused relu only");
        failsNaming(() -> new BatchNorm(K, ints(4), Activation.SIGMOID), "fused relu only");
    }

    @Test
    void aFusedFirstBlockIsTheTwoLayersItJoinsAndRefusesAnythingElse() {
        Conv2d conv = new Conv2d(K, 1, 8, 6, 3, 3, 1, 1, Activation.NONE, false);
        BatchNorm pooled = BatchNorm.withMaxPool(K, ints(3, 8, 6), Activation.RELU, 2, 2);
        ConvBatchNormPool block = new ConvBatchNormPool(K, conv, pooled);
        assertEquals("conv3x3+batchnorm+relu+maxpool2x2", block.kind());
        assertArrayEquals(ints(1, 8, 6), block.inputShape());
        assertArrayEquals(ints(3, 4, 3), block.outputShape());
        List<Param> joined = new java.util.ArrayList<>(conv.params());
        joined.addAll(pooled.params());
        assertEquals(joined, block.params(), "the convolution's parameters, then the batch norm's: model files load alike");
        assertEquals(conv.forwardMacsPerSample(), block.forwardMacsPerSample());
        assertTrue(!block.providesInputGradient());
        failsNaming(() -> new ConvBatchNormPool(K, new Conv2d(K, 2, 8, 6, 3, 3, 1, 1, Activation.NONE, false),
                BatchNorm.withMaxPool(K, ints(3, 8, 6), Activation.RELU, 2, 2)), "one channel");
        failsNaming(() -> new ConvBatchNormPool(K, new Conv2d(K, 1, 8, 6, 3, 3, 1, 1, Activation.NONE, true), pooled),
                "without bias");
        failsNaming(() -> new ConvBatchNormPool(K, new Conv2d(K, 1, 8, 6, 3, 3, 1, 1, Activation.RELU, false), pooled),
                "without bias or activation");
        failsNaming(() -> new ConvBatchNormPool(K, new Conv2d(K, 1, 8, 6, 3, 5, 1, 2, Activation.NONE, false), pooled),
                "3x3");
        failsNaming(() -> new ConvBatchNormPool(K, conv, new BatchNorm(K, ints(3, 8, 6), Activation.RELU)), "max-pool");
        failsNaming(() -> new ConvBatchNormPool(K, conv, BatchNorm.withMaxPool(K, ints(4, 8, 6), Activation.RELU, 2, 2)),
                "[3, 8, 6]");
        // it gives no input gradient, so it must come first: asked for one, it refuses
        ParamSet.of(block);
        block.forward(Tensor.of(new float[2 * 48], 2, 1, 8, 6));
        block.setInputGradientNeeded(true);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> block.backward(Tensor.of(new float[2 * 36], 2, 3, 4, 3)));
        assertTrue(e.getMessage().contains("must come first"), e.getMessage());
    }

    @Test
    void activationsReadAndWriteTheirLowerCaseNames() {
        assertEquals("none", Activation.NONE.label());
        assertEquals("relu", Activation.RELU.label());
        assertEquals("sigmoid", Activation.SIGMOID.label());
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.parse(a.label()));
        }
        assertEquals(Activation.SIGMOID, Activation.parse(" Sigmoid "));
        assertEquals(Activation.RELU, Activation.parse("RELU"));
        failsNaming(() -> Activation.parse("tanh"), "'tanh'", "none, relu or sigmoid");
    }

    @Test
    void inputsOfAnotherShapeAreRefusedNamingBothShapes() {
        for (Expected e : table()) {
            Layer l = e.layer();
            ParamSet.of(l);
            String in = Arrays.toString(e.in());
            int size = l.inputSize();
            failsNaming(() -> l.forward(Tensor.zeros(2, size + 1)), e.kind() + " input", "[batch]+" + in, "[2, " + (size + 1) + "]");
            failsNaming(() -> l.forward(Tensor.zeros(0, size)), e.kind() + " input", "[batch]+" + in, "[0, " + size + "]");
            failsNaming(() -> l.forward(Tensor.zeros()), e.kind() + " input", "[batch]+" + in, "[]");
            // as many values per sample, in another shape: a tensor meant for another layer
            int[] sameSizeOtherShape = e.in().length == 1 ? ints(2, 1, size) : ints(2, size);
            failsNaming(() -> l.forward(Tensor.zeros(sameSizeOtherShape)), e.kind() + " input", "[batch]+" + in);
            failsNaming(() -> l.forward(Tensor.zeros(2 * size)), e.kind() + " input", "[batch]+" + in);
        }
    }

    @Test
    void outputGradientsOfAnotherBatchOrShapeAreRefused() {
        for (Expected e : table()) {
            Layer l = e.layer();
            ParamSet.of(l);
            String out = Arrays.toString(e.out());
            int size = l.outputSize();
            l.forward(Tensor.zeros(withBatch(2, e.in())));
            failsNaming(() -> l.backward(Tensor.zeros(withBatch(3, e.out()))), e.kind() + " backward",
                    Arrays.toString(withBatch(3, e.out())), "[2]+" + out);
            failsNaming(() -> l.backward(Tensor.zeros(2, size - 1)), e.kind() + " backward", "[2, " + (size - 1) + "]", "[2]+" + out);
        }
    }

    private static void failsNaming(Executable e, String... fragments) {
        String message = assertThrows(IllegalArgumentException.class, e).getMessage();
        for (String f : fragments) {
            assertTrue(message.contains(f), "message '" + message + "' should name '" + f + "'");
        }
    }

    static int[] ints(int... v) {
        return v;
    }

    static int[] withBatch(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
