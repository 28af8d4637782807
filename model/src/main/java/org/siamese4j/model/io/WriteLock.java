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
 * believe they hold the lock. It holds the holder's process id, for people.
 *
 * <p>Not reentrant: a second acquire of the same target in this JVM fails like one from another
 * process. OS locks on network file systems may be unreliable.
 */
public final class WriteLock implements AutoCloseable {
    private final Path target;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private WriteLock(Path target, Path lockFile, FileChannel channel, FileLock lock) {
        this.target = target;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code target} for writing, without waiting.
     *
     * @throws BadInputException another process, or another lock in this JVM, holds it; or the lock
     *     file cannot be created
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
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
                throw new BadInputException(Text.oneLine(
                        target + " is in use by another siamese4j process (lock " + lockFile + ")"));
            }
            recordHolder(channel);
            done = true;
            return new WriteLock(target, lockFile, channel, lock);
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

    /** Releases the lock. The lock file stays (see the class comment). Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
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

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing useful to do; the OS reclaims the descriptor on exit.
        }
    }
}
