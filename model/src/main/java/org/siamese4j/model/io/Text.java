package org.siamese4j.model.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** Message helpers: every error this package raises is one line a person can read. */
final class Text {
    private Text() {}

    /** {@code 1204} as {@code "1,204"}, independent of the default locale. */
    static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** Escapes control characters so a hostile file or section name cannot break the one-line rule. */
    static String oneLine(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (out != null) {
                if (control) {
                    out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /** Shows raw bytes (a magic number) as quoted ASCII with non-printable bytes escaped. */
    static String quoteAscii(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 2).append('"');
        for (byte b : bytes) {
            int v = b & 0xff;
            if (v >= 0x20 && v < 0x7f && v != '"' && v != '\\') {
                out.append((char) v);
            } else {
                out.append(String.format(Locale.ROOT, "\\x%02x", v));
            }
        }
        return out.append('"').toString();
    }

    /** The operating system's reason for an I/O failure, without repeating the path. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return oneLine(fse.getReason());
        }
        String message = e.getMessage();
        return oneLine(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
    }

    /** ENOSPC / EDQUOT as the JDK reports them. */
    static boolean isDiskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && (message.contains("No space left") || message.contains("Disk quota exceeded")
                    || message.contains("There is not enough space"))) {
                return true;
            }
        }
        return false;
    }
}
