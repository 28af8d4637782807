package org.siamese4j.cli;

import java.util.List;

/** The options every command accepts, before or after the command name. */
public final class GlobalOptions {
    public static final Option<Boolean> JSON = Option.flag("json",
            "print the result as one JSON object on the last line of stdout");
    public static final Option<Boolean> DEBUG = Option.flag("debug", "print stack traces of errors");
    public static final Option<Integer> THREADS = Option.value("threads", "N", ValueParser.positiveInt(1024),
            "worker threads for the kernels (default: one per core, or -Dsiamese4j.threads)");
    public static final Option<String> BACKEND = Option.value("backend", "NAME", ValueParser.oneOf("simd", "scalar", "auto"),
            "kernels: simd (Vector API), scalar, or auto = simd when available (default: auto, or -Dsiamese4j.backend)");

    /** In the order help lists them. */
    public static final List<Option<?>> ALL = List.of(JSON, DEBUG, THREADS, BACKEND);

    private GlobalOptions() {
    }
}
