package org.siamese4j.cli.commands;

import java.util.Locale;

/**
 * A file to download, pinned by its exact size and SHA-256, so that a corrupted, truncated or substituted
 * download is never kept.
 *
 * @param name   the file name, both in the URL and on disk
 * @param size   the exact size in bytes
 * @param sha256 the SHA-256 of the whole file, 64 lower-case hex digits
 */
record PinnedFile(String name, long size, String sha256) {
    PinnedFile {
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
        if (size <= 0) {
            throw new IllegalArgumentException(name + ": size must be positive");
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(name + ": a SHA-256 is 64 hex digits");
        }
    }
}
