package org.siamese4j.model.io;

import static org.siamese4j.model.io.ContainerLayout.CHUNK_BYTES;
import static org.siamese4j.model.io.ContainerLayout.ENTRY_FIXED_BYTES;
import static org.siamese4j.model.io.ContainerLayout.HEADER_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAGIC_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAX_ENTRY_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAX_NAME_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAX_SECTIONS;
import static org.siamese4j.model.io.ContainerLayout.MIN_FILE_BYTES;
import static org.siamese4j.model.io.ContainerLayout.TRAILER_BYTES;
import static org.siamese4j.model.io.Text.n;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.siamese4j.engine.BadInputException;

/**
 * Opens a container (see {@link ContainerLayout}) for a file kind, treating the bytes as hostile.
 *
 * <p>Order of checks: size against the caller's limit; magic; minimum size; version; the SHA-256
 * trailer, streamed over the whole file before any table entry is believed; then the section table,
 * with every count and length checked against the real size in overflow-safe arithmetic. A checksum
 * protects against damage, not against a forger, who can recompute it: the table checks stand on
 * their own. Memory use is bounded by the table (at most {@value ContainerLayout#MAX_SECTIONS}
 * entries) and one I/O chunk, never by the file size; payloads are read on demand.
 *
 * <p>Every problem with the bytes is a one-line {@link BadInputException} that starts with the file's
 * name; nothing else escapes for bad input.
 */
public final class ContainerReader {
    private ContainerReader() {}

    /**
     * Opens {@code file}. The returned container keeps the file open for reading payloads: close it.
     * Replacing the file by {@link AtomicFile} while it is open does not affect it.
     *
     * @param maxFileBytes refuse larger files before reading anything (bounds what a hostile file can
     *     make the reader allocate)
     */
    public static Container read(Path file, FileKind kind, long maxFileBytes) {
        Objects.requireNonNull(file, "file");
        checkArguments(kind, maxFileBytes);
        return read(Source.open(file), kind, maxFileBytes);
    }

    /** Opens a container held in memory; {@code displayName} stands for the file name in messages. */
    public static Container read(byte[] data, String displayName, FileKind kind, long maxFileBytes) {
        checkArguments(kind, maxFileBytes);
        return read(Source.of(data, displayName), kind, maxFileBytes);
    }

    private static void checkArguments(FileKind kind, long maxFileBytes) {
        Objects.requireNonNull(kind, "kind");
        if (maxFileBytes < MIN_FILE_BYTES) {
            throw new IllegalArgumentException("maxFileBytes " + maxFileBytes + " is below the minimum container size");
        }
    }

    private static Container read(Source source, FileKind kind, long maxFileBytes) {
        boolean opened = false;
        try {
            Container container = validate(source, kind, maxFileBytes);
            opened = true;
            return container;
        } finally {
            if (!opened) {
                source.close();
            }
        }
    }

    private static Container validate(Source source, FileKind kind, long maxFileBytes) {
        String name = source.displayName();
        long size = source.size();
        if (size > maxFileBytes) {
            throw bad(name, "too large (file has " + n(size) + " bytes, the limit is " + n(maxFileBytes) + ")");
        }

        // Magic first, on whatever prefix exists: an unrelated short file is "not a model file",
        // not "truncated".
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(size, HEADER_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        source.readFully(0, header);
        header.flip();
        byte[] magic = new byte[Math.min(header.remaining(), MAGIC_BYTES)];
        header.get(magic);
        byte[] expected = kind.magicBytes();
        if (!MessageDigest.isEqual(magic, Arrays.copyOf(expected, magic.length))) {
            throw bad(name, "not a siamese4j " + kind.description() + " (magic " + Text.quoteAscii(magic)
                    + ", expected " + Text.quoteAscii(expected) + ")");
        }
        if (size < MIN_FILE_BYTES) {
            throw new Truncated(name + ": truncated (file has " + n(size) + " bytes, at least " + MIN_FILE_BYTES + " needed)");
        }
        long version = Integer.toUnsignedLong(header.getInt());
        if (!kind.supports(version)) {
            throw bad(name, "unsupported format version " + version + " (this build reads " + kind.versionsText() + ")");
        }
        long sectionCount = Integer.toUnsignedLong(header.getInt());

        byte[] sha256 = verifyChecksum(source, size, sectionCount);
        List<Container.Section> sections = parseTable(source, size, sectionCount);
        return new Container(source, (int) version, HexFormat.of().formatHex(sha256), sections);
    }

    /** Streams the file through SHA-256 in fixed chunks and compares with the trailer. */
    private static byte[] verifyChecksum(Source source, long size, long sectionCount) {
        long dataEnd = size - TRAILER_BYTES;
        MessageDigest digest = sha256();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, dataEnd));
        for (long position = 0; position < dataEnd; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), dataEnd - position));
            source.readFully(position, chunk);
            digest.update(chunk.array(), 0, chunk.limit());
            position += chunk.limit();
        }
        byte[] actual = digest.digest();
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
        source.readFully(dataEnd, trailer);
        if (!MessageDigest.isEqual(actual, trailer.array())) {
            // Untrusted, but the parser is safe on any bytes: if the table describes more data than the
            // file has, the honest diagnosis is "truncated" (an interrupted copy or download).
            try {
                parseTable(source, size, sectionCount);
            } catch (Truncated e) {
                throw e;
            } catch (BadInputException e) {
                // Some other inconsistency: the checksum message says it best.
            }
            throw bad(source.displayName(), "corrupt (SHA-256 checksum mismatch: the file was damaged or modified)");
        }
        return actual;
    }

    private static List<Container.Section> parseTable(Source source, long size, long sectionCount) {
        String file = source.displayName();
        if (sectionCount > MAX_SECTIONS) {
            throw bad(file, "declares " + n(sectionCount) + " sections (at most " + n(MAX_SECTIONS) + " allowed)");
        }
        long payloadEnd = size - TRAILER_BYTES;
        // Read at most the largest table that many entries can have, and never past the payload area.
        long tableLimit = Math.min(sectionCount * MAX_ENTRY_BYTES, payloadEnd - HEADER_BYTES);
        ByteBuffer table = ByteBuffer.allocate((int) tableLimit).order(ByteOrder.LITTLE_ENDIAN);
        source.readFully(HEADER_BYTES, table);
        table.flip();

        record Entry(String name, SectionType type, long length) {}
        List<Entry> entries = new ArrayList<>((int) sectionCount);
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (int i = 0; i < sectionCount; i++) {
            String where = "section table entry " + (i + 1) + " of " + sectionCount;
            if (table.remaining() < 2) {
                throw tableCutOff(file, size, where);
            }
            int nameLength = Short.toUnsignedInt(table.getShort());
            if (nameLength == 0 || nameLength > MAX_NAME_BYTES) {
                throw bad(file, where + " has a name of " + n(nameLength) + " bytes (1 to " + MAX_NAME_BYTES + " allowed)");
            }
            if (table.remaining() < nameLength + ENTRY_FIXED_BYTES - 2) {
                throw tableCutOff(file, size, where);
            }
            byte[] nameBytes = new byte[nameLength];
            table.get(nameBytes);
            String name = decodeName(file, where, nameBytes);
            String shown = "section '" + name + "'";
            int code = Byte.toUnsignedInt(table.get());
            SectionType type = SectionType.fromCode(code);
            if (type == null) {
                throw bad(file, shown + " has unknown type code " + code);
            }
            long length = table.getLong();
            if (length < 0) {
                throw bad(file, shown + " declares an impossible length of " + Long.toUnsignedString(length) + " bytes");
            }
            if (length % type.elementBytes() != 0) {
                throw bad(file, shown + " has " + n(length) + " bytes, not a whole number of " + type.description()
                        + " (" + type.elementBytes() + " bytes each)");
            }
            Entry entry = new Entry(name, type, length);
            if (byName.putIfAbsent(name, entry) != null) {
                throw bad(file, shown + " appears twice");
            }
            entries.add(entry);
        }

        // Payloads follow the table back to back. Each length is checked against what is left, so the
        // running offset never exceeds the file size and cannot overflow.
        long offset = HEADER_BYTES + table.position();
        List<Container.Section> sections = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (e.length() > payloadEnd - offset) {
                throw new Truncated(file + ": truncated (file has " + n(size) + " bytes, section '" + e.name()
                        + "' needs " + n(e.length()) + " at offset " + n(offset) + ")");
            }
            sections.add(new Container.Section(e.name(), e.type(), offset, e.length()));
            offset += e.length();
        }
        if (offset != payloadEnd) {
            throw bad(file, n(payloadEnd - offset) + " unexpected bytes after the last section");
        }
        return sections;
    }

    private static String decodeName(String file, String where, byte[] bytes) {
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(file, where + " has a name that is not valid UTF-8");
        }
        if (!Text.oneLine(name).equals(name)) {
            throw bad(file, where + " has a name with control characters");
        }
        return name;
    }

    private static Truncated tableCutOff(String file, long size, String where) {
        return new Truncated(file + ": truncated (file has " + n(size) + " bytes, " + where + " is cut off)");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static BadInputException bad(String file, String problem) {
        return new BadInputException(file + ": " + Text.oneLine(problem));
    }

    /** The data ends before what it declares; lets a checksum mismatch be reported as truncation. */
    private static final class Truncated extends BadInputException {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
        }
    }
}
