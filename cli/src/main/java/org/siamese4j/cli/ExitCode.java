package org.siamese4j.cli;

/**
 * The exit codes of every command. The rule: input that arrives but fails its checks or budgets is bad input
 * ({@link #USAGE}); a run that cannot complete, or whose result fails, is {@link #FAILED}.
 */
public final class ExitCode {
    /** The command did what was asked. */
    public static final int OK = 0;
    /**
     * The run itself failed: a check that did not pass, a training that diverged, a download that could not complete
     * (offline, an HTTP error, a cut or stalled connection), a bug.
     */
    public static final int FAILED = 1;
    /**
     * Bad usage or bad input: an unknown option, a missing value, an unreadable image or model file, a budget
     * exceeded, a download whose size or SHA-256 does not match its pin, an output folder another run holds.
     */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
