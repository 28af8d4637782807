package org.siamese4j.model.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-built containers with any header, table and payload, plus a correct SHA-256 trailer, so tests
 * reach the table checks behind the checksum with values the real writer refuses to produce.
 */
public final class RawContainer {
    private final ByteArrayOutputStream table = new ByteArrayOutputStream();
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private byte[] magic = "S4JTEST1".getBytes(StandardCharsets.US_ASCII);
    private long version = 1;
    private long count = -1;
    private int entries;

    public RawContainer magic(String value) {
        magic = value.getBytes(StandardCharsets.ISO_8859_1);
        return this;
    }

    public RawContainer version(long u32) {
        version = u32;
        return this;
    }

    /** Overrides the section count that is otherwise the number of entries. */
    public RawContainer count(long u32) {
        count = u32;
        return this;
    }

    public RawContainer entry(String name, int typeCode, long length) {
        return entry(name.getBytes(StandardCharsets.UTF_8), name.getBytes(StandardCharsets.UTF_8).length, typeCode, length);
    }

    public RawContainer entry(byte[] name, int declaredNameLength, int typeCode, long length) {
        ByteBuffer b = ByteBuffer.allocate(2 + name.length + 1 + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) declaredNameLength).put(name).put((byte) typeCode).putLong(length);
        table.writeBytes(b.array());
        entries++;
        return this;
    }

    /** Raw bytes appended to the payload area, whatever the table says. */
    public RawContainer payload(byte[] bytes) {
        payload.writeBytes(bytes);
        return this;
    }

    public RawContainer payload(int zeroBytes) {
        return payload(new byte[zeroBytes]);
    }

    public byte[] build() {
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        header.put(magic, 0, 8).putInt((int) version).putInt((int) (count >= 0 ? count : entries));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header.array());
        body.writeBytes(table.toByteArray());
        body.writeBytes(payload.toByteArray());
        return Mutations.withTrailer(body.toByteArray());
    }
}
