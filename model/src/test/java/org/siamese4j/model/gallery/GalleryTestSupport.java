package org.siamese4j.model.gallery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.io.ContainerWriter;

/** Tiny models, random embeddings and hand-built gallery files for the gallery tests. */
final class GalleryTestSupport {
    static final int DIM = 256;

    private GalleryTestSupport() {
    }

    static Kernels kernels() {
        return Backend.kernels("scalar", 1);
    }

    /** A saved and reloaded model with a 256-d embedding (one dense layer on 8x8 input), so it has an identity. */
    static SiameseModel model(Path dir, long seed) {
        Architecture arch = new Architecture("tiny", 8, 8, LayerSpec.parseList("dense " + DIM + " sigmoid"));
        SiameseNet net = SiameseNet.create(arch, kernels(), false);
        Initializer.HE.initialize(net, seed);
        Path file = dir.resolve("model-" + seed + ".s4j");
        ModelFile.save(file, net, Preprocessing.plain(8, 8), 0.5, Map.of());
        return SiameseModel.load(file, kernels());
    }

    static float[] embedding(Random random) {
        float[] e = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            e[i] = random.nextFloat();
        }
        return e;
    }

    static List<float[]> embeddings(Random random, int n) {
        List<float[]> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(embedding(random));
        }
        return list;
    }

    static List<String> sources(String prefix, int n) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(prefix + i + ".jpg");
        }
        return list;
    }

    /** A gallery file assembled section by section, so tests can write what the API refuses to. */
    static byte[] raw(String header, String names, int[] counts, String sources, float[] embeddings) {
        return new ContainerWriter()
                .putText("header", header)
                .putText("names", names)
                .putInts("counts", counts)
                .putText("sources", sources)
                .putFloats("embeddings", embeddings)
                .toBytes("S4JGALRY", 1);
    }

    static String header(String sha, int size, int people, int embeddings) {
        return "model-sha256=" + sha + "\nembedding-size=" + size + "\npeople=" + people + "\nembeddings=" + embeddings + "\n";
    }

    static void assertOneLineNaming(String message, String file, String what) {
        assertTrue(message != null && message.startsWith(file + ": "), what + ": message does not start with the file: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), what + ": message is not one line: " + message);
    }
}
