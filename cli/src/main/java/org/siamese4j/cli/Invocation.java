package org.siamese4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;

/**
 * What a running command sees: its parsed, typed options and arguments, the output streams, and the
 * kernels selected by {@code --backend}/{@code --threads}.
 */
public final class Invocation {
    private final Command command;
    private final ArgParser.Parsed parsed;
    private final PrintStream out;
    private final PrintStream err;
    private Kernels kernels;

    Invocation(ArgParser.Parsed parsed, PrintStream out, PrintStream err) {
        this.command = parsed.command();
        this.parsed = parsed;
        this.out = out;
        this.err = err;
    }

    public Command command() {
        return command;
    }

    /** Results: human-readable text, or with {@code --json} the one JSON object. */
    public PrintStream out() {
        return out;
    }

    /** Errors and progress. */
    public PrintStream err() {
        return err;
    }

    public boolean json() {
        return parsed.flag(GlobalOptions.JSON);
    }

    public boolean debug() {
        return parsed.flag(GlobalOptions.DEBUG);
    }

    /** The option's value: the last one given, else its default (null when it has none); flags give true/false. */
    public <T> T get(Option<T> option) {
        return parsed.get(option);
    }

    /** Every value of a repeatable option, in command-line order; empty when not given. */
    @SuppressWarnings("unchecked")
    public <T> List<T> all(Option<T> option) {
        List<Object> v = parsed.values().get(option);
        List<T> result = new ArrayList<>();
        if (v != null) {
            for (Object o : v) {
                result.add((T) o);
            }
        }
        return result;
    }

    /** True when the option was given on the command line (as opposed to defaulted). */
    public boolean has(Option<?> option) {
        return parsed.values().containsKey(option);
    }

    public List<String> positionals() {
        return List.copyOf(parsed.positionals());
    }

    /** The positional argument at {@code index}, converted; a bad value names the argument. */
    public <T> T positional(int index, ValueParser<T> parser) {
        String text = parsed.positionals().get(index);
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException(command.positionals().nameOf(index) + ": " + e.getMessage() + ", got '"
                    + Option.printable(text) + "'");
        }
    }

    /** The backend the kernels will use: "simd" or "scalar". */
    public String backendName() {
        String requested = get(GlobalOptions.BACKEND);
        if (requested == null) {
            return Backend.preferredName(); // honours -Dsiamese4j.backend
        }
        if (requested.equals("auto")) {
            return Backend.vectorApiAvailable() ? "simd" : "scalar";
        }
        return requested;
    }

    public int threads() {
        Integer t = get(GlobalOptions.THREADS);
        return t != null ? t : Backend.defaultThreads();
    }

    /** The kernels of {@link #backendName()} on {@link #threads()} threads, created on first use. */
    public synchronized Kernels kernels() {
        if (kernels == null) {
            kernels = Backend.kernels(backendName(), threads());
        }
        return kernels;
    }

    /** A progress or notice line on stderr, prefixed like every message of the tool. */
    public void progress(String line) {
        err.println("siamese: " + line);
        err.flush();
    }

    /** Prints the command's one JSON object as a line on stdout. Call once, last. */
    public void printJson(Json.Obj result) {
        out.println(result);
        out.flush();
    }
}
