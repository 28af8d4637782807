package org.siamese4j.train.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.SyntheticGlyphs;
import org.siamese4j.train.image.AffineAugmenter;

/** The embedding table, plain and averaged over distorted copies (test-time augmentation). */
class EmbeddingTableTest {
    static final int SIZE = 16;
    static final Architecture ARCH = new Architecture("t", SIZE, SIZE, LayerSpec.parseList(
            "conv 3x3 4 pad=1 bn relu; pool 2; dense 8 sigmoid"));
    static final Preprocessing PRE = Preprocessing.plain(SIZE, SIZE).withNormalization(true, 0.1, 0.3);

    static SiameseNet net() {
        SiameseNet net = SiameseNet.create(ARCH, Backend.kernels("simd", 2), false);
        Initializer.HE.initialize(net, 3);
        return net;
    }

    /** One image through the tower on its own (a batch of one). */
    static float[] embedOne(SiameseNet net, float[] pixels) {
        float[] x = pixels.clone();
        PRE.normalize(x, 0, x.length);
        return net.embed(x, 1);
    }

    @Test
    void averagedRowsAreTheMeanOfTheImageAndItsSeededDistortions() {
        // 5 x 6 x 7 = 210 images x 3 copies: several 128-image batches, copies of one image split across batches
        LoadedDataset data = SyntheticGlyphs.generate(4, 5, 6, 7, SIZE);
        SiameseNet net = net();
        AffineAugmenter augmenter = new AffineAugmenter(AffineAugmenter.Params.KOCH, SIZE, SIZE);
        EmbeddingTable.Averaging averaging = new EmbeddingTable.Averaging(augmenter, 3, 255f, 42);
        EmbeddingTable table = new EmbeddingTable(net, PRE, data, averaging);

        SplittableRandom random = new SplittableRandom(42);
        int dim = table.dimension();
        int row = 0;
        for (LoadedDataset.LoadedClass c : data.classes()) {
            for (float[] img : c.images()) {
                double[] sum = new double[dim];
                add(sum, embedOne(net, img));
                for (int k = 1; k < 3; k++) {
                    float[] distorted = new float[img.length];
                    augmenter.augment(img, distorted, 255f, random);
                    add(sum, embedOne(net, distorted));
                }
                float[] got = Arrays.copyOfRange(table.table(), row * dim, (row + 1) * dim);
                for (int j = 0; j < dim; j++) {
                    assertEquals(sum[j] / 3, got[j], 1e-5, "row " + row + " value " + j);
                }
                row++;
            }
        }
        assertEquals(row * dim, table.table().length);
    }

    @Test
    void oneCopyIsThePlainTableAndMoreCopiesChangeIt() {
        LoadedDataset data = SyntheticGlyphs.generate(4, 2, 5, 3, SIZE);
        SiameseNet net = net();
        AffineAugmenter augmenter = new AffineAugmenter(AffineAugmenter.Params.KOCH, SIZE, SIZE);
        float[] plain = new EmbeddingTable(net, PRE, data).table();
        assertArrayEquals(plain, new EmbeddingTable(net, PRE, data, new EmbeddingTable.Averaging(augmenter, 1, 255f, 1)).table());
        float[] averaged = new EmbeddingTable(net, PRE, data, new EmbeddingTable.Averaging(augmenter, 4, 255f, 1)).table();
        double diff = 0;
        for (int i = 0; i < plain.length; i++) {
            diff = Math.max(diff, Math.abs(plain[i] - averaged[i]));
        }
        assertTrue(diff > 1e-4, "averaging over distortions changes the embeddings: " + diff);
        assertArrayEquals(averaged,
                new EmbeddingTable(net, PRE, data, new EmbeddingTable.Averaging(augmenter, 4, 255f, 1)).table(),
                "the same seed gives the same table");
    }

    private static void add(double[] sum, float[] e) {
        for (int j = 0; j < sum.length; j++) {
            sum[j] += e[j];
        }
    }
}
