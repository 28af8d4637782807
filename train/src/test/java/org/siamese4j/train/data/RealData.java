package org.siamese4j.train.data;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Locates the real datasets through the SIAMESE_DATA environment variable; tests skip without it. */
public final class RealData {
    private RealData() {
    }

    /** The file or folder below $SIAMESE_DATA; skips the calling test if the variable or the path is missing. */
    public static Path require(String relative) {
        String root = System.getenv("SIAMESE_DATA");
        Assumptions.assumeTrue(root != null && !root.isBlank(), "SIAMESE_DATA not set: skipping real-data test");
        Path p = Path.of(root).resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), p + " not found: skipping real-data test");
        return p;
    }
}
