package org.siamese4j.train.eval;

import java.util.List;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

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

    /** Images in the dataset are pixel values (0..255) after the model's geometry; normalisation happens here. */
    public EmbeddingTable(SiameseNet net, Preprocessing preprocessing, LoadedDataset data) {
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
        float[] batch = new float[BATCH * size];
        int filled = 0;
        int row = 0;
        for (LoadedClass c : classes) {
            for (float[] img : c.images()) {
                System.arraycopy(img, 0, batch, filled * size, size);
                preprocessing.normalize(batch, filled * size, size);
                if (++filled == BATCH) {
                    flush(batch, filled, row);
                    row += filled;
                    filled = 0;
                }
            }
        }
        if (filled > 0) {
            flush(batch, filled, row);
        }
    }

    private void flush(float[] batch, int n, int row) {
        float[] e = net.embed(batch, n);
        System.arraycopy(e, 0, table, row * dim, n * dim);
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

    /** p(same), from the head on cached embeddings. */
    @Override
    public double similarity(int classA, int imageA, int classB, int imageB) {
        return net.logit(table, row(classA, imageA) * dim, table, row(classB, imageB) * dim);
    }
}
