package org.siamese4j.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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

    private final List<LoadedClass> classes;
    private final int skipped;

    private LoadedDataset(List<LoadedClass> classes, int skipped) {
        this.classes = List.copyOf(classes);
        this.skipped = skipped;
    }

    /**
     * A dataset of already preprocessed classes, kept in the given order: an in-memory dataset, or one
     * part of a {@link ClassSplit}.
     */
    public static LoadedDataset of(List<LoadedClass> classes) {
        requireUniqueNames(classes);
        return new LoadedDataset(classes, 0);
    }

    /**
     * Decodes every image of {@code dataset} and runs it through {@code preprocessor}, on all cores. An
     * unreadable image (a BadInputException from reading or decoding) is skipped: one warning line goes to
     * {@code warnings} and it counts in {@link #skippedCount()}. A class left with no readable image is
     * left out, also with a warning. Warnings arrive in dataset order, on the calling thread. Exceptions
     * thrown by the preprocessor itself are bugs and propagate.
     */
    public static LoadedDataset load(ImageDataset dataset, Function<GrayImage, float[]> preprocessor,
            Consumer<String> warnings) {
        Objects.requireNonNull(preprocessor, "preprocessor");
        Objects.requireNonNull(warnings, "warnings");
        List<ImageSource> all = new ArrayList<>();
        for (ImageClass c : dataset.classes()) {
            all.addAll(c.images());
        }
        float[][] results = new float[all.size()][];
        String[] errors = new String[all.size()];
        IntStream.range(0, all.size()).parallel().forEach(i -> {
            GrayImage image;
            try {
                image = all.get(i).decode();
            } catch (BadInputException e) {
                errors[i] = e.getMessage();
                return;
            }
            float[] input = preprocessor.apply(image);
            results[i] = Objects.requireNonNull(input, "the preprocessor returned null");
        });

        List<LoadedClass> loaded = new ArrayList<>(dataset.classes().size());
        int skipped = 0;
        int index = 0;
        for (ImageClass c : dataset.classes()) {
            List<String> names = new ArrayList<>(c.size());
            List<float[]> images = new ArrayList<>(c.size());
            for (ImageSource source : c.images()) {
                if (errors[index] != null) {
                    warnings.accept("skipped unreadable image: " + errors[index]);
                    skipped++;
                } else {
                    names.add(source.fileName());
                    images.add(results[index]);
                }
                index++;
            }
            if (images.isEmpty()) {
                warnings.accept("left out class '" + c.name() + "' of " + dataset.source() + ": none of its "
                        + c.size() + " images could be read");
            } else {
                loaded.add(new LoadedClass(c.name(), c.group(), names, images));
            }
        }
        return new LoadedDataset(loaded, skipped);
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
        return new LoadedDataset(classes.stream().filter(c -> c.size() >= minImages).toList(), 0);
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
