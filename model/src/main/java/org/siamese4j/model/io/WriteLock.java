package org.siamese4j.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.OptionalLong;
import org.siamese4j.engine.BadInputException;

/**
 * An exclusive claim on a target file by one writer, across processes: an OS lock on the side file
 * {@code <target>.lock}.
 *
 * <pre>
 *   try (WriteLock lock = WriteLock.acquire(checkpoint)) {
 *       ... AtomicFile.write(checkpoint, ...) as often as needed ...
 *   }
 * </pre>
 *
 * <p>The OS drops the lock when the holding process dies, even by SIGKILL, so a lock file left on
 * disk never blocks anyone. The lock file is deliberately left in place on close: deleting it would
 * let a waiting process lock the deleted file while a third one locks a fresh one, and both would
 * believe they hold the lock. While held it holds the holder's process id, for people and for the
 * "in use" message; a clean close empties it, so a process id found by the next holder is that of a
 * process that ended without releasing the lock ({@link #staleHolder()}).
 *
 * <p>Not reentrant: a second acquire of the same target in this JVM fails like one from another
 * process. OS locks on network file systems may be unreliable.
 */
public final class WriteLock implements AutoCloseable {
    private final Path target;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final OptionalLong staleHolder;

    /** The target is locked by another process (or another lock in this JVM). */
    public static final class InUseException extends BadInputException {
        private static final long serialVersionUID = 1L;
        private final transient OptionalLong holder;

        InUseException(String message, OptionalLong holder) {
            super(message);
            this.holder = holder;
        }

        /** The holder's process id, when its lock file names one. */
        public OptionalLong holder() {
            return holder;
        }
    }

    private WriteLock(Path target, Path lockFile, FileChannel channel, FileLock lock, OptionalLong staleHolder) {
        this.target = target;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
        this.staleHolder = staleHolder;
    }

    /**
     * Locks {@code target} for writing, without waiting.
     *
     * @throws InUseException another process, or another lock in this JVM, holds it
     * @throws BadInputException the lock file cannot be created
     */
    public static WriteLock acquire(Path target) {
        Objects.requireNonNull(target, "target");
        Path fileName = target.getFileName();
        if (fileName == null) {
            throw new IllegalArgumentException("not a file path: " + target);
        }
        Path lockFile = target.resolveSibling(fileName + ".lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Path folder = target.toAbsolutePath().getParent();
            throw new BadInputException(Text.oneLine(folder + ": not writable (folder does not exist)"), e);
        } catch (AccessDeniedException e) {
            throw new BadInputException(Text.oneLine(lockFile + ": cannot create lock file (permission denied)"), e);
        } catch (IOException e) {
            throw new BadInputException(Text.oneLine(lockFile + ": cannot create lock file (" + Text.reason(e) + ")"), e);
        }
        boolean done = false;
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another WriteLock (or another channel) in this JVM
            }
            if (lock == null) {
                OptionalLong holder = recordedHolder(channel);
                throw new InUseException(Text.oneLine(target + " is in use by another siamese4j process ("
                        + (holder.isPresent() ? "process " + holder.getAsLong() + ", " : "") + "lock " + lockFile + ")"), holder);
            }
            OptionalLong previous = recordedHolder(channel);
            recordHolder(channel);
            done = true;
            return new WriteLock(target, lockFile, channel, lock, previous);
        } catch (IOException e) {
            throw new BadInputException(Text.oneLine(lockFile + ": cannot lock (" + Text.reason(e) + ")"), e);
        } finally {
            if (!done) {
                closeQuietly(channel);
            }
        }
    }

    public Path target() {
        return target;
    }

    public Path lockFile() {
        return lockFile;
    }

    /**
     * The process id that the lock file named when this lock was taken: a process that held the lock and ended
     * without releasing it (killed, or crashed), whose lock the OS dropped. Empty after a clean release.
     */
    public OptionalLong staleHolder() {
        return staleHolder;
    }

    /** Releases the lock. The lock file stays, emptied (see the class comment). Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0);
                lock.release();
            }
        } catch (IOException e) {
            // Closing the channel below releases the lock anyway.
        } finally {
            closeQuietly(channel);
        }
    }

    /** Writes "pid\n" so a person can see who holds the lock; purely informational. */
    private static void recordHolder(FileChannel channel) {
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException | RuntimeException e) {
            // The lock is what matters; a missing pid only makes diagnosis harder.
        }
    }

    /** The process id in the lock file, if it holds one. Best effort: the file is only informational. */
    private static OptionalLong recordedHolder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(24);
            while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
                // a pid and a newline fit; a longer file is not ours
            }
            String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return text.matches("[0-9]{1,18}") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing useful to do; the OS reclaims the descriptor on exit.
        }
    }
}
