package org.siamese4j.cli;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The library writes nothing to stderr itself; it logs (System.Logger, which the JDK routes to
 * java.util.logging). The command line shows those records as its own lines: {@code siamese: MESSAGE} on the
 * command's error stream, INFO and above, and nothing else (no timestamp header from the default console
 * handler).
 */
final class LibraryMessages {
    /** Held so that the configured logger is not collected (java.util.logging keeps loggers weakly). */
    private static final Logger LIBRARY = Logger.getLogger("org.siamese4j");

    private LibraryMessages() {
    }

    /** Sends the library's records to {@code err} from now on (replacing an earlier call's stream). */
    static synchronized void showOn(PrintStream err) {
        for (Handler h : LIBRARY.getHandlers()) {
            LIBRARY.removeHandler(h);
        }
        LIBRARY.setUseParentHandlers(false);
        LIBRARY.setLevel(Level.INFO);
        LIBRARY.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    err.println("siamese: " + record.getMessage());
                }
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
            }
        });
    }
}
