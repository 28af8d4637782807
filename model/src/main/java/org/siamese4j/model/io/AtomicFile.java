package org.siamese4j.model.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.siamese4j.engine.BadInputException;

/**
 * Replaces a file so that readers, and a machine that loses power or a process that is killed, see
 * either the complete old file or the complete new one, never a mix.
 *
 * <p>Procedure: write a temp file {@code .<name>.<16 hex>.tmp} in the target's folder (same file
 * system, so the rename is atomic), {@code force} it to disk, rename it over the target, then fsync
 * the folder so the rename itself survives a power loss. A temp file left by a killed writer is
 * deleted by the next write of the same target.
 *
 * <p>Concurrent writers of one target must be serialized with {@link WriteLock}: without it, one
 * writer's stale-temp cleanup may delete another's temp file mid-write. That writer then fails with a
 * {@link BadInputException} and the target is still a complete file, so the damage is a lost write,
 * not a corrupt file.
 *
 * <p>The new file gets default permissions; it does not inherit the old file's. A symbolic link at
 * the target is replaced by the file, not followed.
 */
public final class AtomicFile {
    static final int BUFFER_BYTES = 1 << 20;
    private static final String TEMP_SUFFIX = ".tmp";
    private static final Pattern TEMP_RANDOM = Pattern.compile("[0-9a-f]{16}");

    private AtomicFile() {}

    /**
     * Writes {@code target} through {@code body}. On any failure the temp file is deleted, the
     * previous target (if any) is unchanged and the exception is rethrown: an {@link IOException}
     * (disk full, permission denied, ...) as a one-line {@link BadInputException} naming the file,
     * anything else as it was thrown by {@code body}.
     *
     * @throws BadInputException the folder is missing or not writable, the target is a folder, or
     *     writing failed
     */
    public static void write(Path target, IoWriter body) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || absolute.getFileName() == null) {
            throw new IllegalArgumentException("not a file path: " + target);
        }
        String name = absolute.getFileName().toString();
        checkFolderWritable(folder);
        if (Files.isDirectory(absolute)) {
            throw new BadInputException(Text.oneLine(target + ": is a folder, cannot replace it with a file"));
        }
        removeStaleTempFiles(folder, name);

        Path temp = null;
        boolean moved = false;
        try {
            temp = createTempFile(folder, name);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                BinarySink sink = new BinarySink(channel, BUFFER_BYTES);
                body.writeTo(sink);
                sink.flush();
                channel.force(true);
            }
            moveOver(temp, absolute);
            moved = true;
            fsyncFolder(folder);
        } catch (AccessDeniedException e) {
            throw new BadInputException(Text.oneLine(
                    (temp == null ? folder : target) + ": not writable (permission denied)"), e);
        } catch (IOException e) {
            if (Text.isDiskFull(e)) {
                throw new BadInputException(Text.oneLine(target + ": cannot write, the disk is full ("
                        + Text.reason(e) + "); the previous file is unchanged"), e);
            }
            throw new BadInputException(Text.oneLine(target + ": cannot write (" + Text.reason(e) + ")"), e);
        } finally {
            if (!moved && temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    /** The temp files of earlier, interrupted writes of {@code target}. Best effort, never throws. */
    static List<Path> tempFilesOf(Path target) {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        List<Path> found = new ArrayList<>();
        if (folder == null || absolute.getFileName() == null) {
            return found;
        }
        String name = absolute.getFileName().toString();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (isTempFileOf(name, entry.getFileName().toString())) {
                    found.add(entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Listing is only for cleanup; a folder we cannot list will fail the write itself.
        }
        return found;
    }

    /**
     * Exactly {@code .<name>.<16 hex>.tmp}: the fixed-width random part keeps target {@code a} from
     * claiming the temp files of target {@code a.b}.
     */
    static boolean isTempFileOf(String targetName, String fileName) {
        String prefix = "." + targetName + ".";
        if (fileName.length() != prefix.length() + 16 + TEMP_SUFFIX.length()
                || !fileName.startsWith(prefix) || !fileName.endsWith(TEMP_SUFFIX)) {
            return false;
        }
        return TEMP_RANDOM.matcher(fileName.substring(prefix.length(), prefix.length() + 16)).matches();
    }

    private static void checkFolderWritable(Path folder) {
        if (!Files.exists(folder)) {
            throw new BadInputException(Text.oneLine(folder + ": not writable (folder does not exist)"));
        }
        if (!Files.isDirectory(folder)) {
            throw new BadInputException(Text.oneLine(folder + ": not writable (not a folder)"));
        }
        if (!Files.isWritable(folder)) {
            throw new BadInputException(Text.oneLine(folder + ": not writable (permission denied)"));
        }
    }

    private static void removeStaleTempFiles(Path folder, String name) {
        for (Path stale : tempFilesOf(folder.resolve(name))) {
            deleteQuietly(stale);
        }
    }

    private static Path createTempFile(Path folder, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
            Path temp = folder.resolve("." + name + "." + random + TEMP_SUFFIX);
            try {
                return Files.createFile(temp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) {
                    throw e;
                }
            } catch (NoSuchFileException e) {
                throw new BadInputException(Text.oneLine(folder + ": not writable (folder does not exist)"), e);
            }
        }
    }

    private static void moveOver(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems cannot rename atomically; a replacing move is the best they offer.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename durable. Not every platform can open a folder (Windows cannot): best effort. */
    private static void fsyncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            // The file itself is already on disk; at worst the rename is lost with power.
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            // Cleanup must not hide the original failure; the next write retries.
        }
    }
}
