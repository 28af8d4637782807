package org.siamese4j.cli;

import java.util.List;

/**
 * One sub-command of {@code siamese}. Implementations are stateless and registered in
 * {@link Main#commands()}; the framework parses and validates the command line against
 * {@link #options()} and {@link #positionals()}, prints help for {@code --help}, and maps exceptions to
 * exit codes, so {@link #run} sees only valid, typed input.
 *
 * <p>Output contract: without {@code --json} print human-readable results to {@link Invocation#out()};
 * with {@code --json} print exactly one JSON object with {@link Invocation#printJson} as the last thing on
 * stdout. Progress and notices go to {@link Invocation#progress}. Report bad input by throwing
 * {@link org.siamese4j.engine.BadInputException} (exit 2) and a failed run by throwing
 * {@link RunFailedException} or returning {@link ExitCode#FAILED} (exit 1).
 */
public interface Command {

    /** The word that selects the command, e.g. {@code verify}. */
    String name();

    /** One line for the command list of {@code siamese --help}. */
    String summary();

    /**
     * The body of {@code siamese NAME --help} after the usage line and the summary: what the command does,
     * its output and exit codes, and at least one example. Options are listed automatically.
     */
    String details();

    /** The command's own options; the global ones ({@code --json --debug --threads --backend}) are added. */
    List<Option<?>> options();

    /** The positional arguments; none by default. */
    default Positionals positionals() {
        return Positionals.none();
    }

    /**
     * Whether the command runs the numerical kernels. Such commands are worth restarting the JVM for when
     * the Vector API module is missing (see {@link Relauncher}); others (downloads) are not.
     */
    default boolean usesKernels() {
        return true;
    }

    /**
     * Runs the command.
     *
     * @return the exit code, normally {@link ExitCode#OK} or {@link ExitCode#FAILED}
     */
    int run(Invocation invocation) throws Exception;
}
