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

    /** A number in [min, max]. */
    static ValueParser<Double> doubleIn(double min, double max) {
        return s -> {
            double v = finite(s);
            if (v < min || v > max) {
                throw new IllegalArgumentException("expected a number from " + number(min) + " to " + number(max));
            }
            return v;
        };
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
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

    /**
     * One path, or several separated by commas ({@code lfw.zip,celeba.zip}); a value that names an existing
     * file or folder as a whole is one path even if it holds a comma.
     */
    static ValueParser<List<Path>> paths() {
        ValueParser<Path> one = path();
        return s -> {
            if (!s.contains(",") || java.nio.file.Files.exists(one.parse(s))) {
                return List.of(one.parse(s));
            }
            List<Path> out = new ArrayList<>();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(one.parse(part.trim()));
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("expected a path or a comma-separated list of paths");
            }
            return List.copyOf(out);
        };
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

    /** A non-negative integer. */
    static ValueParser<Integer> nonNegativeInt() {
        return intRange(0, Integer.MAX_VALUE, "a non-negative integer");
    }

    /** A positive long. */
    static ValueParser<Long> positiveLong() {
        return s -> {
            try {
                long v = Long.parseLong(s.trim());
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new IllegalArgumentException("expected a positive integer");
        };
    }

    /** A finite number, possibly zero or negative. */
    static ValueParser<Double> number() {
        return ValueParser::finite;
    }

    /** A number >= 0. */
    static ValueParser<Double> nonNegativeDouble() {
        return s -> {
            double v = finite(s);
            if (v < 0) {
                throw new IllegalArgumentException("expected a number >= 0");
            }
            return v;
        };
    }

    /** A duration: plain seconds, or with units, as in 90s, 10m, 1h, 1h30m. */
    static ValueParser<java.time.Duration> duration() {
        return s -> {
            String t = s.trim().toLowerCase(Locale.ROOT);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s?)?").matcher(t);
            if (t.isEmpty() || !m.matches()) {
                throw new IllegalArgumentException("expected a duration such as 90s, 10m or 1h30m");
            }
            long h = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
            long min = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
            long sec = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
            long total = h * 3600 + min * 60 + sec;
            if (total <= 0 || total > 366L * 24 * 3600) {
                throw new IllegalArgumentException("expected a positive duration such as 90s, 10m or 1h30m");
            }
            return java.time.Duration.ofSeconds(total);
        };
    }

    /** A comma-separated list of non-empty words. */
    static ValueParser<List<String>> list() {
        return s -> {
            List<String> out = new ArrayList<>();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("expected a comma-separated list");
            }
            return out;
        };
    }

    /** Four comma-separated fractions left,top,width,height of an image. */
    static ValueParser<double[]> box() {
        return s -> {
            String[] p = s.split(",");
            if (p.length != 4) {
                throw new IllegalArgumentException("expected left,top,width,height as fractions");
            }
            double[] v = new double[4];
            for (int i = 0; i < 4; i++) {
                v[i] = finite(p[i]);
                if (v[i] < 0 || v[i] > 1) {
                    throw new IllegalArgumentException("expected fractions between 0 and 1");
                }
            }
            if (v[2] <= 0 || v[3] <= 0 || v[0] + v[2] > 1 + 1e-9 || v[1] + v[3] > 1 + 1e-9) {
                throw new IllegalArgumentException("expected a box inside the image");
            }
            return v;
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
