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
}
