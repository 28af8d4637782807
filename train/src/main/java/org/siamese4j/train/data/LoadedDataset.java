package org.siamese4j.train.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * A dataset whose images are decoded and preprocessed into model inputs ({@code float[]} each), grouped
 * by class. File datasets are made by {@link #load}; in-memory ones (e.g. {@link SyntheticGlyphs}) by
 * {@link #of}, so training code treats both alike. Immutable (the arrays are shared: do not modify them).
 */
public final class LoadedDataset {

    /**
     * One class with its preprocessed images.
     *
     * @param name       the class name, e.g. {@code Alphabet/character01}
     * @param group      the group (parent folder, alphabet), empty if none
     * @param imageNames the images' file names, parallel to {@code images}
     * @param images     the preprocessed images
     */
    public record LoadedClass(String name, String group, List<String> imageNames, List<float[]> images)
            implements DatasetClass {
        public LoadedClass {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(group, "group");
            imageNames = List.copyOf(imageNames);
            images = List.copyOf(images);
            if (imageNames.size() != images.size()) {
                throw new IllegalArgumentException("class " + name + ": " + imageNames.size() + " names for "
                        + images.size() + " images");
            }
        }

        @Override
        public int size() {
            return images.size();
        }
    }

    /**
     * What becomes of one decoded image: its model input, or the reason it is left out (e.g. "no face
     * found" when training frames faces with the detector).
     */
    public record PreparedImage(float[] input, String leftOutBecause) {
        public PreparedImage {
            if ((input == null) == (leftOutBecause == null)) {
                throw new IllegalArgumentException("an image is either prepared or left out, with a reason");
            }
        }

        public static PreparedImage of(float[] input) {
            return new PreparedImage(Objects.requireNonNull(input, "the preprocessor returned null"), null);
        }

        public static PreparedImage leftOut(String reason) {
            return new PreparedImage(null, Objects.requireNonNull(reason, "reason"));
        }
    }

    private final List<LoadedClass> classes;
    private final int skipped;
    private final Map<String, Integer> leftOut;

    private LoadedDataset(List<LoadedClass> classes, int skipped, Map<String, Integer> leftOut) {
        this.classes = List.copyOf(classes);
        this.skipped = skipped;
        this.leftOut = Collections.unmodifiableMap(new TreeMap<>(leftOut));
    }

    /**
     * A dataset of already preprocessed classes, kept in the given order: an in-memory dataset, or one
     * part of a {@link ClassSplit}.
     */
    public static LoadedDataset of(List<LoadedClass> classes) {
        requireUniqueNames(classes);
        return new LoadedDataset(classes, 0, Map.of());
    }

    /**
     * The same as {@link #load(ImageDataset, Function, Consumer)} with a preprocessor that keeps every image.
     */
    public static LoadedDataset load(ImageDataset dataset, Function<GrayImage, float[]> preprocessor,
            Consumer<String> warnings) {
        Objects.requireNonNull(preprocessor, "preprocessor");
        return loadPrepared(dataset, image -> PreparedImage.of(preprocessor.apply(image)), warnings);
    }

    /**
     * Decodes every image of {@code dataset} and prepares it with {@code preparer}, on all cores. An
     * unreadable image (a BadInputException from reading or decoding) is skipped: one warning line goes to
     * {@code warnings} and it counts in {@link #skippedCount()}. An image the preparer leaves out counts
     * under its reason in {@link #leftOutCounts()}, with no warning (there may be thousands). A class left
     * with no image is left out, with a warning. Warnings arrive in dataset order, on the calling thread.
     * Exceptions thrown by the preparer itself are bugs and propagate.
     */
    public static LoadedDataset loadPrepared(ImageDataset dataset, Function<GrayImage, PreparedImage> preparer,
            Consumer<String> warnings) {
        Objects.requireNonNull(preparer, "preparer");
        Objects.requireNonNull(warnings, "warnings");
        List<ImageSource> all = new ArrayList<>();
        for (ImageClass c : dataset.classes()) {
            all.addAll(c.images());
        }
        PreparedImage[] results = new PreparedImage[all.size()];
        String[] errors = new String[all.size()];
        IntStream.range(0, all.size()).parallel().forEach(i -> {
            GrayImage image;
            try {
                image = all.get(i).decode();
            } catch (BadInputException e) {
                errors[i] = e.getMessage();
                return;
            }
            results[i] = Objects.requireNonNull(preparer.apply(image), "the preparer returned null");
        });

        List<LoadedClass> loaded = new ArrayList<>(dataset.classes().size());
        Map<String, Integer> leftOut = new TreeMap<>();
        int skipped = 0;
        int index = 0;
        for (ImageClass c : dataset.classes()) {
            List<String> names = new ArrayList<>(c.size());
            List<float[]> images = new ArrayList<>(c.size());
            for (ImageSource source : c.images()) {
                if (errors[index] != null) {
                    warnings.accept("skipped unreadable image: " + errors[index]);
                    skipped++;
                } else if (results[index].leftOutBecause() != null) {
                    leftOut.merge(results[index].leftOutBecause(), 1, Integer::sum);
                } else {
                    names.add(source.fileName());
                    images.add(results[index].input());
                }
                index++;
            }
            if (images.isEmpty()) {
                warnings.accept("left out class '" + c.name() + "' of " + dataset.source() + ": none of its "
                        + c.size() + " images could be used");
            } else {
                loaded.add(new LoadedClass(c.name(), c.group(), names, images));
            }
        }
        return new LoadedDataset(loaded, skipped, leftOut);
    }

    /**
     * Several datasets as one, each class renamed {@code label/name} (and a group {@code label/group}), so
     * that classes of different sources stay apart even when their names are equal. Skipped and left-out
     * counts add up.
     *
     * @param labels one distinct label per part, without '/'
     */
    public static LoadedDataset combine(List<String> labels, List<LoadedDataset> parts) {
        if (labels.size() != parts.size() || labels.isEmpty()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + parts.size() + " datasets");
        }
        if (new TreeSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("source labels must be distinct: " + labels);
        }
        List<LoadedClass> classes = new ArrayList<>();
        Map<String, Integer> leftOut = new TreeMap<>();
        int skipped = 0;
        for (int i = 0; i < parts.size(); i++) {
            String label = labels.get(i);
            if (label.isEmpty() || label.contains("/")) {
                throw new IllegalArgumentException("a source label must be a non-empty name without '/': " + label);
            }
            LoadedDataset part = parts.get(i);
            for (LoadedClass c : part.classes) {
                classes.add(new LoadedClass(label + "/" + c.name(), c.group().isEmpty() ? "" : label + "/" + c.group(),
                        c.imageNames(), c.images()));
            }
            skipped += part.skipped;
            part.leftOut.forEach((reason, n) -> leftOut.merge(reason, n, Integer::sum));
        }
        requireUniqueNames(classes);
        return new LoadedDataset(classes, skipped, leftOut);
    }

    /** The classes, in dataset order (sorted by name for file datasets). */
    public List<LoadedClass> classes() {
        return classes;
    }

    public int classCount() {
        return classes.size();
    }

    public int imageCount() {
        return classes.stream().mapToInt(LoadedClass::size).sum();
    }

    /** Images skipped as unreadable while loading (0 for subsets and in-memory datasets). */
    public int skippedCount() {
        return skipped;
    }

    /** Readable images the preparer left out while loading, by reason (empty for subsets and in-memory datasets). */
    public Map<String, Integer> leftOutCounts() {
        return leftOut;
    }

    /** The class with this name, or null. */
    public LoadedClass find(String name) {
        for (LoadedClass c : classes) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The distinct non-empty group names, sorted. */
    public List<String> groups() {
        TreeSet<String> groups = new TreeSet<>();
        for (LoadedClass c : classes) {
            if (!c.group().isEmpty()) {
                groups.add(c.group());
            }
        }
        return List.copyOf(groups);
    }

    /** Classes with fewer than {@code minImages} images (with 2: those that cannot give a same-class pair). */
    public List<LoadedClass> classesWithFewerThan(int minImages) {
        return classes.stream().filter(c -> c.size() < minImages).toList();
    }

    /** This dataset without the classes that have fewer than {@code minImages} images. */
    public LoadedDataset withMinImages(int minImages) {
        return new LoadedDataset(classes.stream().filter(c -> c.size() >= minImages).toList(), 0, Map.of());
    }

    private static void requireUniqueNames(List<LoadedClass> classes) {
        TreeSet<String> names = new TreeSet<>();
        for (LoadedClass c : classes) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("duplicate class name " + c.name());
            }
        }
    }

    @Override
    public String toString() {
        return "LoadedDataset[" + classes.size() + " classes, " + imageCount() + " images, " + skipped + " skipped]";
    }
}
