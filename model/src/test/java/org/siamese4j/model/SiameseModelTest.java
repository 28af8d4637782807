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

    /**
     * "Calls on one instance are serialised": threads that share one instance (not {@link SiameseModel#forThread()}
     * copies) get exactly the embeddings and scores that sequential calls give. Each call runs a whole tower pass
     * that keeps its activations in the instance's layers, so two unserialised calls overwrite each other's buffers.
     */
    @Test
    void oneInstanceSharedByThreadsGivesTheSequentialResults(@TempDir Path dir) throws Exception {
        SiameseModel m = SiameseModel.load(compactModel(dir), Backend.kernels("scalar", 1));
        int threads = 4;
        int calls = 6;
        GrayImage[][] images = new GrayImage[threads][calls];
        float[][][] expected = new float[threads][calls][];
        float[][] expectedPairs = new float[threads][];
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < calls; i++) {
                images[t][i] = image(100 + 10L * t + i, 48, 48);
                expected[t][i] = m.embed(images[t][i]);
            }
            expectedPairs[t] = m.embedAll(images[t][0], images[t][1]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        try {
            List<Future<float[][]>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int mine = t;
                results.add(pool.submit(() -> {
                    start.await();
                    float[][] got = new float[calls + 1][];
                    for (int i = 0; i < calls; i++) {
                        got[i] = m.embed(images[mine][i]);
                    }
                    got[calls] = m.embedAll(images[mine][0], images[mine][1]);
                    return got;
                }));
            }
            start.countDown();
            for (int t = 0; t < threads; t++) {
                float[][] got = results.get(t).get(60, java.util.concurrent.TimeUnit.SECONDS);
                for (int i = 0; i < calls; i++) {
                    assertArrayEquals(expected[t][i], got[i], "thread " + t + ", image " + i);
                }
                assertArrayEquals(expectedPairs[t], got[calls], "thread " + t + ", embedAll");
            }
        } finally {
            pool.shutdownNow();
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
