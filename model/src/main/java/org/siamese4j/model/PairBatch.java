package org.siamese4j.model;

/**
 * Which embeddings of a batch are compared: pair p joins image left[p] with image right[p], with target
 * label[p] (1 = same class) and weight[p] in the loss. Koch's scheme is B pairs (i, i+B) over 2B images;
 * scoring many pairs of one batch of embeddings costs almost nothing more, since the towers dominate.
 */
public final class PairBatch {
    private int[] left = new int[0];
    private int[] right = new int[0];
    private float[] label = new float[0];
    private float[] weight = new float[0];
    private int size;

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    public void add(int l, int r, boolean same, float w) {
        if (size == left.length) {
            int cap = Math.max(16, size * 2);
            left = java.util.Arrays.copyOf(left, cap);
            right = java.util.Arrays.copyOf(right, cap);
            label = java.util.Arrays.copyOf(label, cap);
            weight = java.util.Arrays.copyOf(weight, cap);
        }
        left[size] = l;
        right[size] = r;
        label[size] = same ? 1f : 0f;
        weight[size] = w;
        size++;
    }

    public int left(int p) {
        return left[p];
    }

    public int right(int p) {
        return right[p];
    }

    public float label(int p) {
        return label[p];
    }

    public float weight(int p) {
        return weight[p];
    }

    /** Koch's pairs for 2B images: (i, i+B), labels as given. */
    public static PairBatch koch(boolean[] same) {
        PairBatch b = new PairBatch();
        int n = same.length;
        for (int i = 0; i < n; i++) {
            b.add(i, i + n, same[i], 1f);
        }
        return b;
    }
}
