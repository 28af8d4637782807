package org.siamese4j.engine.layer;

import java.util.Arrays;
import java.util.List;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;

/**
 * A layer with a hand-written forward and backward pass. Shapes are per sample ([C, H, W] or [D]);
 * tensors carry the batch as their first dimension. forward keeps what backward needs, so a layer
 * serves one forward/backward at a time; backward adds to the parameter gradients and returns the
 * input gradient (it may overwrite the output gradient it is given).
 */
public abstract class Layer {
    protected final Kernels kernels;
    protected final int[] inShape;
    protected final int[] outShape;
    private boolean inputGradientNeeded = true;

    protected Layer(Kernels kernels, int[] inShape, int[] outShape) {
        this.kernels = kernels;
        this.inShape = inShape.clone();
        this.outShape = outShape.clone();
    }

    public abstract String kind();

    public abstract Tensor forward(Tensor input);

    /** Returns the input gradient, or null when it is not needed (the first layer of a network). */
    public abstract Tensor backward(Tensor gradOutput);

    /**
     * The same function as {@link #forward} in double precision with naive loops, for gradient checks:
     * {@code params} holds each parameter's values in {@link #params()} order.
     */
    public abstract double[] referenceForward(double[] input, int batch, double[][] params);

    public List<Param> params() {
        return List.of();
    }

    /** Training mode (batch statistics) or inference mode; only layers with such a difference care. */
    public void setTraining(boolean training) {
    }

    public int[] inputShape() {
        return inShape.clone();
    }

    public int[] outputShape() {
        return outShape.clone();
    }

    public int inputSize() {
        return sizeOf(inShape);
    }

    public int outputSize() {
        return sizeOf(outShape);
    }

    /** Multiply-adds of the forward pass for one sample. */
    public long forwardMacsPerSample() {
        return 0;
    }

    public boolean inputGradientNeeded() {
        return inputGradientNeeded;
    }

    /** Whether {@link #backward} can give the input gradient at all (a fused first block cannot: its input is the images). */
    public boolean providesInputGradient() {
        return true;
    }

    /** The first layer of a network can skip computing its input gradient. */
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradientNeeded = needed;
    }

    public String describe() {
        return kind() + " " + Arrays.toString(inShape) + " -> " + Arrays.toString(outShape);
    }

    /** The batch size of an input tensor, after checking that its shape is [batch]+{@link #inputShape()}. */
    protected final int batchOf(Tensor input, String what) {
        if (input.rank() != inShape.length + 1 || input.dim(0) < 1 || !sameSampleShape(input)) {
            throw new IllegalArgumentException(kind() + " " + what + ": expected [batch]+" + Arrays.toString(inShape)
                    + " but got " + input.shapeString());
        }
        return input.dim(0);
    }

    private boolean sameSampleShape(Tensor input) {
        for (int i = 0; i < inShape.length; i++) {
            if (input.dim(i + 1) != inShape[i]) {
                return false;
            }
        }
        return true;
    }

    protected final void checkGradOutput(Tensor gradOutput, int batch) {
        if (gradOutput.size() != batch * outputSize()) {
            throw new IllegalArgumentException(kind() + " backward: output gradient " + gradOutput.shapeString()
                    + " does not match [" + batch + "]+" + Arrays.toString(outShape));
        }
    }

    protected static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    protected static int[] withBatch(int batch, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** A reusable buffer: grows when a larger batch arrives, never shrinks. */
    protected static float[] grow(float[] buffer, int size) {
        return buffer != null && buffer.length >= size ? buffer : new float[size];
    }
}
