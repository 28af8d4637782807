package org.siamese4j.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.engine.TestKernels.random;
import static org.siamese4j.engine.layer.LayerPassesTest.bind;
import static org.siamese4j.engine.layer.LayerShapeTest.ints;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.TestKernels;
import org.siamese4j.engine.Tensor;

/**
 * A Sequential is its layers called one by one: forward in order, backward in reverse with every layer's parameter
 * gradients, training mode passed to each, parameters and cost the layers' own; and only chains whose shapes meet.
 */
class SequentialTest {

    /** [1, 8, 8] -> conv 3x3 + relu [2, 6, 6] -> batch norm + relu -> max-pool [2, 3, 3] -> [18] -> dense 5 -> sigmoid. */
    private static List<Layer> layers(Kernels k) {
        return List.of(
                new Conv2d(k, 1, 8, 8, 2, 3, 1, 0, Activation.RELU),
                new BatchNorm(k, ints(2, 6, 6), Activation.RELU),
                new MaxPool2d(k, 2, 6, 6),
                new Flatten(2, 3, 3),
                new Dense(k, 18, 5, Activation.NONE),
                new Sigmoid(k, 5));
    }

    @Test
    void forwardAndBackwardAreTheLayersCalledOneByOne() {
        int batch = 3;
        for (Kernels k : TestKernels.all(2)) {
            Sequential net = new Sequential(layers(k));
            List<Layer> chain = layers(k);
            SplittableRandom r = new SplittableRandom(8);
            ParamSet netParams = ParamSet.of(net.layers(), true);
            ParamSet chainParams = ParamSet.of(chain, true);
            for (int i = 0; i < netParams.size(); i++) {
                float v = (float) r.nextDouble(0.25, 1.25);
                netParams.values()[i] = v;
                chainParams.values()[i] = v;
            }
            for (boolean training : new boolean[] {true, false, true}) {
                net.setTraining(training);
                for (Layer l : chain) {
                    l.setTraining(training);
                }
                float[] x = random(r, batch * 64);
                float[] dy = random(r, batch * 5);

                Tensor y = net.forward(Tensor.of(x.clone(), batch, 1, 8, 8));
                Tensor t = Tensor.of(x.clone(), batch, 1, 8, 8);
                for (Layer l : chain) {
                    t = l.forward(t);
                }
                String what = k.name() + (training ? " training" : " inference");
                assertArrayEquals(ints(batch, 5), y.shape(), what);
                assertArrayEquals(t.toArray(), y.toArray(), what + " output");
                assertArrayEquals(chainParams.values(), netParams.values(), what + " running statistics");
                if (!training) {
                    continue;
                }
                netParams.zeroGrads();
                chainParams.zeroGrads();
                net.backward(Tensor.of(dy.clone(), batch, 5));
                Tensor g = Tensor.of(dy.clone(), batch, 5);
                for (int i = chain.size() - 1; i >= 0; i--) {
                    g = chain.get(i).backward(g);
                }
                assertTrue(nonZero(netParams.grads(), 0, 18), what + ": the first layer's weights have gradients");
                assertArrayEquals(chainParams.grads(), netParams.grads(), what + " parameter gradients");
            }
        }
    }

    @Test
    void onlyTheFirstLayerSkipsItsInputGradient() {
        Sequential net = new Sequential(layers(Backend.kernels("scalar", 1)));
        List<Boolean> needed = net.layers().stream().map(Layer::inputGradientNeeded).toList();
        assertEquals(List.of(false, true, true, true, true, true), needed);
    }

    @Test
    void trainingModeReachesEveryLayer() {
        Kernels k = Backend.kernels("scalar", 1);
        BatchNorm a = new BatchNorm(k, ints(4), Activation.NONE);
        BatchNorm b = new BatchNorm(k, ints(4), Activation.RELU);
        Sequential net = new Sequential(List.of(new Dense(k, 3, 4, Activation.NONE), a, new Dense(k, 4, 4, Activation.NONE), b));
        net.setTraining(false);
        assertFalse(a.training());
        assertFalse(b.training());
        net.setTraining(true);
        assertTrue(a.training());
        assertTrue(b.training());
    }

    @Test
    void theNetworkReportsItsLayersShapesParametersAndCost() {
        Kernels k = Backend.kernels("scalar", 1);
        List<Layer> layers = layers(k);
        Sequential net = new Sequential(layers);
        assertEquals(layers, net.layers());
        assertThrows(UnsupportedOperationException.class, () -> net.layers().add(new Sigmoid(k, 5)));
        assertArrayEquals(ints(1, 8, 8), net.inputShape());
        assertArrayEquals(ints(5), net.outputShape());
        List<Param> params = new ArrayList<>();
        for (Layer l : layers) {
            params.addAll(l.params());
        }
        assertEquals(params, net.params());
        // conv: 2 channels x 36 pixels x 9 taps; dense: 18 x 5
        assertEquals(2 * 36 * 9 + 18 * 5, net.forwardMacsPerSample());
    }

    @Test
    void layersWhoseShapesDoNotMeetAreRefusedNamingBoth() {
        Kernels k = Backend.kernels("scalar", 1);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> new Sequential(List.of()));
        assertEquals("a network needs at least one layer", empty.getMessage());

        IllegalArgumentException middle = assertThrows(IllegalArgumentException.class, () -> new Sequential(List.of(
                new Conv2d(k, 1, 8, 8, 2, 3, 1, 0, Activation.RELU), new MaxPool2d(k, 2, 6, 6),
                new Flatten(2, 2, 2), new Dense(k, 8, 3, Activation.NONE))));
        assertEquals("layer 2 (flatten) expects [2, 2, 2] but layer 1 (maxpool2x2) gives [2, 3, 3]", middle.getMessage());

        IllegalArgumentException last = assertThrows(IllegalArgumentException.class, () -> new Sequential(List.of(
                new Dense(k, 4, 6, Activation.RELU), new Dense(k, 6, 3, Activation.NONE), new Sigmoid(k, 4))));
        assertEquals("layer 2 (sigmoid) expects [4] but layer 1 (dense) gives [3]", last.getMessage());

        Sequential one = new Sequential(List.of(new ReLU(k, 7)));
        assertArrayEquals(ints(7), one.inputShape());
        assertArrayEquals(ints(7), one.outputShape());
        assertFalse(one.layers().get(0).inputGradientNeeded());
    }

    private static boolean nonZero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return true;
            }
        }
        return false;
    }
}
