package org.siamese4j.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/**
 * Parameters and their one buffer: sizes and refusals, the layout (each parameter a view at the running offset,
 * in layer order), gradient buffers or none, zeroing, and a second network bound to the first one's values.
 */
class ParamSetTest {
    private static final Kernels K = Backend.kernels("scalar", 1);

    private static <T extends Throwable> String failsNaming(Class<T> type, Executable e, String... fragments) {
        String message = assertThrows(type, e).getMessage();
        for (String f : fragments) {
            assertTrue(message.contains(f), "message '" + message + "' should name '" + f + "'");
        }
        return message;
    }

    @Test
    void aParameterHasItsShapeAndSizeAndRefusesEmptyOrOversizedShapes() {
        Param p = new Param("kernel", Param.Role.WEIGHT, 3, 4, 5);
        assertEquals("kernel", p.name());
        assertEquals(Param.Role.WEIGHT, p.role());
        assertArrayEquals(new int[] {3, 4, 5}, p.shape());
        assertEquals(60, p.size());
        p.shape()[0] = 9;
        assertArrayEquals(new int[] {3, 4, 5}, p.shape(), "shape() is a copy");

        failsNaming(IllegalArgumentException.class, () -> new Param("kernel", Param.Role.WEIGHT, 3, 0, 5), "kernel", "non-positive");
        failsNaming(IllegalArgumentException.class, () -> new Param("bias", Param.Role.BIAS, -2), "bias", "non-positive");
        // nothing is allocated before binding: the largest count an int holds is a valid size, one more is not
        assertEquals(Integer.MAX_VALUE, new Param("big", Param.Role.WEIGHT, Integer.MAX_VALUE).size());
        failsNaming(IllegalArgumentException.class, () -> new Param("huge", Param.Role.WEIGHT, 65536, 32768), "huge", "too large");
    }

    @Test
    void anUnboundParameterRefusesToGiveValuesOrGradients() {
        Param p = new Param("bias", Param.Role.BIAS, 4);
        assertFalse(p.isBound());
        assertFalse(p.hasGrad());
        failsNaming(IllegalStateException.class, p::value, "bias", "not bound");
        failsNaming(IllegalStateException.class, p::grad, "bias", "no gradient buffer");
    }

    @Test
    void parametersAreLaidOutInLayerOrderAsViewsOfOneBuffer() {
        Dense d1 = new Dense(K, 6, 4, Activation.RELU);
        Conv2d conv = new Conv2d(K, 2, 5, 5, 3, 3, 1, 0, Activation.NONE, false);
        BatchNorm bn = new BatchNorm(K, new int[] {3, 3, 3}, Activation.RELU);
        Dense d2 = new Dense(K, 27, 2, Activation.NONE);
        List<Layer> layers = List.of(d1, conv, bn, d2);
        ParamSet ps = ParamSet.of(layers, true);

        List<Param> expected = List.of(d1.weight(), d1.bias(), conv.weight(), bn.params().get(0), bn.params().get(1),
                bn.params().get(2), bn.params().get(3), d2.weight(), d2.bias());
        assertEquals(expected, ps.params());
        assertThrows(UnsupportedOperationException.class, () -> ps.params().add(d1.weight()));
        int total = 24 + 4 + 54 + 4 * 3 + 54 + 2;
        assertEquals(total, ps.size());
        assertEquals(total, ps.values().length);
        assertEquals(total, ps.grads().length);

        int offset = 0;
        for (Param p : ps.params()) {
            assertTrue(p.isBound(), p.name());
            assertTrue(p.hasGrad(), p.name());
            assertEquals(offset, ps.offsetOf(p), p.name());
            Tensor v = p.value();
            Tensor g = p.grad();
            assertSame(ps.values(), v.data, p.name());
            assertSame(ps.grads(), g.data, p.name());
            assertEquals(offset, v.offset, p.name());
            assertEquals(offset, g.offset, p.name());
            assertArrayEquals(p.shape(), v.shape(), p.name());
            assertArrayEquals(p.shape(), g.shape(), p.name());
            offset += p.size();
        }
        assertEquals(total, offset, "the parameters tile the buffer");

        // a value written into the buffer is the parameter's value
        ps.values()[ps.offsetOf(conv.weight()) + 7] = 2.5f;
        assertEquals(2.5f, conv.weight().value().get(7));
        d2.bias().grad().set(1, -3f);
        assertEquals(-3f, ps.grads()[total - 1]);
    }

    @Test
    void zeroGradsClearsTheGradientsABackwardPassAccumulated() {
        Dense d = new Dense(K, 5, 3, Activation.NONE);
        ParamSet ps = ParamSet.of(d);
        fill(ps.values(), new SplittableRandom(1));
        float[] x = new float[2 * 5];
        float[] dy = new float[2 * 3];
        fill(x, new SplittableRandom(2));
        fill(dy, new SplittableRandom(3));
        d.forward(Tensor.of(x, 2, 5));
        d.backward(Tensor.of(dy.clone(), 2, 3));
        float[] once = ps.grads().clone();
        assertTrue(nonZero(once) > 0, "the backward pass wrote gradients");
        float[] values = ps.values().clone();

        ps.zeroGrads();
        assertArrayEquals(new float[ps.size()], ps.grads(), "every gradient cleared");
        assertArrayEquals(values, ps.values(), "values untouched");
        d.forward(Tensor.of(x, 2, 5));
        d.backward(Tensor.of(dy.clone(), 2, 3));
        assertArrayEquals(once, ps.grads(), "after zeroing, one pass gives one pass's gradients");
    }

    @Test
    void anInferenceOnlySetHasNoGradientBuffer() {
        Dense d = new Dense(K, 5, 3, Activation.NONE);
        ParamSet ps = ParamSet.of(List.of(d), false);
        assertNull(ps.grads());
        assertEquals(18, ps.size());
        for (Param p : ps.params()) {
            assertTrue(p.isBound(), p.name());
            assertFalse(p.hasGrad(), p.name());
            failsNaming(IllegalStateException.class, p::grad, p.name(), "no gradient buffer");
        }
        ps.values()[3] = 1.5f;
        ps.zeroGrads(); // nothing to clear, and no failure
        assertEquals(1.5f, ps.values()[3]);
    }

    @Test
    void aSecondNetworkBoundToTheSameValuesComputesWithThemAndFollowsTheirUpdates() {
        SplittableRandom r = new SplittableRandom(4);
        List<Layer> first = tower();
        List<Layer> second = tower();
        ParamSet owner = ParamSet.of(first, true);
        fill(owner.values(), r);
        ParamSet shared = ParamSet.sharing(second, owner.values());
        assertSame(owner.values(), shared.values());
        assertNull(shared.grads());
        assertEquals(owner.size(), shared.size());
        for (int i = 0; i < shared.params().size(); i++) {
            Param p = shared.params().get(i);
            assertEquals(owner.offsetOf(owner.params().get(i)), shared.offsetOf(p), p.name());
            assertFalse(p.hasGrad(), p.name());
        }
        float[] x = new float[3 * 8];
        fill(x, r);
        assertArrayEquals(run(first, x), run(second, x));
        // an optimizer step on the owner's buffer is seen by the sharing network
        float[] before = run(second, x);
        for (int i = 0; i < owner.size(); i++) {
            owner.values()[i] *= 1.25f;
        }
        float[] after = run(second, x);
        assertArrayEquals(run(first, x), after);
        assertFalse(Arrays.equals(before, after), "the new weights change the output");
    }

    @Test
    void aSharedBufferOfTheWrongLengthIsRefused() {
        Dense d = new Dense(K, 5, 3, Activation.NONE); // 15 + 3 parameters
        failsNaming(IllegalArgumentException.class, () -> ParamSet.sharing(List.of(d), new float[17]), "17 floats", "18 parameters");
        failsNaming(IllegalArgumentException.class, () -> ParamSet.sharing(List.of(d), new float[19]), "19 floats", "18 parameters");
        assertFalse(d.weight().isBound(), "nothing bound by a refused set");
    }

    @Test
    void moreParametersThanOneBufferHoldsAreRefusedBeforeAnythingIsAllocated() {
        // 2 x (32768 * 32768 + 32768) = 2,147,549,184 floats: the layers themselves allocate nothing
        List<Layer> huge = List.of(new Dense(K, 32768, 32768, Activation.NONE), new Dense(K, 32768, 32768, Activation.NONE));
        failsNaming(IllegalArgumentException.class, () -> ParamSet.of(huge, false), "2147549184 parameters");
    }

    /** Dense 8 -> 6 (relu), Dense 6 -> 2: a small network to bind twice. */
    private static List<Layer> tower() {
        return List.of(new Dense(K, 8, 6, Activation.RELU), new Dense(K, 6, 2, Activation.SIGMOID));
    }

    private static float[] run(List<Layer> layers, float[] x) {
        Tensor t = Tensor.of(x.clone(), x.length / 8, 8);
        for (Layer l : layers) {
            t = l.forward(t);
        }
        return t.toArray();
    }

    private static void fill(float[] a, SplittableRandom r) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
    }

    private static int nonZero(float[] a) {
        int n = 0;
        for (float v : a) {
            n += v != 0 ? 1 : 0;
        }
        return n;
    }
}
