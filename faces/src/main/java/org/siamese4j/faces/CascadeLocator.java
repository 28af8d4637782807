package org.siamese4j.faces;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.siamese4j.engine.BadInputException;

/**
 * Finds OpenCV's frontal-face cascade when the user names none. The cascade is OpenCV's file (Intel License)
 * and is not shipped with this project: it comes from the user's OpenCV data package or the project's data
 * directory.
 */
public final class CascadeLocator {
    /** File name of the cascade the face pipeline uses. */
    public static final String CASCADE_FILE = "haarcascade_frontalface_default.xml";

    /** Environment variable naming the project's data directory, which may hold {@code cascades/}. */
    public static final String DATA_ENV = "SIAMESE_DATA";

    static final String NOT_FOUND = "no face cascade found: pass --cascade FILE, or install Debian's opencv-data"
            + " package (apt-get install opencv-data)";

    private static final List<String> SYSTEM_DIRECTORIES = List.of(
            "/usr/share/opencv4/haarcascades",
            "/usr/share/opencv/haarcascades",
            "/usr/local/share/opencv4/haarcascades",
            "/usr/local/share/opencv/haarcascades");

    private final List<Path> candidates;

    /** A locator that tries {@code candidates} in order. */
    public CascadeLocator(List<Path> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /**
     * The usual places: {@code $SIAMESE_DATA/cascades/} first (the user's explicit setup), then where
     * Debian's opencv-data and source builds of OpenCV 4 and 3 install it.
     */
    public static CascadeLocator standard() {
        return new CascadeLocator(standardCandidates(System.getenv(DATA_ENV)));
    }

    static List<Path> standardCandidates(String dataDirectory) {
        List<Path> paths = new ArrayList<>();
        if (dataDirectory != null && !dataDirectory.isBlank()) {
            paths.add(Path.of(dataDirectory, "cascades", CASCADE_FILE));
        }
        for (String directory : SYSTEM_DIRECTORIES) {
            paths.add(Path.of(directory, CASCADE_FILE));
        }
        return paths;
    }

    /** The places searched, in order. */
    public List<Path> candidates() {
        return candidates;
    }

    /** The first candidate that is a readable regular file. */
    public Path locate() {
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isReadable(candidate)) {
                return candidate;
            }
        }
        throw new BadInputException(NOT_FOUND);
    }

    /** {@code explicit} when the user gave one (it must exist), otherwise {@link #locate()}. */
    public Path resolve(Path explicit) {
        if (explicit == null) {
            return locate();
        }
        if (!Files.isRegularFile(explicit)) {
            throw new BadInputException("cascade file " + explicit + " does not exist or is not a regular file");
        }
        if (!Files.isReadable(explicit)) {
            throw new BadInputException("cascade file " + explicit + " is not readable");
        }
        return explicit;
    }
}
