package org.siamese4j.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal JSON writer for the {@code --json} output: objects, arrays, strings, numbers, booleans and
 * null, written compactly on one line. Non-finite numbers (NaN, infinities) become {@code null}, since
 * JSON has no spelling for them.
 *
 * <p>Accepted values: {@code null}, {@link Boolean}, {@link Number}, {@link CharSequence}, {@link Character},
 * {@link Enum} (its {@code toString()}), {@link Path} (as a string), {@link Obj}, {@link Map} (keys via
 * {@code String.valueOf}), {@link Iterable}, {@code Object[]} and primitive arrays of int, long, float and
 * double. Anything else is a programming error.
 */
public final class Json {
    private Json() {
    }

    /** A JSON object whose members keep their insertion order. */
    public static final class Obj {
        private final Map<String, Object> members = new LinkedHashMap<>();

        /** Adds or replaces a member; returns this object for chaining. */
        public Obj put(String name, Object value) {
            members.put(name, value);
            return this;
        }

        public Object get(String name) {
            return members.get(name);
        }

        /** The object as one line of JSON. */
        @Override
        public String toString() {
            return write(this);
        }
    }

    public static Obj object() {
        return new Obj();
    }

    /** The value as one line of JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(128);
        append(sb, value);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Number n) {
            appendNumber(sb, n);
        } else if (v instanceof CharSequence || v instanceof Character || v instanceof Enum || v instanceof Path) {
            appendString(sb, v.toString());
        } else if (v instanceof Obj o) {
            appendMap(sb, o.members);
        } else if (v instanceof Map<?, ?> m) {
            appendMap(sb, m);
        } else if (v instanceof Iterable<?> it) {
            appendIterator(sb, it.iterator());
        } else if (v instanceof Object[] a) {
            appendIterator(sb, Arrays.asList(a).iterator());
        } else if (v instanceof int[] a) {
            appendIterator(sb, Arrays.stream(a).boxed().iterator());
        } else if (v instanceof long[] a) {
            appendIterator(sb, Arrays.stream(a).boxed().iterator());
        } else if (v instanceof double[] a) {
            appendIterator(sb, Arrays.stream(a).boxed().iterator());
        } else if (v instanceof float[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                appendNumber(sb, a[i]);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        }
    }

    private static void appendNumber(StringBuilder sb, Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                sb.append("null");
            } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                // whole numbers without ".0", so 1.0 reads as 1 the way other tools write it
                sb.append((long) d);
            } else {
                // Float.toString keeps 0.1f as 0.1 rather than its double expansion 0.10000000149011612
                sb.append(n instanceof Float ? Float.toString(n.floatValue()) : Double.toString(d));
            }
        } else if (n instanceof BigDecimal b) {
            sb.append(b.toString());
        } else if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger) {
            sb.append(n);
        } else {
            appendNumber(sb, n.doubleValue());
        }
    }

    private static void appendMap(StringBuilder sb, Map<?, ?> m) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            appendString(sb, String.valueOf(e.getKey()));
            sb.append(':');
            append(sb, e.getValue());
        }
        sb.append('}');
    }

    private static void appendIterator(StringBuilder sb, Iterator<?> it) {
        sb.append('[');
        boolean first = true;
        while (it.hasNext()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            append(sb, it.next());
        }
        sb.append(']');
    }

    /** A quoted string with JSON escapes; unpaired surrogates are escaped so the output stays valid UTF-8. */
    static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || c == 0x7f || unpairedSurrogate(s, i)) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private static boolean unpairedSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
