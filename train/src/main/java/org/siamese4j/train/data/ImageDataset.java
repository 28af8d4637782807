package org.siamese4j.train.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A class-per-folder image dataset as found on disk or in a zip archive, before decoding: an immutable,
 * name-sorted list of {@link ImageClass}es. Made by {@link DatasetReader#open}. A zip-backed dataset
 * keeps its archive open for its images to be read, so close it when done (closing a folder-backed one
 * does nothing).
 */
public final class ImageDataset implements AutoCloseable {
    private final Path source;
    private final List<ImageClass> classes;
    private final int ignoredFiles;
    private final SafeZip zip;

    ImageDataset(Path source, List<ImageClass> classes, int ignoredFiles, SafeZip zip) {
        this.source = Objects.requireNonNull(source, "source");
        this.classes = List.copyOf(classes);
        this.ignoredFiles = ignoredFiles;
        this.zip = zip;
    }

    /** The folder or zip archive the dataset was read from. */
    public Path source() {
        return source;
    }

    public boolean isZip() {
        return zip != null;
    }

    /** The classes, sorted by name. */
    public List<ImageClass> classes() {
        return classes;
    }

    public int imageCount() {
        return classes.stream().mapToInt(ImageClass::size).sum();
    }

    /** The distinct non-empty group names, sorted. */
    public List<String> groups() {
        TreeSet<String> groups = new TreeSet<>();
        for (ImageClass c : classes) {
            if (!c.group().isEmpty()) {
                groups.add(c.group());
            }
        }
        return List.copyOf(groups);
    }

    /**
     * Classes with fewer than {@code minImages} images; with 2, the classes that cannot give a same-class
     * pair. They are kept in {@link #classes()}: what to do with them is the caller's decision.
     */
    public List<ImageClass> classesWithFewerThan(int minImages) {
        return classes.stream().filter(c -> c.size() < minImages).toList();
    }

    /** Files that were not image candidates by extension (READMEs, manifests, ...) and so were ignored. */
    public int ignoredFileCount() {
        return ignoredFiles;
    }

    @Override
    public void close() {
        if (zip != null) {
            zip.close();
        }
    }

    @Override
    public String toString() {
        return "ImageDataset[" + source + ": " + classes.size() + " classes, " + imageCount() + " images]";
    }
}
