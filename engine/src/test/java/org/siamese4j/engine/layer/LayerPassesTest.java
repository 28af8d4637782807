package org.siamese4j.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.engine.TestKernels.random;
import static org.siamese4j.engine.layer.LayerShapeTest.ints;
import static org.siamese4j.engine.layer.LayerShapeTest.withBatch;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.TestKernels;
import org.siamese4j.engine.Tensor;

/**
 * What a layer's passes return, which the gradient checks do not look at: the forward output (shape and values,
 * against the double-precision reference), inputs and output gradients that are views at an offset into a larger
 * buffer, no input gradient where none is needed (with the same parameter gradients), and Flatten's views.
 */
class LayerPassesTest {

    private static List<Layer> layers(Kernels k) {
        return List.of(
                new Conv2d(k, 2, 9, 7, 5, 3, 2, 1, Activation.RELU),
                new Conv2d(k, 1, 6, 6, 3, 3, 1, 1, Activation.NONE, false),
                new MaxPool2d(k, 3, 7, 6),
                new MaxPool2d(k, 2, 8, 7, 3, 2),
                new ReLU(k, 3, 4, 5),
                new Sigmoid(k, 11),
                new Flatten(2, 3, 4),
                new Dense(k, 13, 7, Activation.NONE),
                new Dense(k, 9, 17, Activation.RELU),
                new Dense(k, 20, 5, Activation.SIGMOID),
                new BatchNorm(k, ints(3, 4, 5), Activation.NONE),
                new BatchNorm(k, ints(6), Activation.RELU));
    }

    /** Batch norm in both modes: by the batch's statistics, and (after a training pass moved them) by the running ones. */
    @Test
    void forwardReturnsTheReferenceOutputInTheOutputShape() {
        int batch = 3;
        for (Kernels k : TestKernels.all(2)) {
            for (Layer l : layers(k)) {
                SplittableRandom r = new SplittableRandom(11);
                bind(l, r);
                for (boolean training : l instanceof BatchNorm ? new boolean[] {true, false} : new boolean[] {true}) {
                    l.setTraining(training);
                    double[][] pd = valuesOf(l);
                    float[] x = random(r, batch * l.inputSize());
                    double[] expect = l.referenceForward(toDouble(x), batch, pd);
                    Tensor y = l.forward(Tensor.of(x.clone(), withBatch(batch, l.inputShape())));
                    String what = k.name() + " " + l.kind() + (training ? "" : " inference");
                    assertArrayEquals(withBatch(batch, l.outputShape()), y.shape(), what);
                    assertEquals(expect.length, y.size(), what);
                    for (int i = 0; i < expect.length; i++) {
                        assertEquals(expect[i], y.get(i), 1e-5 * Math.max(1, Math.abs(expect[i])), what + " element " + i);
                    }
                }
            }
        }
    }

    /** Sequential hands on views (Flatten's reshape, slices of a batch): a layer reads them at their offset. */
    @Test
    void viewsAtAnOffsetGiveTheSameResultsAsTheirCopies() {
        int batch = 2;
        for (Kernels k : TestKernels.all(2)) {
            List<Layer> plain = layers(k);
            List<Layer> viewed = layers(k);
            for (int j = 0; j < plain.size(); j++) {
                Layer a = plain.get(j);
                Layer b = viewed.get(j);
                String what = k.name() + " " + a.kind();
                SplittableRandom r = new SplittableRandom(17);
                ParamSet pa = bind(a, r);
                ParamSet pb = ParamSet.of(b);
                System.arraycopy(pa.values(), 0, pb.values(), 0, pa.size());
                float[] x = random(r, batch * a.inputSize());
                float[] dy = random(r, batch * a.outputSize());

                float[] yPlain = a.forward(Tensor.of(x.clone(), withBatch(batch, a.inputShape()))).toArray();
                float[] dxPlain = a.backward(Tensor.of(dy.clone(), withBatch(batch, a.outputShape()))).toArray();

                // the same batch as items 1 and 2 of a batch of 4, and its output gradient likewise
                float[] xBig = new float[4 * a.inputSize()];
                System.arraycopy(x, 0, xBig, a.inputSize(), x.length);
                float[] dyBig = new float[4 * a.outputSize()];
                System.arraycopy(dy, 0, dyBig, a.outputSize(), dy.length);
                Tensor xView = Tensor.of(xBig, withBatch(4, a.inputShape())).slice(1, batch);
                Tensor dyView = Tensor.of(dyBig, withBatch(4, a.outputShape())).slice(1, batch);
                assertEquals(a.inputSize(), xView.offset);
                assertEquals(a.outputSize(), dyView.offset);
                float[] yViewed = b.forward(xView).toArray();
                float[] dxViewed = b.backward(dyView).toArray();

                assertArrayEquals(yPlain, yViewed, what + " output");
                assertArrayEquals(dxPlain, dxViewed, what + " input gradient");
                assertArrayEquals(pa.grads(), pb.grads(), what + " parameter gradients");
                assertArrayEquals(pa.values(), pb.values(), what + " parameters (batch norm's running statistics)");
            }
        }
    }

    @Test
    void withoutAnInputGradientBackwardReturnsNullAndTheSameParameterGradients() {
        int batch = 2;
        for (Kernels k : TestKernels.all(2)) {
            for (Layer l : layers(k)) {
                String what = k.name() + " " + l.kind();
                SplittableRandom r = new SplittableRandom(23);
                ParamSet ps = bind(l, r);
                float[] x = random(r, batch * l.inputSize());
                float[] dy = random(r, batch * l.outputSize());
                int[] in = withBatch(batch, l.inputShape());
                int[] out = withBatch(batch, l.outputShape());

                assertTrue(l.inputGradientNeeded(), what + ": needed unless said otherwise");
                l.forward(Tensor.of(x.clone(), in));
                Tensor dx = l.backward(Tensor.of(dy.clone(), out));
                assertNotNull(dx, what);
                assertArrayEquals(in, dx.shape(), what);
                float[] withInput = ps.grads().clone();

                ps.zeroGrads();
                l.setInputGradientNeeded(false);
                assertFalse(l.inputGradientNeeded(), what);
                l.forward(Tensor.of(x.clone(), in));
                assertNull(l.backward(Tensor.of(dy.clone(), out)), what + ": no input gradient");
                assertArrayEquals(withInput, ps.grads(), what + ": the same parameter gradients");

                l.setInputGradientNeeded(true);
                l.forward(Tensor.of(x.clone(), in));
                assertArrayEquals(dx.toArray(), l.backward(Tensor.of(dy.clone(), out)).toArray(), what + ": needed again");
            }
        }
    }

    @Test
    void flattenReshapesViewsOfTheSameStorage() {
        Flatten f = new Flatten(2, 3, 4);
        float[] data = random(new SplittableRandom(5), 4 * 24);
        Tensor x = Tensor.of(data, 4, 2, 3, 4).slice(1, 2);
        Tensor y = f.forward(x);
        assertSame(data, y.data);
        assertEquals(x.offset, y.offset);
        assertArrayEquals(ints(2, 24), y.shape());

        float[] grad = random(new SplittableRandom(6), 3 * 24);
        Tensor dy = Tensor.of(grad, 3, 24).slice(1, 2);
        Tensor dx = f.backward(dy);
        assertSame(grad, dx.data);
        assertEquals(dy.offset, dx.offset);
        assertArrayEquals(ints(2, 2, 3, 4), dx.shape());
        f.setInputGradientNeeded(false);
        assertNull(f.backward(dy));
    }

    /**
     * A dense batch norm trained on a batch of one sample sees one value per feature: its batch variance is 0 and
     * stays 0 in the running variance (count / (count - 1) would divide by zero), and the output is the shift.
     */
    @Test
    void batchNormOverOneValuePerChannelKeepsTheRunningVarianceFinite() {
        for (Kernels k : TestKernels.all(2)) {
            BatchNorm bn = new BatchNorm(k, ints(4), Activation.NONE);
            ParamSet.of(bn);
            float[] scale = {1.5f, 0.5f, 2f, 1f};
            float[] shift = {0.25f, -1f, 0.5f, 0f};
            float[] mean0 = {0.5f, -0.25f, 1f, 0f};
            float[] var0 = {2f, 1f, 0.5f, 4f};
            float[] x = {1f, 3f, -2f, 0.75f};
            for (int c = 0; c < 4; c++) {
                bn.params().get(0).value().set(c, scale[c]);
                bn.params().get(1).value().set(c, shift[c]);
                bn.params().get(2).value().set(c, mean0[c]);
                bn.params().get(3).value().set(c, var0[c]);
            }
            assertTrue(bn.training());
            Tensor y = bn.forward(Tensor.of(x.clone(), 1, 4));
            for (int c = 0; c < 4; c++) {
                assertEquals(shift[c], y.get(c), 1e-6, k.name() + " output");
                assertEquals(0.9 * mean0[c] + 0.1 * x[c], bn.params().get(2).value().get(c), 1e-6, k.name() + " running mean");
                assertEquals(0.9 * var0[c], bn.params().get(3).value().get(c), 1e-6, k.name() + " running variance");
            }
            bn.setTraining(false);
            assertFalse(bn.training());
            bn.setTraining(true);
            assertTrue(bn.training());
        }
    }

    /** Binds the layer to a fresh set and gives its parameters random values (running variances positive). */
    static ParamSet bind(Layer l, SplittableRandom r) {
        ParamSet ps = ParamSet.of(l);
        for (Param p : ps.params()) {
            for (int j = 0; j < p.size(); j++) {
                p.value().set(j, (float) (p.role() == Param.Role.STATISTIC ? r.nextDouble(0.5, 1.5) : r.nextDouble(-1, 1)));
            }
        }
        return ps;
    }

    /** Each parameter's values, in {@link Layer#params()} order, as {@link Layer#referenceForward} takes them. */
    private static double[][] valuesOf(Layer l) {
        double[][] pd = new double[l.params().size()][];
        for (int i = 0; i < pd.length; i++) {
            pd[i] = toDouble(l.params().get(i).value().toArray());
        }
        return pd;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
