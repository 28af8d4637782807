package org.siamese4j.cli.commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Comparing paths as files. */
final class FilePaths {
    private FilePaths() {
    }

    /** Whether two paths name the same file: the same normalised path, or (links, case-insensitive file systems) one file. */
    static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
