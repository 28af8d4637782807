package org.siamese4j.cli.commands;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.train.data.SafeZip;

/**
 * Unpacks a downloaded archive next to it, once. {@link SafeZip} refuses entries that would escape the
 * folder and enforces size budgets; extraction goes to a hidden staging folder first and each top-level
 * entry is then renamed into place, so a killed run never leaves a half-filled dataset folder under its
 * real name. Top-level entries that already exist are kept as they are. The caller holds the archive's
 * write lock, so stale staging folders found here belong to killed runs.
 */
final class ZipExtraction {
    /** What happened to an archive's top-level folders. */
    record Result(List<String> topLevel, boolean extracted) {
    }

    private ZipExtraction() {
    }

    static Result extractOnce(Path zip, Path dir) {
        List<String> topLevel;
        try (SafeZip z = SafeZip.open(zip)) {
            topLevel = z.names().stream().map(n -> n.contains("/") ? n.substring(0, n.indexOf('/')) : n)
                    .distinct().sorted().toList();
        }
        if (topLevel.isEmpty()) {
            throw new BadInputException(zip + ": the archive holds no files");
        }
        if (topLevel.stream().allMatch(t -> Files.exists(dir.resolve(t), LinkOption.NOFOLLOW_LINKS))) {
            return new Result(topLevel, false);
        }
        String stagingPrefix = ".siamese4j-extract-" + zip.getFileName() + "-";
        removeStaleStaging(dir, stagingPrefix);
        Path staging = dir.resolve(stagingPrefix + String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong()));
        try {
            SafeZip.extract(zip, staging);
            for (String t : topLevel) {
                Path target = dir.resolve(t);
                if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(staging.resolve(t), target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot move the files extracted from " + zip.getFileName()
                    + " into place (" + e.getMessage() + ")", e);
        } finally {
            deleteTree(staging);
        }
        return new Result(topLevel, true);
    }

    private static void removeStaleStaging(Path dir, String prefix) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : entries) {
                if (p.getFileName().toString().substring(prefix.length()).matches("[0-9a-f]{16}")) {
                    deleteTree(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // cleanup only; a leftover hidden folder does no harm
        }
    }

    /** Deletes a folder tree without following symbolic links; best effort. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // best effort: what cannot be deleted stays hidden under its dot-name
        }
    }
}
