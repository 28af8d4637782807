package org.siamese4j.engine;

import java.util.Arrays;

/**
 * A dense float tensor: a shape over a slice of a {@code float[]}, row-major (NCHW for images).
 * Tensors may be views into a larger buffer (parameters live in one buffer the optimizer sweeps).
 */
public final class Tensor {
    public final float[] data;
    public final int offset;
    private final int[] shape;
    private final int size;

    private Tensor(float[] data, int offset, int[] shape) {
        this.shape = shape.clone();
        long n = 1;
        for (int d : this.shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
            }
        }
        if (offset < 0 || offset + n > data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " at offset " + offset
                    + " does not fit a buffer of " + data.length + " floats");
        }
        this.data = data;
        this.offset = offset;
        this.size = (int) n;
    }

    public static Tensor zeros(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        }
        return new Tensor(new float[(int) n], 0, shape);
    }

    public static Tensor wrap(float[] data, int offset, int... shape) {
        return new Tensor(data, offset, shape);
    }

    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, 0, shape);
    }

    /** A view of the same storage with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        Tensor t = new Tensor(data, offset, newShape);
        if (t.size != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return t;
    }

    /** A view of items [from, from+count) along the first dimension. */
    public Tensor slice(int from, int count) {
        if (shape.length == 0 || from < 0 || count < 0 || from + count > shape[0]) {
            throw new IllegalArgumentException("slice [" + from + ", " + (from + count) + ") of " + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        s[0] = count;
        return new Tensor(data, offset + from * itemSize(), s);
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return size;
    }

    /** Elements per item of the first dimension. */
    public int itemSize() {
        return shape.length == 0 ? 1 : (shape[0] == 0 ? 0 : size / shape[0]);
    }

    public float get(int i) {
        return data[offset + i];
    }

    public void set(int i, float v) {
        data[offset + i] = v;
    }

    public void fill(float v) {
        Arrays.fill(data, offset, offset + size, v);
    }

    public float[] toArray() {
        return Arrays.copyOfRange(data, offset, offset + size);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
