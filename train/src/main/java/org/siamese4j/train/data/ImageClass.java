package org.siamese4j.train.data;

import java.util.List;
import java.util.Objects;

/**
 * One class of an image dataset: the images of one leaf folder (one person, one character).
 *
 * @param name   the folder's path below the dataset root, e.g. {@code Alphabet/character01}
 * @param group  the parent folder path, e.g. {@code Alphabet}; empty for a one-level tree
 * @param images the class's images, sorted by name
 */
public record ImageClass(String name, String group, List<ImageSource> images) implements DatasetClass {
    public ImageClass {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(group, "group");
        images = List.copyOf(images);
    }

    @Override
    public int size() {
        return images.size();
    }
}
