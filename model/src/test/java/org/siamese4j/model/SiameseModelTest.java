package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.image.GrayImage;

/** The embedding API: embeddings and head scores agree with whole-pair similarity, per-thread copies, small heaps. */
class SiameseModelTest {

    static GrayImage image(long seed, int w, int h) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[w * h];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextDouble(0, 255);
        }
        return new GrayImage(w, h, p);
    }

    static Path compactModel(Path dir) {
        SiameseNet net = SiameseNet.create(Architecture.compact(), Backend.kernels("simd", 2), false);
        Initializer.HE.initialize(net, 11);
        Path f = dir.resolve("compact.s4j");
        ModelFile.save(f, net, Preprocessing.plain(Architecture.compact().inputWidth(), Architecture.compact().inputHeight()).withCrop(0.1, 0.1, 0.8, 0.8), 0.6, Map.of());
        return f;
    }

    @Test
    void scoreOfCachedEmbeddingsEqualsSimilarity(@TempDir Path dir) {
        SiameseModel m = SiameseModel.load(compactModel(dir));
        GrayImage a = image(1, 50, 40);
        GrayImage b = image(2, 60, 70);
        float[] ea = m.embed(a);
        float[] eb = m.embed(b);
        assertEquals(m.embeddingSize(), ea.length);
        assertEquals(m.similarity(a, b), m.score(ea, eb), 1e-6);
        assertEquals(m.score(ea, eb), m.score(eb, ea), 1e-6, "the L1 join is symmetric");
        assertTrue(m.score(ea, ea) > m.score(ea, eb) || m.score(ea, ea) == m.score(ea, eb));
        assertEquals(m.same(0.6f), true);
        assertEquals(m.same(0.59f), false);
    }

    @Test
    void perThreadInstancesShareWeightsAndAgree(@TempDir Path dir) throws Exception {
        SiameseModel m = SiameseModel.load(compactModel(dir));
        GrayImage a = image(3, 48, 48);
        float[] expected = m.embed(a);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SiameseModel mine = m.forThread();
                results.add(pool.submit(() -> {
                    float[] last = null;
                    for (int i = 0; i < 20; i++) {
                        last = mine.embed(a);
                    }
                    return last;
                }));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    /** The compact model answers similarity in a JVM with a 64 MB heap. */
    @Test
    void compactModelRunsUnderSixtyFourMegabytes(@TempDir Path dir) throws Exception {
        Path model = compactModel(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "org.siamese4j.model.SmallHeapProbe", model.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("p(same)="), out);
    }
}
