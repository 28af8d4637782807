package org.siamese4j.cli;

/** The exit codes of every command. */
public final class ExitCode {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The run itself failed: a check that did not pass, a corrupted download, a training that diverged, a bug. */
    public static final int FAILED = 1;
    /** Bad usage or bad input: an unknown option, a missing value, an unreadable image or model file. */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
