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

    /** A name from a file (an archive entry, say) made safe to quote in the one line: no control characters, 200 at most. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }
}
