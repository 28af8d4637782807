package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it, {@code java -jar siamese.jar}, without {@code --add-modules}: it restarts itself
 * once for the SIMD kernels, and when it cannot restart it runs on scalar kernels and says so once. Runs in the
 * integration-test phase of {@code mvn verify}, after the package phase has built {@code target/siamese.jar} (see
 * the jar-tests execution in cli/pom.xml).
 */
class JarLaunchIT {
    private static Path jar;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("siamese.jar", "target/siamese.jar"));
        assumeTrue(Files.isRegularFile(jar), "skipped: no " + jar + " (run through mvn verify, after the package phase)");
    }

    /** {@code java <options> -jar siamese.jar <args>}, with an environment that does not disable the restart. */
    private static CliResult javaJar(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Xmx256m");
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(Arrays.asList(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null")));
        pb.environment().remove("SIAMESE4J_NO_RELAUNCH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new CliResult(p.exitValue(), read(out), read(err));
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void javaDashJarWithoutTheModuleRestartsItselfOnceForSimd() throws Exception {
        CliResult r = javaJar(List.of(), "info", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        assertEquals("simd", r.json().get("backend"));
        assertEquals(true, r.json().get("vector_api"));
        assertEquals(List.of("siamese: restarting the JVM with --add-modules jdk.incubator.vector for SIMD kernels"),
                r.messages(), r.toString());
        assertEquals(1, r.out().lines().count(), "one JSON line and nothing else: " + r);
    }

    @Test
    void javaDashJarThatCannotRestartRunsOnScalarKernelsSayingSoOnce() throws Exception {
        // a JVM that cannot start processes at all
        CliResult r = javaJar(List.of("-Djdk.lang.Process.launchMechanism=NO_SUCH_MECHANISM"), "info", "--json");
        CliProcessTest.assertScalarFallback(r);
    }

    @Test
    void javaDashJarWithTheModuleDoesNotRestart() throws Exception {
        CliResult r = javaJar(List.of("--add-modules", "jdk.incubator.vector"), "info", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("simd", r.json().get("backend"));
        assertEquals(List.of(), r.messages(), r.toString());
    }
}
