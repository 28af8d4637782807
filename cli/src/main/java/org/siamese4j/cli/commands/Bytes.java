package org.siamese4j.cli.commands;

import java.util.Locale;

/** Byte counts for people: {@code 9464212} as {@code 9.0 MiB}. */
final class Bytes {
    private Bytes() {
    }

    static String format(long n) {
        if (n < 1024) {
            return n + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
