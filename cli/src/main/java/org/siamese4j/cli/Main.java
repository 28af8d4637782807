package org.siamese4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalInt;
import org.siamese4j.cli.commands.AnnotateCommand;
import org.siamese4j.cli.commands.CalibrateCommand;
import org.siamese4j.cli.commands.DetectCommand;
import org.siamese4j.cli.commands.DownloadCommand;
import org.siamese4j.cli.commands.EnrollCommand;
import org.siamese4j.cli.commands.GradcheckCommand;
import org.siamese4j.cli.commands.IdentifyCommand;
import org.siamese4j.cli.commands.InfoCommand;
import org.siamese4j.cli.commands.EvalCommand;
import org.siamese4j.cli.commands.TrainCommand;
import org.siamese4j.cli.commands.VerifyCommand;
import org.siamese4j.engine.BadInputException;

/**
 * The {@code siamese} command line: {@code java -jar siamese.jar COMMAND [options]}.
 *
 * <p>Errors are one line on stderr, prefixed {@code siamese: }, with the stack trace only under
 * {@code --debug}; the exit code is 0 on success, 1 for a failed run or an internal error and 2 for bad
 * usage or bad input (see {@link ExitCode}). With {@code --json} an error also ends stdout with a JSON
 * object {@code {"error": ..., "exit_code": ...}}, so a script always finds one object on the last line.
 */
public final class Main {
    private Main() {
    }

    /** Every command, in the order help lists them. Adding a command is one line here plus its class. */
    public static CommandRegistry commands() {
        return new CommandRegistry(
                new TrainCommand(),
                new EvalCommand(),
                new CalibrateCommand(),
                new VerifyCommand(),
                new EnrollCommand(),
                new IdentifyCommand(),
                new DetectCommand(),
                new AnnotateCommand(),
                new InfoCommand(),
                new GradcheckCommand(),
                new DownloadCommand());
    }

    public static void main(String[] args) {
        CommandRegistry registry = commands();
        if (Relauncher.wanted(registry, args, System.getenv())) {
            OptionalInt code = Relauncher.relaunch(args, System.getenv(), System.err);
            if (code.isPresent()) {
                System.exit(code.getAsInt());
            }
        }
        System.exit(run(registry, args, System.out, System.err));
    }

    /** Runs a command line in this JVM with the standard commands; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(commands(), args, out, err);
    }

    /** Runs a command line in this JVM against {@code registry}; returns the exit code. Never throws. */
    public static int run(CommandRegistry registry, String[] args, PrintStream out, PrintStream err) {
        boolean json = ArgParser.mentionsJson(args);
        boolean debug = false;
        LibraryMessages.showOn(err);
        try {
            ArgParser.Parsed parsed = ArgParser.parse(registry, args);
            Invocation invocation = new Invocation(parsed, out, err);
            json = invocation.json();
            debug = invocation.debug();
            if (parsed.help()) {
                out.print(parsed.command() == null ? Help.overview(registry) : Help.forCommand(parsed.command()));
                return ExitCode.OK;
            }
            return parsed.command().run(invocation);
        } catch (BadInputException e) {
            // UsageException included: option errors are bad input too
            return fail(out, err, json, debug, ExitCode.USAGE, message(e), e);
        } catch (RunFailedException e) {
            return fail(out, err, json, debug, ExitCode.FAILED, message(e), e);
        } catch (OutOfMemoryError e) {
            String limit = String.format(Locale.ROOT, "%.1f GiB", Runtime.getRuntime().maxMemory() / (double) (1L << 30));
            return fail(out, err, json, debug, ExitCode.FAILED, "out of memory (" + message(e) + ") with a heap limit of "
                    + limit + "; give the JVM more with -Xmx, e.g. java -Xmx8g -jar siamese.jar ... or JAVA_OPTS=-Xmx8g bin/siamese ...", e);
        } catch (Throwable e) {
            return fail(out, err, json, debug, ExitCode.FAILED, "internal error: " + e.getClass().getName()
                    + (e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + message(e))
                    + (debug ? "" : " (run with --debug for the stack trace)"), e);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int fail(PrintStream out, PrintStream err, boolean json, boolean debug, int code, String message, Throwable e) {
        err.println("siamese: " + message);
        if (debug) {
            e.printStackTrace(err);
        }
        if (json) {
            out.println(Json.object().put("error", message).put("exit_code", code));
        }
        return code;
    }

    /** The exception's message on one line (messages from deep inside may hold line breaks). */
    private static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return m.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
