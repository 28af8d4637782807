package org.siamese4j.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.siamese4j.engine.BadInputException;

/**
 * Finds the classes of a class-per-folder image dataset in a folder or a zip archive (recognised by its
 * magic bytes, not its name). A class is a leaf folder that directly holds image files; its name is its
 * path below the root (e.g. {@code Alphabet/character01}) and its group the path of its parent folder.
 * In a zip, one folder common to all classes (e.g. {@code images_background/}) is stripped, so that the
 * archive and its extracted folder give the same names. Image candidates are files with the extensions
 * in {@link #IMAGE_EXTENSIONS}; other files (README, MANIFEST.txt, ...) are ignored and counted; dot-files,
 * dot-folders and {@code __MACOSX} are skipped. The order is deterministic: classes and images sorted by
 * name. Image files directly in the root belong to no class and are ignored too.
 */
public final class DatasetReader {

    /** File extensions taken as image candidates (the content is still sniffed when decoding). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "pgm", "ppm", "pnm", "bmp", "gif");

    private DatasetReader() {
    }

    /** Scans a folder or a zip archive; see the class comment. */
    public static ImageDataset open(Path dirOrZip) {
        if (!Files.exists(dirOrZip)) {
            throw new BadInputException(dirOrZip + ": no such file or folder");
        }
        if (Files.isDirectory(dirOrZip)) {
            return scanFolder(dirOrZip);
        }
        if (Files.isRegularFile(dirOrZip) && SafeZip.isZip(dirOrZip)) {
            return scanZip(dirOrZip);
        }
        throw new BadInputException(dirOrZip + ": not a folder or a zip archive");
    }

    /** True if the file name has an image extension. */
    public static boolean isImageName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static ImageDataset scanFolder(Path root) {
        Map<String, List<ImageSource>> byFolder = new TreeMap<>();
        int[] ignored = {0};
        int[] rootImages = {0};
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), 64, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && skippedName(dir.getFileName().toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String fileName = file.getFileName().toString();
                    if (!attrs.isRegularFile() || skippedName(fileName)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (!isImageName(fileName)) {
                        ignored[0]++;
                        return FileVisitResult.CONTINUE;
                    }
                    String folder = relativeFolder(root, file);
                    if (folder.isEmpty()) {
                        rootImages[0]++;
                    } else {
                        byFolder.computeIfAbsent(folder, k -> new ArrayList<>()).add(new ImageSource.FileImage(file));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof FileSystemLoopException) {
                        return FileVisitResult.CONTINUE; // a symbolic link back up the tree: seen already
                    }
                    throw e;
                }
            });
        } catch (IOException | UncheckedIOException | SecurityException e) {
            throw new BadInputException(root + ": cannot read the dataset folder (" + SafeZip.oneLine(e) + ")", e);
        }
        return build(root, byFolder, ignored[0], rootImages[0], null);
    }

    private static ImageDataset scanZip(Path zipFile) {
        SafeZip zip = SafeZip.open(zipFile);
        try {
            Map<String, List<ImageSource>> byFolder = new TreeMap<>();
            int ignored = 0;
            int rootImages = 0;
            for (String name : zip.names()) {
                int slash = name.lastIndexOf('/');
                if (!isImageName(name.substring(slash + 1))) {
                    ignored++;
                } else if (slash < 0) {
                    rootImages++;
                } else {
                    byFolder.computeIfAbsent(name.substring(0, slash), k -> new ArrayList<>())
                            .add(new ImageSource.ZipImage(zip, name));
                }
            }
            return build(zipFile, stripCommonTop(byFolder), ignored, rootImages, zip);
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** Removes one leading folder shared by every class, if every class lies below it. */
    private static Map<String, List<ImageSource>> stripCommonTop(Map<String, List<ImageSource>> byFolder) {
        String top = null;
        for (String folder : byFolder.keySet()) {
            int slash = folder.indexOf('/');
            if (slash < 0) {
                return byFolder;
            }
            String first = folder.substring(0, slash);
            if (top == null) {
                top = first;
            } else if (!top.equals(first)) {
                return byFolder;
            }
        }
        if (top == null) {
            return byFolder;
        }
        Map<String, List<ImageSource>> stripped = new TreeMap<>();
        for (Map.Entry<String, List<ImageSource>> e : byFolder.entrySet()) {
            stripped.put(e.getKey().substring(top.length() + 1), e.getValue());
        }
        return stripped;
    }

    private static ImageDataset build(Path source, Map<String, List<ImageSource>> byFolder, int ignored,
            int rootImages, SafeZip zip) {
        if (byFolder.isEmpty()) {
            String why = rootImages > 0
                    ? "no classes found: the " + rootImages + " image files lie directly in the root; put each "
                            + "class's images in its own sub-folder (e.g. <root>/<class>/1.png)"
                    : "no classes found: no image files (" + String.join(", ", new java.util.TreeSet<>(IMAGE_EXTENSIONS))
                            + ") in any sub-folder";
            throw new BadInputException(source + ": " + why);
        }
        List<ImageClass> classes = new ArrayList<>(byFolder.size());
        for (Map.Entry<String, List<ImageSource>> e : byFolder.entrySet()) {
            String name = e.getKey();
            int slash = name.lastIndexOf('/');
            List<ImageSource> images = new ArrayList<>(e.getValue());
            images.sort((a, b) -> a.displayName().compareTo(b.displayName()));
            classes.add(new ImageClass(name, slash < 0 ? "" : name.substring(0, slash), images));
        }
        // image files directly in the root belong to no class: they count as ignored
        return new ImageDataset(source, classes, ignored + rootImages, zip);
    }

    private static boolean skippedName(String name) {
        return name.startsWith(".") || name.equals("__MACOSX");
    }

    private static String relativeFolder(Path root, Path file) {
        Path parent = root.relativize(file).getParent();
        if (parent == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (Path part : parent) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(part);
        }
        return b.toString();
    }
}
