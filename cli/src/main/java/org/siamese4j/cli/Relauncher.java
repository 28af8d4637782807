package org.siamese4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.siamese4j.engine.Backend;

/**
 * Restarts the JVM with {@code --add-modules jdk.incubator.vector} when the Vector API module is missing,
 * because a jar manifest cannot add modules and {@code java -jar siamese.jar} would otherwise get the
 * scalar kernels. The child is the same java binary with the same JVM options (heap size and the like),
 * the module flag and a marker property that forbids a second restart; it inherits stdin, stdout and
 * stderr, and its exit code becomes ours.
 *
 * <p>No restart when: the module is present already; this JVM is the restarted one; the user asked for
 * scalar kernels; the command does not run kernels (help, download); the runtime image lacks the module
 * (a jlinked JRE); {@code SIAMESE4J_NO_RELAUNCH=1} or {@code -Dsiamese4j.relaunch=false}; or no java
 * binary can be found. Then the command runs here on scalar kernels and the engine logs its notice (shown by {@link LibraryMessages}). When
 * the restart is tried and the child cannot be started, one line says why, and the engine's notice is the
 * one that says the kernels are scalar.
 */
final class Relauncher {
    static final String MODULE = "jdk.incubator.vector";
    static final String RELAUNCHED_PROPERTY = "siamese4j.relaunched";
    static final String RELAUNCH_PROPERTY = "siamese4j.relaunch";
    static final String NO_RELAUNCH_ENV = "SIAMESE4J_NO_RELAUNCH";
    /** Environment variables whose contents the JVM adds to its input arguments and the child would add again. */
    private static final List<String> OPTION_ENV = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

    private Relauncher() {
    }

    /** Whether {@code args} should run in a restarted JVM rather than in this one. */
    static boolean wanted(CommandRegistry registry, String[] args, Map<String, String> env) {
        if (Backend.vectorApiAvailable() || Boolean.getBoolean(RELAUNCHED_PROPERTY) || disabled(env)
                || ModuleFinder.ofSystem().find(MODULE).isEmpty()) {
            return false;
        }
        ArgParser.Parsed parsed;
        try {
            parsed = ArgParser.parse(registry, args);
        } catch (RuntimeException e) {
            return false; // the command line is wrong: report it here, without a restart
        }
        if (parsed.help() || parsed.command() == null || !parsed.command().usesKernels()) {
            return false;
        }
        String backend = parsed.get(GlobalOptions.BACKEND);
        if (backend == null) {
            backend = System.getProperty(Backend.BACKEND_PROPERTY, "auto").trim();
        }
        return !backend.equalsIgnoreCase("scalar");
    }

    static boolean disabled(Map<String, String> env) {
        String e = env.get(NO_RELAUNCH_ENV);
        boolean envOff = e != null && !e.isBlank() && !e.trim().equals("0") && !e.trim().equalsIgnoreCase("false");
        return envOff || "false".equalsIgnoreCase(System.getProperty(RELAUNCH_PROPERTY, "").trim());
    }

    /**
     * Runs {@code args} in a restarted JVM and returns its exit code; empty when no restart could be
     * started (the caller then runs the command itself).
     */
    static OptionalInt relaunch(String[] args, Map<String, String> env, PrintStream err) {
        Optional<List<String>> command = childCommand(args, env);
        if (command.isEmpty()) {
            return OptionalInt.empty();
        }
        return run(command.get(), err);
    }

    /**
     * Starts {@code command} as the child and returns its exit code; empty, with one line on {@code err} that says
     * why, when it cannot be started (the caller then falls back to scalar kernels, and the engine says that).
     */
    static OptionalInt run(List<String> command, PrintStream err) {
        Process child;
        try {
            child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException | RuntimeException | Error e) {
            // an Error too: a JVM that cannot start processes at all (an unsupported launch mechanism) throws one
            err.println("siamese: cannot restart the JVM with --add-modules " + MODULE + " ("
                    + Option.printable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            err.flush();
            return OptionalInt.empty();
        }
        // said once the child is started (it needs far longer to say anything itself)
        err.println("siamese: restarting the JVM with --add-modules " + MODULE + " for SIMD kernels");
        err.flush();
        // if we are terminated (SIGTERM, Ctrl-C), take the child with us rather than orphan it
        Thread reaper = new Thread(child::destroy, "siamese-child-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            return OptionalInt.of(child.waitFor());
        } catch (InterruptedException e) {
            child.destroy();
            Thread.currentThread().interrupt();
            return OptionalInt.of(130);
        }
    }

    /** {@code java <jvm options> --add-modules jdk.incubator.vector -D...relaunched=true -cp <cp> Main <args>}. */
    static Optional<List<String>> childCommand(String[] args, Map<String, String> env) {
        Optional<String> java = javaBinary();
        String classPath = System.getProperty("java.class.path", "");
        if (java.isEmpty() || classPath.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java.get());
        cmd.addAll(jvmOptions(inputArguments(), env));
        cmd.add("--add-modules");
        cmd.add(MODULE);
        cmd.add("-D" + RELAUNCHED_PROPERTY + "=true");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.addAll(Arrays.asList(args));
        return Optional.of(cmd);
    }

    /**
     * This JVM's options minus the ones the child's launcher adds again from the environment, and minus an
     * earlier restart marker.
     */
    static List<String> jvmOptions(List<String> inputArguments, Map<String, String> env) {
        List<String> result = new ArrayList<>(inputArguments);
        for (String var : OPTION_ENV) {
            String value = env.get(var);
            if (value == null || value.isBlank()) {
                continue;
            }
            for (String token : value.trim().split("\\s+")) {
                result.remove(token); // first occurrence: the one the environment contributed
            }
        }
        result.removeIf(a -> a.startsWith("-D" + RELAUNCHED_PROPERTY + "="));
        return result;
    }

    /** The JVM's input arguments, or none when java.management is not in this runtime. */
    private static List<String> inputArguments() {
        try {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (LinkageError | RuntimeException e) {
            return List.of();
        }
    }

    private static Optional<String> javaBinary() {
        Optional<String> current = ProcessHandle.current().info().command();
        if (current.isPresent() && Files.isExecutable(Path.of(current.get()))) {
            return current;
        }
        String home = System.getProperty("java.home");
        if (home != null) {
            for (String name : new String[] {"java", "java.exe"}) {
                Path p = Path.of(home, "bin", name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p.toString());
                }
            }
        }
        return Optional.empty();
    }
}
