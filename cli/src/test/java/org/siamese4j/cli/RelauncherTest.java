package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The restart's decisions and command line; the restart itself is exercised in {@link CliProcessTest} and, as java -jar, in {@link JarLaunchIT}. */
class RelauncherTest {

    @Test
    void childKeepsJvmOptionsButNotThoseTheEnvironmentAddsAgain() {
        List<String> input = List.of("-Xss2m", "-Dfoo=1", "-Xmx300m", "-Dbar=2", "-Dsiamese4j.relaunched=true");
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Xss2m", "JDK_JAVA_OPTIONS", " -Dfoo=1  -Xmx300m ");
        assertEquals(List.of("-Dbar=2"), Relauncher.jvmOptions(input, env));
        assertEquals(List.of("-Xmx1g"), Relauncher.jvmOptions(List.of("-Xmx1g"), Map.of()));
    }

    @Test
    void childCommandAddsTheModuleAndTheMarker() {
        List<String> cmd = Relauncher.childCommand(new String[] {"info", "--json"}, Map.of()).orElseThrow();
        int i = cmd.indexOf("--add-modules");
        assertTrue(i > 0 && cmd.get(i + 1).equals("jdk.incubator.vector"), cmd.toString());
        assertTrue(cmd.contains("-Dsiamese4j.relaunched=true"), cmd.toString());
        assertEquals(List.of(Main.class.getName(), "info", "--json"), cmd.subList(cmd.size() - 3, cmd.size()));
        assertEquals("-cp", cmd.get(cmd.size() - 5));
    }

    @Test
    void environmentCanDisableTheRestart() {
        assertTrue(Relauncher.disabled(Map.of("SIAMESE4J_NO_RELAUNCH", "1")));
        assertFalse(Relauncher.disabled(Map.of("SIAMESE4J_NO_RELAUNCH", "0")));
        assertFalse(Relauncher.disabled(Map.of()));
    }

    @Test
    void neverWantedWhenTheModuleIsAlreadyThere() {
        // the test JVM runs with --add-modules jdk.incubator.vector
        assertFalse(Relauncher.wanted(Main.commands(), new String[] {"info"}, Map.of()));
    }

    /** A child that cannot be started: no restart, and one line that says why (the engine then says "scalar"). */
    @Test
    void aChildThatCannotBeStartedGivesOneLineAndNoExitCode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertTrue(Relauncher.run(List.of("/nonexistent/siamese4j-test/java", "-version"), err).isEmpty());
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("siamese: cannot restart the JVM with --add-modules jdk.incubator.vector ("), lines.get(0));
        assertFalse(lines.get(0).contains("scalar") || lines.get(0).contains("restarting"), lines.get(0));
    }
}
