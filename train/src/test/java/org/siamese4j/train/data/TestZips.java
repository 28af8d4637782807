package org.siamese4j.train.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds zip archives for tests. */
final class TestZips {
    private TestZips() {
    }

    /** A zip of the given entries in order; a name ending in "/" is a folder entry. */
    static byte[] zip(Map<String, byte[]> entries) {
        return zip(entries, false);
    }

    static byte[] zip(Map<String, byte[]> entries, boolean stored) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(bytes)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry entry = new ZipEntry(e.getKey());
                    byte[] data = e.getValue() == null ? new byte[0] : e.getValue();
                    if (stored) {
                        CRC32 crc = new CRC32();
                        crc.update(data);
                        entry.setMethod(ZipEntry.STORED);
                        entry.setSize(data.length);
                        entry.setCompressedSize(data.length);
                        entry.setCrc(crc.getValue());
                    }
                    out.putNextEntry(entry);
                    out.write(data);
                    out.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, byte[]> entries(Object... nameThenContent) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenContent.length; i += 2) {
            Object c = nameThenContent[i + 1];
            m.put((String) nameThenContent[i], c instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) c);
        }
        return m;
    }

    /** Writes a deflated entry of {@code zeros} zero bytes, streaming (a zip bomb for small budgets). */
    static void writeZeros(ZipOutputStream out, String name, long zeros) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        byte[] buf = new byte[1 << 16];
        for (long left = zeros; left > 0; left -= buf.length) {
            out.write(buf, 0, (int) Math.min(buf.length, left));
        }
        out.closeEntry();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces every occurrence of {@code from} by {@code to} (same length) in the archive's bytes. */
    static byte[] replaceAll(byte[] zip, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("same length only");
        }
        byte[] out = zip.clone();
        outer:
        for (int i = 0; i + f.length <= out.length; i++) {
            for (int k = 0; k < f.length; k++) {
                if (out[i + k] != f[k]) {
                    continue outer;
                }
            }
            System.arraycopy(t, 0, out, i, t.length);
        }
        return out;
    }
}
