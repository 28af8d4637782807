package org.siamese4j.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.siamese4j.engine.BadInputException;

/**
 * Random-access bytes of one container, from a file or from memory, so the reader's validation and
 * parsing exist once. Every failure is a one-line {@link BadInputException} naming the source.
 */
interface Source extends AutoCloseable {
    /** The name used in messages: the path as the user gave it, or a caller's label. */
    String displayName();

    long size();

    /** Fills {@code dst}'s remaining bytes with the bytes at {@code position}. */
    void readFully(long position, ByteBuffer dst);

    @Override
    void close();

    static Source open(Path file) {
        String name = Text.oneLine(file.toString());
        if (Files.isDirectory(file)) {
            throw new BadInputException(name + ": is a folder, not a file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO or device would block or never end.
            throw new BadInputException(name + ": not a regular file");
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                return new ChannelSource(name, channel, channel.size());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(name + ": file not found", e);
        } catch (IOException e) {
            throw new BadInputException(name + ": cannot read (" + Text.reason(e) + ")", e);
        }
    }

    static Source of(byte[] data, String displayName) {
        return new ArraySource(Text.oneLine(Objects.requireNonNull(displayName, "displayName")),
                Objects.requireNonNull(data, "data"));
    }

    /** Positional reads: thread-safe, and unaffected by a rename over the path after opening. */
    final class ChannelSource implements Source {
        private final String name;
        private final FileChannel channel;
        private final long size;

        ChannelSource(String name, FileChannel channel, long size) {
            this.name = name;
            this.channel = channel;
            this.size = size;
        }

        @Override
        public String displayName() {
            return name;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) {
            try {
                while (dst.hasRemaining()) {
                    int n = channel.read(dst, position);
                    if (n < 0) {
                        throw new BadInputException(name + ": truncated while reading (the file was changed on disk)");
                    }
                    position += n;
                }
            } catch (IOException e) {
                throw new BadInputException(name + ": cannot read (" + Text.reason(e) + ")", e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // Read-only descriptor: nothing is lost.
            }
        }
    }

    final class ArraySource implements Source {
        private final String name;
        private final byte[] data;

        ArraySource(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }

        @Override
        public String displayName() {
            return name;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) {
            if (position < 0 || position > data.length || dst.remaining() > data.length - position) {
                throw new BadInputException(name + ": truncated (read past the end of the data)");
            }
            dst.put(data, (int) position, dst.remaining());
        }

        @Override
        public void close() {}
    }
}
