package org.siamese4j.cli;

/**
 * The command ran but its outcome is a failure the user must hear about with {@link ExitCode#FAILED}: a
 * corrupted or interrupted download, a network error, a gradient check that did not pass. The message
 * is one line.
 */
public class RunFailedException extends RuntimeException {
    public RunFailedException(String message) {
        super(message);
    }

    public RunFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
