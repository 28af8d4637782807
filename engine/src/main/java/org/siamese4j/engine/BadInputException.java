package org.siamese4j.engine;

/**
 * The project's one error type for bad input: a corrupt or hostile file, an unreadable image, a bad
 * option. The message is one line that names the file (or option) and the problem. The command line
 * prints it and exits with code 2; everything else is a bug.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
