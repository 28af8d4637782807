package org.siamese4j.cli;

import org.siamese4j.engine.BadInputException;

/**
 * A command line that cannot be run: unknown command or option, missing or malformed value, wrong number
 * of arguments. A kind of {@link BadInputException}, so it exits with {@link ExitCode#USAGE}; the message is
 * one line that names the offending option or argument.
 */
public class UsageException extends BadInputException {
    public UsageException(String message) {
        super(message);
    }
}
