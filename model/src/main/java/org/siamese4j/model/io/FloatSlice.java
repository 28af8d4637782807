package org.siamese4j.model.io;

import java.util.Objects;

/**
 * A run of floats inside a larger array, so several tensors can be written as (or read back into)
 * one container section without first copying them into one array.
 */
public record FloatSlice(float[] array, int offset, int length) {
    public FloatSlice {
        Objects.requireNonNull(array, "array");
        Objects.checkFromIndexSize(offset, length, array.length);
    }

    /** The whole array. */
    public static FloatSlice of(float[] array) {
        return new FloatSlice(array, 0, array.length);
    }
}
