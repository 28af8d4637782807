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
import java.util.function.Consumer;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.train.data.SafeZip;

/**
 * Unpacks a downloaded archive next to it, once: a zip through {@link SafeZip}, a gzip-compressed tar
 * ({@code .tgz}, {@code .tar.gz}) through {@link SafeTarGz}. Both refuse entries that would escape the
 * folder and enforce size budgets; every name is checked before anything is written (a tar archive is read
 * through all its checks once, writing nothing, to find its top-level names). Extraction
 * goes to a hidden staging folder first and each top-level entry is then renamed into place, so a killed
 * run never leaves a half-filled dataset folder under its real name. Top-level entries that already exist
 * are kept as they are. The caller holds the archive's write lock, so stale staging folders found here
 * belong to killed runs.
 */
final class ArchiveExtraction {
    /** What happened to an archive's top-level folders. */
    record Result(List<String> topLevel, boolean extracted) {
    }

    private ArchiveExtraction() {
    }

    /** True for the file names this class unpacks: .zip, .tgz and .tar.gz. */
    static boolean isArchive(String fileName) {
        return isZip(fileName) || isTarGz(fileName);
    }

    private static boolean isZip(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".zip");
    }

    private static boolean isTarGz(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".tgz") || n.endsWith(".tar.gz");
    }

    /**
     * Unpacks {@code archive} into {@code dir} unless all its top-level entries exist there already.
     *
     * @param progress told once when unpacking starts (a large archive takes a while)
     */
    static Result extractOnce(Path archive, Path dir, Consumer<String> progress) {
        String fileName = archive.getFileName().toString();
        boolean tar = isTarGz(fileName);
        if (!tar && !isZip(fileName)) {
            throw new IllegalArgumentException("not an archive name: " + fileName);
        }
        List<String> topLevel;
        if (tar) {
            // a full pass through every check, writing nothing
            topLevel = SafeTarGz.list(archive, SafeTarGz.Limits.DEFAULT).topLevel();
        } else {
            try (SafeZip z = SafeZip.open(archive)) {
                topLevel = z.names().stream().map(n -> n.contains("/") ? n.substring(0, n.indexOf('/')) : n)
                        .distinct().sorted().toList();
            }
        }
        if (topLevel.isEmpty()) {
            throw new BadInputException(archive + ": the archive holds no files");
        }
        if (topLevel.stream().allMatch(t -> Files.exists(dir.resolve(t), LinkOption.NOFOLLOW_LINKS))) {
            return new Result(topLevel, false);
        }
        String stagingPrefix = ".siamese4j-extract-" + fileName + "-";
        removeStaleStaging(dir, stagingPrefix);
        Path staging = dir.resolve(stagingPrefix + String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong()));
        progress.accept("unpacking " + fileName + " into " + dir);
        try {
            if (tar) {
                SafeTarGz.extract(archive, staging, SafeTarGz.Limits.DEFAULT);
            } else {
                SafeZip.extract(archive, staging);
            }
            for (String t : topLevel) {
                Path target = dir.resolve(t);
                if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(staging.resolve(t), target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot move the files extracted from " + fileName
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
