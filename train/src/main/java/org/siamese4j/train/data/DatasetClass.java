package org.siamese4j.train.data;

/**
 * What every dataset class has, whether its images are still files ({@link ImageClass}) or already
 * decoded ({@link LoadedDataset.LoadedClass}); {@link ClassSplit} works on either.
 */
public interface DatasetClass {

    /** The class's path below the dataset root, with '/' separators, e.g. {@code Alphabet/character01}. */
    String name();

    /**
     * The class's parent folder path, e.g. the Omniglot alphabet {@code Alphabet}; empty when the class
     * folder sits directly in the root.
     */
    String group();

    /** The number of images in the class. */
    int size();
}
