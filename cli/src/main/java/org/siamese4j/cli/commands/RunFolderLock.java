package org.siamese4j.cli.commands;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.io.WriteLock;

/**
 * A training run's claim on its output folder, held for the run's whole life: a {@link WriteLock} on
 * {@code <folder>/run.lock}. A second {@code train} or {@code train --resume} on the same folder is refused at
 * once, before it reads any data, so two runs never interleave their checkpoints, models and logs. The OS drops
 * the lock of a process that dies (even by SIGKILL); the next run takes the folder over and says so.
 *
 * <p>Folders that the claim created are removed again on close if the run left nothing but the lock file in
 * them (it failed on bad input before writing anything), so a refused command leaves nothing behind.
 */
final class RunFolderLock implements AutoCloseable {
    static final String LOCK_FILE = "run.lock";

    private final Path folder;
    private final List<Path> created;
    private final WriteLock lock;

    private RunFolderLock(Path folder, List<Path> created, WriteLock lock) {
        this.folder = folder;
        this.created = created;
        this.lock = lock;
    }

    /**
     * Creates {@code folder} if needed and locks it for this run.
     *
     * @param progress receives the one line that says a dead run's lock was taken over
     * @throws BadInputException another run holds the folder, or it cannot be created or locked
     */
    static RunFolderLock claim(Path folder, Consumer<String> progress) {
        List<Path> created = new ArrayList<>();
        for (Path p = folder.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            created.add(p);
        }
        try {
            Files.createDirectories(folder);
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(folder + ": cannot create the output folder (a file of that name exists)", e);
        } catch (IOException | SecurityException e) {
            throw new BadInputException(folder + ": cannot create the output folder (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        Path lockTarget = folder.resolve("run");
        WriteLock lock;
        try {
            lock = WriteLock.acquire(lockTarget);
        } catch (WriteLock.InUseException e) {
            throw new BadInputException(folder + ": in use by another training run ("
                    + (e.holder().isPresent() ? "process " + e.holder().getAsLong() + ", " : "") + "lock "
                    + folder.resolve(LOCK_FILE) + "); wait for it to end, or train into another --out", e);
        } catch (BadInputException e) {
            removeEmpty(created);
            throw e;
        }
        lock.staleHolder().ifPresent(pid -> progress.accept("took over " + lock.lockFile() + " from process " + pid
                + ", which ended without releasing it"));
        return new RunFolderLock(folder, created, lock);
    }

    Path folder() {
        return folder;
    }

    /** Releases the folder; removes the folders the claim created if they hold nothing but the lock file. */
    @Override
    public void close() {
        try {
            if (!created.isEmpty() && onlyTheLockFile(folder)) {
                Files.deleteIfExists(lock.lockFile());
                removeEmpty(created);
            }
        } catch (IOException | RuntimeException e) {
            // cleanup is a courtesy: an empty folder left behind does no harm
        } finally {
            lock.close();
        }
    }

    private static boolean onlyTheLockFile(Path folder) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path e : entries) {
                if (!e.getFileName().toString().equals(LOCK_FILE)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Deletes the given folders, innermost first, as long as they are empty. */
    private static void removeEmpty(List<Path> folders) {
        for (Path p : folders) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                return; // not empty (or not ours to delete): leave it and its parents
            }
        }
    }
}
