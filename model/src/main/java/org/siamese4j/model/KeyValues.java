package org.siamese4j.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small text format of model-file sections: one {@code key=value} per line, keys of letters, digits,
 * '-', '_' and '.', values with backslash escapes for newline and backslash. Parsing is strict and bounded.
 */
public final class KeyValues {
    public static final int MAX_ENTRIES = 4096;

    private KeyValues() {
    }

    public static String format(Map<String, String> map) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!e.getKey().matches("[A-Za-z0-9._-]{1,128}")) {
                throw new IllegalArgumentException("bad key '" + e.getKey() + "'");
            }
            sb.append(e.getKey()).append('=').append(escape(e.getValue())).append('\n');
        }
        return sb.toString();
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return m;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1) {
                break;
            }
            int eq = line.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not key=value");
            }
            String key = line.substring(0, eq);
            if (!key.matches("[A-Za-z0-9._-]{1,128}")) {
                throw new IllegalArgumentException("bad key on line " + (i + 1));
            }
            if (m.put(key, unescape(line.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("key '" + key + "' appears twice");
            }
            if (m.size() > MAX_ENTRIES) {
                throw new IllegalArgumentException("more than " + MAX_ENTRIES + " entries");
            }
        }
        return m;
    }

    static String require(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return v;
    }

    static int integer(Map<String, String> m, String key) {
        try {
            return Integer.parseInt(require(m, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' is not an integer");
        }
    }

    static double number(Map<String, String> m, String key) {
        try {
            double v = Double.parseDouble(require(m, key));
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + key + "' is not a finite number");
        }
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= v.length()) {
                throw new IllegalArgumentException("dangling escape");
            }
            char n = v.charAt(i);
            sb.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
        }
        return sb.toString();
    }
}
