package org.siamese4j.model.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link ChildMain}, with its stdout lines collected on a background thread. */
final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000eof";

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The child was killed mid-line; what was read is enough.
            } finally {
                lines.add(EOF);
            }
        }, "child-stdout");
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code java [jvmOptions] -cp <our class path> ChildMain args...}. */
    static ChildJvm start(Path workDir, List<String> jvmOptions, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildMain.class.getName());
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile(workDir, "child", ".stderr");
        Process process = new ProcessBuilder(command)
                .redirectError(stderr.toFile()) // not inherited: it would garble the test runner's stream
                .start();
        return new ChildJvm(process, stderr);
    }

    /** The next line starting with {@code prefix}, or fails after {@code timeoutMs}. */
    String awaitLine(String prefix, long timeoutMs) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line.equals(EOF)) {
                throw new AssertionError("child did not print '" + prefix + "' ("
                        + (line == null ? "timeout" : "exited " + process.waitFor()) + "); stderr: " + stderr());
            }
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** SIGKILL, then every line the child printed before it died. */
    List<String> killAndDrain() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child survived SIGKILL");
        }
        for (String line; (line = lines.poll(10, TimeUnit.SECONDS)) != null && !line.equals(EOF); ) {
            seen.add(line);
        }
        return List.copyOf(seen);
    }

    int waitForExit(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child did not exit in " + timeoutMs + " ms");
        }
        return process.exitValue();
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8).strip();
    }

    /** Kills the child if it still runs, so a failing test leaves no process behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
