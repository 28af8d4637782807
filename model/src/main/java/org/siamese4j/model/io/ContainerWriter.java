package org.siamese4j.model.io;

import static org.siamese4j.model.io.ContainerLayout.ENTRY_FIXED_BYTES;
import static org.siamese4j.model.io.ContainerLayout.HEADER_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAX_ARRAY_LENGTH;
import static org.siamese4j.model.io.ContainerLayout.MAX_NAME_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAX_SECTIONS;
import static org.siamese4j.model.io.ContainerLayout.TRAILER_BYTES;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.siamese4j.engine.BadInputException;

/**
 * Builds a container (see {@link ContainerLayout}) and writes it atomically, hashing while it
 * streams. Arrays are referenced, not copied: do not change them until {@link #write} returns.
 * Misuse (duplicate or invalid names, bad magic) is a programmer error: {@link IllegalArgumentException}.
 *
 * <pre>
 *   String sha = new ContainerWriter()
 *           .putText("config", json)
 *           .putFloats("weights", tensorSlices)
 *           .write(path, "S4JMODEL", 1);
 * </pre>
 */
public final class ContainerWriter {
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private record Entry(byte[] name, SectionType type, long length, Payload payload) {}

    @FunctionalInterface
    private interface Payload {
        void writeTo(BinarySink sink) throws IOException;
    }

    /** Text as UTF-8; unpaired surrogates become '?', as {@link String#getBytes} does. */
    public ContainerWriter putText(String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return add(name, SectionType.UTF8, bytes.length, sink -> sink.writeBytes(bytes));
    }

    public ContainerWriter putBytes(String name, byte[] data) {
        Objects.requireNonNull(data, "data");
        return add(name, SectionType.BYTES, data.length, sink -> sink.writeBytes(data));
    }

    public ContainerWriter putFloats(String name, float[] values) {
        return putFloats(name, values, 0, values.length);
    }

    public ContainerWriter putFloats(String name, float[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        return add(name, SectionType.FLOAT32, (long) length * Float.BYTES, sink -> sink.writeFloats(values, offset, length));
    }

    /** Several arrays (say, a model's tensors) as one section, in order, without copying them. */
    public ContainerWriter putFloats(String name, List<FloatSlice> slices) {
        List<FloatSlice> copy = List.copyOf(slices);
        long count = 0;
        for (FloatSlice slice : copy) {
            count += slice.length();
        }
        return add(name, SectionType.FLOAT32, count * Float.BYTES, sink -> {
            for (FloatSlice slice : copy) {
                sink.writeFloats(slice.array(), slice.offset(), slice.length());
            }
        });
    }

    public ContainerWriter putInts(String name, int[] values) {
        return putInts(name, values, 0, values.length);
    }

    public ContainerWriter putInts(String name, int[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        return add(name, SectionType.INT32, (long) length * Integer.BYTES, sink -> sink.writeInts(values, offset, length));
    }

    public ContainerWriter putLongs(String name, long[] values) {
        return putLongs(name, values, 0, values.length);
    }

    public ContainerWriter putLongs(String name, long[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        return add(name, SectionType.INT64, (long) length * Long.BYTES, sink -> sink.writeLongs(values, offset, length));
    }

    public ContainerWriter putDoubles(String name, double[] values) {
        return putDoubles(name, values, 0, values.length);
    }

    public ContainerWriter putDoubles(String name, double[] values, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, values.length);
        return add(name, SectionType.FLOAT64, (long) length * Double.BYTES, sink -> sink.writeDoubles(values, offset, length));
    }

    /** The size of the file {@link #write} will produce. */
    public long fileSize() {
        long size = HEADER_BYTES + TRAILER_BYTES;
        for (Entry e : entries.values()) {
            size += ENTRY_FIXED_BYTES + e.name().length + e.length();
        }
        return size;
    }

    /**
     * Writes the container to {@code target} through {@link AtomicFile} and returns its SHA-256 as 64
     * lowercase hex digits, the same value {@link Container#sha256()} reports.
     *
     * @throws BadInputException the file cannot be written (see {@link AtomicFile#write})
     */
    public String write(Path target, String magic, int version) {
        byte[] magicBytes = checkHeader(magic, version);
        String[] sha256 = new String[1];
        AtomicFile.write(target, sink -> sha256[0] = writeTo(sink, magicBytes, version));
        return sha256[0];
    }

    /** The container as bytes in memory, for small containers and tests. */
    public byte[] toBytes(String magic, int version) {
        byte[] magicBytes = checkHeader(magic, version);
        long size = fileSize();
        if (size > MAX_ARRAY_LENGTH) {
            throw new IllegalStateException("container of " + size + " bytes does not fit in an array");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        try {
            BinarySink sink = new BinarySink(Channels.newChannel(out), (int) Math.min(size, AtomicFile.BUFFER_BYTES));
            writeTo(sink, magicBytes, version);
            sink.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory write failed", e);
        }
        return out.toByteArray();
    }

    private String writeTo(BinarySink sink, byte[] magic, int version) throws IOException {
        sink.startDigest(ContainerReader.sha256());
        sink.writeBytes(magic);
        sink.writeInt(version);
        sink.writeInt(entries.size());
        for (Entry e : entries.values()) {
            sink.writeShort(e.name().length);
            sink.writeBytes(e.name());
            sink.writeByte(e.type().code());
            sink.writeLong(e.length());
        }
        for (Entry e : entries.values()) {
            long start = sink.position();
            e.payload().writeTo(sink);
            if (sink.position() - start != e.length()) {
                throw new IllegalStateException("section payload size changed while writing");
            }
        }
        byte[] sha256 = sink.finishDigest();
        sink.writeBytes(sha256);
        return HexFormat.of().formatHex(sha256);
    }

    private static byte[] checkHeader(String magic, int version) {
        byte[] magicBytes = ContainerLayout.magicBytes(magic);
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version);
        }
        return magicBytes;
    }

    private ContainerWriter add(String name, SectionType type, long length, Payload payload) {
        byte[] nameBytes = encodeName(name);
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate section name '" + name + "'");
        }
        if (entries.size() >= MAX_SECTIONS) {
            throw new IllegalArgumentException("more than " + MAX_SECTIONS + " sections");
        }
        entries.put(name, new Entry(nameBytes, type, length, payload));
        return this;
    }

    private static byte[] encodeName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || !Text.oneLine(name).equals(name)) {
            throw new IllegalArgumentException("section name must be non-empty without control characters: '"
                    + Text.oneLine(name) + "'");
        }
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(name));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("section name is not valid Unicode: '" + name + "'", e);
        }
        if (encoded.remaining() > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("section name longer than " + MAX_NAME_BYTES + " UTF-8 bytes: '" + name + "'");
        }
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        return bytes;
    }
}
