package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
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

    @Test
    void theJarStaysUnderThreeMegabytes() throws Exception {
        // constrained deployments (issue 15): the face model and the cascade inside, still at most 3 MB
        assertTrue(Files.size(jar) <= 3_000_000L, jar + " is " + Files.size(jar) + " bytes");
    }

    @Test
    void theJarDecodesEveryImageFormatItAccepts() throws Exception {
        // the jar leaves out classes of commons-imaging (other formats, writers); each accepted format must still
        // decode through what is left, as the library's own tests cannot show
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, (x * 6 << 16) | (y * 8 << 8) | (x + y) * 3);
            }
        }
        List<String> files = new ArrayList<>();
        for (String format : List.of("png", "jpg", "gif", "bmp")) {
            for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_BYTE_INDEXED}) {
                BufferedImage converted = new BufferedImage(40, 30, type);
                converted.getGraphics().drawImage(image, 0, 0, null);
                Path file = tmp.resolve("image-" + type + "." + format);
                assertTrue(ImageIO.write(converted, format, file.toFile()), format + " " + type);
                files.add(file.toString());
            }
        }
        Path pgm = tmp.resolve("image.pgm");
        byte[] header = "P5 4 3 255\n".getBytes(StandardCharsets.US_ASCII);
        byte[] pgmBytes = Arrays.copyOf(header, header.length + 12);
        Files.write(pgm, pgmBytes);
        files.add(pgm.toString());
        List<String> args = new ArrayList<>(List.of("detect", "--json"));
        args.addAll(files);
        CliResult r = javaJar(List.of("--add-modules", "jdk.incubator.vector"), args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        r.assertNoStackTrace();
    }
}
