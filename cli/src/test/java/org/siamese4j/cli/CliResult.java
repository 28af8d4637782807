package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** What one run of the command line produced, in-process or in a child JVM. */
public record CliResult(int exitCode, String out, String err) {

    /** Runs the command line in this JVM against {@code registry}. */
    public static CliResult inProcess(CommandRegistry registry, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(registry, args, o, e);
        }
        return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The last line of stdout parsed as a JSON object (failing the test when it is not one). */
    public Map<String, Object> json() {
        List<String> lines = out.lines().toList();
        assertFalse(lines.isEmpty(), "no stdout; " + this);
        String last = lines.get(lines.size() - 1);
        try {
            return MiniJson.object(last);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("last stdout line is not a JSON object: " + e.getMessage() + "; " + this, e);
        }
    }

    /** The stderr lines that are ours, without the JVM's incubator-module warning. */
    public List<String> messages() {
        return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
    }

    /** Stderr holds no stack trace. */
    public void assertNoStackTrace() {
        assertFalse(err.contains("\tat ") || err.contains("Exception in thread") || err.contains("Caused by:"),
                "stack trace on stderr: " + this);
    }

    /** Exactly one message line on stderr, prefixed "siamese: ", containing each fragment. */
    public void assertOneMessage(String... fragments) {
        List<String> m = messages();
        assertTrue(m.size() == 1, "expected one stderr line: " + this);
        assertTrue(m.get(0).startsWith("siamese: "), "message not prefixed: " + this);
        for (String f : fragments) {
            assertTrue(m.get(0).contains(f), "message lacks '" + f + "': " + this);
        }
        assertNoStackTrace();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
}
