package org.siamese4j.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts an option's or argument's text to a typed value. On bad text it throws
 * {@link IllegalArgumentException} whose message says what was expected ("expected a positive integer");
 * the argument parser prefixes the option name and appends the text it got, giving messages like
 * {@code --threads: expected a positive integer, got 'x'}.
 */
@FunctionalInterface
public interface ValueParser<T> {

    T parse(String text);

    /** Any non-empty text. */
    static ValueParser<String> text() {
        return s -> {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("expected a non-empty value");
            }
            return s;
        };
    }

    /** An integer from 1 up. */
    static ValueParser<Integer> positiveInt() {
        return intRange(1, Integer.MAX_VALUE, "a positive integer");
    }

    /** An integer from 1 to {@code max}. */
    static ValueParser<Integer> positiveInt(int max) {
        return intRange(1, max, "a positive integer up to " + max);
    }

    /** An integer in [min, max]. */
    static ValueParser<Integer> intRange(int min, int max) {
        return intRange(min, max, "an integer from " + min + " to " + max);
    }

    private static ValueParser<Integer> intRange(int min, int max, String what) {
        return s -> {
            long v;
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + what);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("expected " + what);
            }
            return (int) v;
        };
    }

    /** Any 64-bit integer (seeds). */
    static ValueParser<Long> anyLong() {
        return s -> {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected an integer");
            }
        };
    }

    /** A finite number greater than zero. */
    static ValueParser<Double> positiveDouble() {
        return s -> {
            double v = finite(s);
            if (!(v > 0)) {
                throw new IllegalArgumentException("expected a number greater than 0");
            }
            return v;
        };
    }

    /** A number in [0, 1]. */
    static ValueParser<Double> probability() {
        return s -> {
            double v = finite(s);
            if (v < 0 || v > 1) {
                throw new IllegalArgumentException("expected a probability from 0 to 1");
            }
            return v;
        };
    }

    private static double finite(String s) {
        double v;
        try {
            v = Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number");
        }
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("expected a finite number");
        }
        return v;
    }

    /** A syntactically valid file or folder path (existence is the command's business). */
    static ValueParser<Path> path() {
        return s -> {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("expected a path");
            }
            try {
                return Path.of(s);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("expected a valid path (" + e.getReason() + ")");
            }
        };
    }

    /** An absolute http or https URL with a host. */
    static ValueParser<URI> httpUrl() {
        return s -> {
            try {
                URI u = new URI(s);
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
                    return u;
                }
            } catch (URISyntaxException e) {
                // reported below, with the expectation
            }
            throw new IllegalArgumentException("expected an http:// or https:// URL");
        };
    }

    /** One of the given words (case-insensitive); returns the word as declared. */
    static ValueParser<String> oneOf(String... choices) {
        List<String> list = List.of(choices);
        return s -> {
            for (String c : list) {
                if (c.equalsIgnoreCase(s.trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", list));
        };
    }

    /**
     * A constant of {@code type}, spelled in lower case with '-' for '_' ({@code L1_SIGN_FLIP} is
     * {@code l1-sign-flip}); underscores and upper case are accepted too.
     */
    static <E extends Enum<E>> ValueParser<E> enumOf(Class<E> type) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            byName.put(cliName(e), e);
        }
        return s -> {
            E e = byName.get(s.trim().toLowerCase(Locale.ROOT).replace('_', '-'));
            if (e == null) {
                throw new IllegalArgumentException("expected one of " + String.join(", ", new ArrayList<>(byName.keySet())));
            }
            return e;
        };
    }

    /** How an enum constant is spelled on the command line: {@code L1_SIGN_FLIP} as {@code l1-sign-flip}. */
    static String cliName(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
