package org.siamese4j.train.data;

import java.nio.file.Path;
import java.util.Objects;

import org.siamese4j.model.image.GrayImage;
import org.siamese4j.image.ImageLoader;

/**
 * One image of a dataset, not yet decoded: a file, or an entry of an open zip archive. Reading and
 * decoding fail with a BadInputException naming {@link #displayName()}.
 */
public sealed interface ImageSource permits ImageSource.FileImage, ImageSource.ZipImage {

    /** Where the image is, for messages: a file path, or {@code archive.zip!/entry}. */
    String displayName();

    /** The image's file name without folders, e.g. {@code Aaron_Sorkin_0001.jpg}. */
    String fileName();

    /** The raw file bytes (within {@link ImageLoader#MAX_FILE_BYTES}). */
    byte[] bytes();

    /** Reads and decodes the image. */
    default GrayImage decode() {
        return ImageLoader.decode(bytes(), displayName());
    }

    /** An image file on disk. */
    record FileImage(Path path) implements ImageSource {
        public FileImage {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String displayName() {
            return path.toString();
        }

        @Override
        public String fileName() {
            return path.getFileName().toString();
        }

        @Override
        public byte[] bytes() {
            return ImageLoader.readFile(path);
        }

        @Override
        public String toString() {
            return displayName();
        }
    }

    /** An entry of a zip archive; valid while the dataset that holds the archive open is open. */
    record ZipImage(SafeZip zip, String entry) implements ImageSource {
        public ZipImage {
            Objects.requireNonNull(zip, "zip");
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public String displayName() {
            return zip.displayName(entry);
        }

        @Override
        public String fileName() {
            return entry.substring(entry.lastIndexOf('/') + 1);
        }

        @Override
        public byte[] bytes() {
            return zip.read(entry);
        }

        @Override
        public String toString() {
            return displayName();
        }
    }
}
