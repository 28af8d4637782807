package org.siamese4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Backend choice: automatic by module presence, overridable, and a working fallback without the module. */
class BackendTest {

    @Test
    void surefireRunsWithTheVectorApiSoSimdIsChosen() {
        assertTrue(Backend.vectorApiAvailable(), "the build passes --add-modules jdk.incubator.vector to tests");
        assertEquals("simd", Backend.preferredName());
        assertEquals("simd", Backend.kernels().name());
        assertEquals("scalar", Backend.kernels("scalar", 1).name());
    }

    @Test
    void propertyOverridesTheChoice() {
        String old = System.getProperty(Backend.BACKEND_PROPERTY);
        try {
            System.setProperty(Backend.BACKEND_PROPERTY, "scalar");
            assertEquals("scalar", Backend.kernels().name());
            System.setProperty(Backend.BACKEND_PROPERTY, "bogus");
            BadInputException e = assertThrows(BadInputException.class, Backend::preferredName);
            assertTrue(e.getMessage().contains("bogus"));
        } finally {
            if (old == null) {
                System.clearProperty(Backend.BACKEND_PROPERTY);
            } else {
                System.setProperty(Backend.BACKEND_PROPERTY, old);
            }
        }
    }

    /** A JVM without --add-modules: Backend picks scalar, says so once, and the kernels still compute. */
    @Test
    void fallsBackToScalarWithoutTheModule() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "org.siamese4j.engine.BackendProbe"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), err);
        assertTrue(out.contains("backend=scalar"), out);
        assertTrue(out.contains("result=19.0,22.0,43.0,50.0"), out);
        int mentions = err.split("using scalar kernels", -1).length - 1;
        assertEquals(1, mentions, "the fallback is reported exactly once: " + err);
        assertTrue(!err.contains("Exception"), err);
    }

    @Test
    void aHostProgramCanEndTheWorkerThreadsAndKernelsStillWork() throws Exception {
        Kernels before = Backend.kernels("scalar", 3);
        float[] a = {1, 2, 3, 4, 5, 6};
        float[] b = {1, 0, 0, 1, 1, 1};
        float[] c = new float[4];
        before.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("siamese4j-worker-")).toList();
        assertTrue(!workers.isEmpty() && workers.stream().allMatch(Thread::isDaemon), workers.toString());

        Backend.shutdown();
        for (Thread t : workers) {
            t.join(2000);
            assertTrue(!t.isAlive(), t.getName() + " still runs after shutdown");
        }
        float[] again = new float[4];
        before.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, again, 0, 2);
        assertTrue(java.util.Arrays.equals(new float[] {4, 5, 10, 11}, again), java.util.Arrays.toString(again));
        assertTrue(java.util.Arrays.equals(c, again));
        // kernels made after the shutdown get a pool of their own
        assertEquals(3, Backend.kernels("scalar", 3).threads());
        assertTrue(!Backend.pool(3).isClosed());
    }
}
