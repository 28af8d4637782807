package org.siamese4j.model.io;

import static org.siamese4j.model.io.ContainerLayout.CHUNK_BYTES;
import static org.siamese4j.model.io.ContainerLayout.MAX_ARRAY_LENGTH;
import static org.siamese4j.model.io.Text.n;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.siamese4j.engine.BadInputException;

/**
 * A validated container: its checksum matched and its table is consistent with its size. Payloads
 * are read on demand in bounded chunks, so a caller decides what to allocate, and typed accessors
 * check the section's type and element count before allocating anything.
 *
 * <p>Problems with the content (a missing section, a wrong type or count) are
 * {@link BadInputException}s naming the file; wrong arguments are programmer errors. Reads are
 * thread-safe. Close the container to release the file; it does not re-verify payload bytes, so a
 * file overwritten in place (not through {@link AtomicFile}) while open is not detected.
 */
public final class Container implements AutoCloseable {
    /** A payload's place in the source; offsets and lengths are already checked against its size. */
    record Section(String name, SectionType type, long offset, long length) {
        long count() {
            return length / type.elementBytes();
        }
    }

    private final Source source;
    private final int version;
    private final String sha256;
    private final Map<String, Section> sections;
    private volatile boolean closed;

    Container(Source source, int version, String sha256, List<Section> sections) {
        this.source = source;
        this.version = version;
        this.sha256 = sha256;
        Map<String, Section> byName = new LinkedHashMap<>();
        for (Section s : sections) {
            byName.put(s.name(), s);
        }
        this.sections = Collections.unmodifiableMap(byName);
    }

    /** The file name used in messages. */
    public String displayName() {
        return source.displayName();
    }

    public int version() {
        return version;
    }

    /** The SHA-256 trailer as 64 lowercase hex digits: the file's identity. */
    public String sha256() {
        return sha256;
    }

    /** Section names in file order. */
    public List<String> names() {
        return List.copyOf(sections.keySet());
    }

    public boolean has(String name) {
        return sections.containsKey(name);
    }

    /** @throws BadInputException the section is missing */
    public SectionType type(String name) {
        return section(name).type();
    }

    /** Number of elements (bytes for BYTES and UTF8). @throws BadInputException the section is missing */
    public long count(String name) {
        return section(name).count();
    }

    public String text(String name) {
        Section s = section(name, SectionType.UTF8);
        byte[] bytes = new byte[arrayLength(s)];
        stream(s, (chunk, first, count) -> chunk.get(bytes, first, count));
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("section '" + name + "' is not valid UTF-8 text");
        }
    }

    public byte[] bytes(String name) {
        Section s = section(name, SectionType.BYTES);
        byte[] out = new byte[arrayLength(s)];
        stream(s, (chunk, first, count) -> chunk.get(out, first, count));
        return out;
    }

    /** All floats of a section; the allocation is bounded by the file size the reader accepted. */
    public float[] floats(String name) {
        Section s = section(name, SectionType.FLOAT32);
        return readFloats(s, arrayLength(s));
    }

    /** The floats of a section that must hold exactly {@code expectedCount}; checked before allocating. */
    public float[] floats(String name, int expectedCount) {
        Section s = section(name, SectionType.FLOAT32);
        checkCount(s, expectedCount);
        return readFloats(s, expectedCount);
    }

    /** Reads a section of exactly {@code count} floats into {@code dst[offset, offset + count)}. */
    public void readFloatsInto(String name, float[] dst, int offset, int count) {
        readFloatsInto(name, List.of(new FloatSlice(dst, offset, count)));
    }

    /**
     * Reads one section into several arrays in order, the mirror of
     * {@link ContainerWriter#putFloats(String, List)}: the slices' lengths must add up to the
     * section's count exactly.
     */
    public void readFloatsInto(String name, List<FloatSlice> slices) {
        Objects.requireNonNull(slices, "slices");
        long total = 0;
        for (FloatSlice slice : slices) {
            total += slice.length();
        }
        Section s = section(name, SectionType.FLOAT32);
        if (s.count() != total) {
            throw bad("section '" + name + "' has " + n(s.count()) + " floats, expected " + n(total));
        }
        int[] cursor = {0, 0}; // slice index, position inside it
        stream(s, (chunk, first, count) -> {
            FloatBuffer values = chunk.asFloatBuffer();
            while (values.hasRemaining()) {
                FloatSlice slice = slices.get(cursor[0]);
                int take = Math.min(values.remaining(), slice.length() - cursor[1]);
                values.get(slice.array(), slice.offset() + cursor[1], take);
                cursor[1] += take;
                if (cursor[1] == slice.length()) {
                    cursor[0]++;
                    cursor[1] = 0;
                }
            }
        });
    }

    public int[] ints(String name) {
        Section s = section(name, SectionType.INT32);
        return readInts(s, arrayLength(s));
    }

    public int[] ints(String name, int expectedCount) {
        Section s = section(name, SectionType.INT32);
        checkCount(s, expectedCount);
        return readInts(s, expectedCount);
    }

    public long[] longs(String name) {
        Section s = section(name, SectionType.INT64);
        return readLongs(s, arrayLength(s));
    }

    public long[] longs(String name, int expectedCount) {
        Section s = section(name, SectionType.INT64);
        checkCount(s, expectedCount);
        return readLongs(s, expectedCount);
    }

    public double[] doubles(String name) {
        Section s = section(name, SectionType.FLOAT64);
        return readDoubles(s, arrayLength(s));
    }

    public double[] doubles(String name, int expectedCount) {
        Section s = section(name, SectionType.FLOAT64);
        checkCount(s, expectedCount);
        return readDoubles(s, expectedCount);
    }

    /** Releases the file. Idempotent; accessors fail afterwards. */
    @Override
    public void close() {
        closed = true;
        source.close();
    }

    private float[] readFloats(Section s, int count) {
        float[] out = new float[count];
        stream(s, (chunk, first, n) -> chunk.asFloatBuffer().get(out, first, n));
        return out;
    }

    private int[] readInts(Section s, int count) {
        int[] out = new int[count];
        stream(s, (chunk, first, n) -> chunk.asIntBuffer().get(out, first, n));
        return out;
    }

    private long[] readLongs(Section s, int count) {
        long[] out = new long[count];
        stream(s, (chunk, first, n) -> chunk.asLongBuffer().get(out, first, n));
        return out;
    }

    private double[] readDoubles(Section s, int count) {
        double[] out = new double[count];
        stream(s, (chunk, first, n) -> chunk.asDoubleBuffer().get(out, first, n));
        return out;
    }

    /** Receives a little-endian chunk holding {@code count} whole elements, starting at element {@code first}. */
    @FunctionalInterface
    private interface ChunkConsumer {
        void accept(ByteBuffer chunk, int first, int count);
    }

    /** Reads a section in chunks of at most {@link ContainerLayout#CHUNK_BYTES}; per call, so thread-safe. */
    private void stream(Section s, ChunkConsumer consumer) {
        ensureOpen();
        int elementBytes = s.type().elementBytes();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, s.length())).order(ByteOrder.LITTLE_ENDIAN);
        long position = s.offset();
        long remaining = s.length();
        int element = 0;
        while (remaining > 0) {
            int n = (int) Math.min(chunk.capacity(), remaining);
            chunk.clear().limit(n);
            source.readFully(position, chunk);
            chunk.flip();
            consumer.accept(chunk, element, n / elementBytes);
            position += n;
            remaining -= n;
            element += n / elementBytes;
        }
    }

    private Section section(String name) {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        Section s = sections.get(name);
        if (s == null) {
            throw bad("section '" + name + "' is missing");
        }
        return s;
    }

    private Section section(String name, SectionType expected) {
        Section s = section(name);
        if (s.type() != expected) {
            throw bad("section '" + name + "' holds " + s.type().description() + ", expected " + expected.description());
        }
        return s;
    }

    private void checkCount(Section s, int expectedCount) {
        if (expectedCount < 0) {
            throw new IllegalArgumentException("negative expectedCount " + expectedCount);
        }
        if (s.count() != expectedCount) {
            throw bad("section '" + s.name() + "' has " + n(s.count()) + " " + unit(s) + ", expected " + n(expectedCount));
        }
    }

    private int arrayLength(Section s) {
        if (s.count() > MAX_ARRAY_LENGTH) {
            throw bad("section '" + s.name() + "' has " + n(s.count()) + " " + unit(s) + ", more than a Java array holds");
        }
        return (int) s.count();
    }

    private static String unit(Section s) {
        return switch (s.type()) {
            case BYTES, UTF8 -> "bytes";
            case FLOAT32 -> "floats";
            case INT32 -> "ints";
            case INT64 -> "longs";
            case FLOAT64 -> "doubles";
        };
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(displayName() + ": container is closed");
        }
    }

    private BadInputException bad(String problem) {
        return new BadInputException(displayName() + ": " + Text.oneLine(problem));
    }
}
