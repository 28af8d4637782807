package org.siamese4j.model.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A buffered little-endian sink over a channel. Bulk array writes go through the buffer's typed views
 * (a memory copy, not a per-value loop), so writing 150 MB of floats costs about as much as the disk.
 * Not thread-safe; owned by one {@link IoWriter} call.
 */
public final class BinarySink {
    private final WritableByteChannel channel;
    private final ByteBuffer buffer;
    private long flushedBytes;
    private MessageDigest digest;

    BinarySink(WritableByteChannel channel, int bufferBytes) {
        this.channel = Objects.requireNonNull(channel, "channel");
        // Heap buffer: the digest can read its array directly.
        this.buffer = ByteBuffer.allocate(Math.max(16, bufferBytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes written so far, buffered or not. */
    public long position() {
        return flushedBytes + buffer.position();
    }

    public void writeByte(int v) throws IOException {
        room(1);
        buffer.put((byte) v);
    }

    public void writeShort(int v) throws IOException {
        room(2);
        buffer.putShort((short) v);
    }

    public void writeInt(int v) throws IOException {
        room(4);
        buffer.putInt(v);
    }

    public void writeLong(long v) throws IOException {
        room(8);
        buffer.putLong(v);
    }

    public void writeFloat(float v) throws IOException {
        room(4);
        buffer.putFloat(v);
    }

    public void writeDouble(double v) throws IOException {
        room(8);
        buffer.putDouble(v);
    }

    public void writeBytes(byte[] src) throws IOException {
        writeBytes(src, 0, src.length);
    }

    public void writeBytes(byte[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        while (length > 0) {
            room(1);
            int n = Math.min(length, buffer.remaining());
            buffer.put(src, offset, n);
            offset += n;
            length -= n;
        }
    }

    /** Raw bits, so NaN payloads survive a round trip. */
    public void writeFloats(float[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        while (length > 0) {
            room(Float.BYTES);
            int n = Math.min(length, buffer.remaining() / Float.BYTES);
            buffer.asFloatBuffer().put(src, offset, n);
            buffer.position(buffer.position() + n * Float.BYTES);
            offset += n;
            length -= n;
        }
    }

    public void writeInts(int[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        while (length > 0) {
            room(Integer.BYTES);
            int n = Math.min(length, buffer.remaining() / Integer.BYTES);
            buffer.asIntBuffer().put(src, offset, n);
            buffer.position(buffer.position() + n * Integer.BYTES);
            offset += n;
            length -= n;
        }
    }

    public void writeLongs(long[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        while (length > 0) {
            room(Long.BYTES);
            int n = Math.min(length, buffer.remaining() / Long.BYTES);
            buffer.asLongBuffer().put(src, offset, n);
            buffer.position(buffer.position() + n * Long.BYTES);
            offset += n;
            length -= n;
        }
    }

    public void writeDoubles(double[] src, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, src.length);
        while (length > 0) {
            room(Double.BYTES);
            int n = Math.min(length, buffer.remaining() / Double.BYTES);
            buffer.asDoubleBuffer().put(src, offset, n);
            buffer.position(buffer.position() + n * Double.BYTES);
            offset += n;
            length -= n;
        }
    }

    /**
     * This sink as a stream, for encoders that want one. Closing the stream does not close the file:
     * {@link AtomicFile} owns it.
     */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writeByte(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeBytes(b, off, len);
            }
        };
    }

    /** Hashes every byte written from now on, until {@link #finishDigest()}. */
    void startDigest(MessageDigest md) {
        if (buffer.position() != 0 || flushedBytes != 0) {
            throw new IllegalStateException("digest must start at the beginning of the file");
        }
        digest = md;
    }

    /** The digest of everything written since {@link #startDigest}; later writes are not hashed. */
    byte[] finishDigest() throws IOException {
        flush();
        byte[] result = digest.digest();
        digest = null;
        return result;
    }

    /** Hands buffered bytes to the channel. */
    void flush() throws IOException {
        buffer.flip();
        if (digest != null) {
            digest.update(buffer.array(), buffer.arrayOffset(), buffer.limit());
        }
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        flushedBytes += buffer.limit();
        buffer.clear();
    }

    private void room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }
}
