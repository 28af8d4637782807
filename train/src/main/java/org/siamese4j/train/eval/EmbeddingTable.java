package org.siamese4j.train.eval;

import java.util.List;
import java.util.SplittableRandom;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;
import org.siamese4j.train.image.AffineAugmenter;

/**
 * The embeddings of every image of a dataset, computed once in batches (inference mode); any pair is
 * then scored by the head alone. That makes thousands of one-shot trials cost one tower pass per image.
 */
public final class EmbeddingTable implements OneShot.Scorer {
    private static final int BATCH = 128;
    private final SiameseNet net;
    private final float[] table;
    private final int[] firstRow;
    private final int dim;

    /**
     * Test-time augmentation: each image's embedding is the mean over the image itself and {@code copies - 1}
     * randomly distorted versions of it (seeded, so a table is reproducible).
     */
    public record Averaging(AffineAugmenter augmenter, int copies, float fill, long seed) {
        public Averaging {
            if (copies < 1) {
                throw new IllegalArgumentException("copies must be at least 1, got " + copies);
            }
        }
    }

    /** Images in the dataset are pixel values (0..255) after the model's geometry; normalisation happens here. */
    public EmbeddingTable(SiameseNet net, Preprocessing preprocessing, LoadedDataset data) {
        this(net, preprocessing, data, null);
    }

    /** The same, averaging each embedding over distorted copies when {@code averaging} is not null. */
    public EmbeddingTable(SiameseNet net, Preprocessing preprocessing, LoadedDataset data, Averaging averaging) {
        this.net = net;
        this.dim = net.embeddingSize();
        List<LoadedClass> classes = data.classes();
        firstRow = new int[classes.size() + 1];
        for (int c = 0; c < classes.size(); c++) {
            firstRow[c + 1] = firstRow[c] + classes.get(c).size();
        }
        int total = firstRow[classes.size()];
        table = new float[total * dim];
        int size = net.inputSize();
        int copies = averaging == null ? 1 : averaging.copies();
        SplittableRandom random = averaging == null ? null : new SplittableRandom(averaging.seed());
        float[] batch = new float[BATCH * size];
        float[] distorted = new float[size];
        int[] rows = new int[BATCH];
        int filled = 0;
        int row = 0;
        for (LoadedClass c : classes) {
            for (float[] img : c.images()) {
                for (int k = 0; k < copies; k++) {
                    if (k == 0) {
                        System.arraycopy(img, 0, batch, filled * size, size);
                    } else {
                        averaging.augmenter().augment(img, distorted, averaging.fill(), random);
                        System.arraycopy(distorted, 0, batch, filled * size, size);
                    }
                    preprocessing.normalize(batch, filled * size, size);
                    rows[filled] = row;
                    if (++filled == BATCH) {
                        accumulate(batch, rows, filled, 1f / copies);
                        filled = 0;
                    }
                }
                row++;
            }
        }
        if (filled > 0) {
            accumulate(batch, rows, filled, 1f / copies);
        }
    }

    private void accumulate(float[] batch, int[] rows, int n, float weight) {
        float[] e = net.embed(batch, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                table[rows[i] * dim + j] += weight * e[i * dim + j];
            }
        }
    }

    public int row(int cls, int image) {
        return firstRow[cls] + image;
    }

    public float[] table() {
        return table;
    }

    public int dimension() {
        return dim;
    }

    /** The logit of p(same), from the head on cached embeddings. */
    @Override
    public double similarity(int classA, int imageA, int classB, int imageB) {
        return net.logit(table, row(classA, imageA) * dim, table, row(classB, imageB) * dim);
    }
}
