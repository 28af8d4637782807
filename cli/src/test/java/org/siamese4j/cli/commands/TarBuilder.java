package org.siamese4j.cli.commands;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar archives by hand for tests, including ones no honest tool would write: ustar headers with any
 * name, type and declared size, GNU long names, pax records, links, and archives cut short.
 */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    TarBuilder file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        return entry(name, '0', data.length, "", data);
    }

    TarBuilder file(String name, byte[] data) {
        return entry(name, '0', data.length, "", data);
    }

    TarBuilder folder(String name) {
        return entry(name.endsWith("/") ? name : name + "/", '5', 0, "", new byte[0]);
    }

    TarBuilder symlink(String name, String target) {
        return entry(name, '2', 0, target, new byte[0]);
    }

    TarBuilder hardLink(String name, String target) {
        return entry(name, '1', 0, target, new byte[0]);
    }

    /** A GNU long-name entry for the next entry. */
    TarBuilder gnuLongName(String name) {
        byte[] data = (name + "\0").getBytes(StandardCharsets.UTF_8);
        return entry("././@LongLink", 'L', data.length, "", data);
    }

    /** A pax extended header with one record for the next entry. */
    TarBuilder pax(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.length() + 1;
        while (len != String.valueOf(len).length() + body.length()) {
            len++;
        }
        byte[] data = (len + body).getBytes(StandardCharsets.UTF_8);
        return entry("PaxHeaders/x", 'x', data.length, "", data);
    }

    /**
     * One header and its data, padded to 512 bytes. The header declares {@code declaredSize}, which need not
     * be the length of {@code data}.
     */
    TarBuilder entry(String name, char type, long declaredSize, String linkName, byte[] data) {
        byte[] h = header(name, type, declaredSize, linkName);
        out.writeBytes(h);
        out.writeBytes(data);
        int pad = (512 - data.length % 512) % 512;
        out.writeBytes(new byte[pad]);
        return this;
    }

    /** Raw bytes, e.g. a header with a broken checksum. */
    TarBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    static byte[] header(String name, char type, long size, String linkName) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            throw new IllegalArgumentException("use gnuLongName for names over 100 bytes: " + name);
        }
        System.arraycopy(n, 0, h, 0, n.length);
        octal(h, 100, 8, type == '5' ? 0755 : 0644);
        octal(h, 108, 8, 1000);
        octal(h, 116, 8, 1000);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_200_000_000L);
        h[156] = (byte) type;
        byte[] l = linkName.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, h, 157, l.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String chk = String.format(Locale.ROOT, "%06o", sum);
        System.arraycopy(chk.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = String.format(Locale.ROOT, "%0" + (length - 1) + "o", value);
        if (s.length() > length - 1) {
            throw new IllegalArgumentException("too large for the field: " + value);
        }
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, offset, s.length());
    }

    /** The tar stream with its end-of-archive blocks, uncompressed. */
    byte[] tar() {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        t.writeBytes(out.toByteArray());
        t.writeBytes(new byte[1024]);
        return t.toByteArray();
    }

    /** The tar stream without its end-of-archive blocks. */
    byte[] tarWithoutEnd() {
        return out.toByteArray();
    }

    byte[] tgz() {
        return gzip(tar());
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }
}
