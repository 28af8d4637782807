package org.siamese4j.cli.commands;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A file to download, pinned by its SHA-256 and its exact size, or, where no trustworthy source gives the
 * size, by its SHA-256 and an upper bound on the size; so that a corrupted, truncated or substituted
 * download is never kept, and a hostile server cannot fill the disk.
 *
 * @param name    the file name on disk, and in the URL below a dataset's base URL
 * @param size    the exact size in bytes, or {@link #UNPINNED} when only {@code maxSize} is known
 * @param maxSize the most bytes the file may have; equal to {@code size} when that is pinned
 * @param sha256  the SHA-256 of the whole file, 64 lower-case hex digits
 * @param mirrors full URLs of the same file, tried in order when the dataset's base URL fails
 */
record PinnedFile(String name, long size, long maxSize, String sha256, List<URI> mirrors) {
    /** The size of a file whose size is not pinned. */
    static final long UNPINNED = -1;

    PinnedFile {
        if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
        if (size == UNPINNED ? maxSize <= 0 : size <= 0 || maxSize != size) {
            throw new IllegalArgumentException(name + ": size must be positive, or unpinned with a positive maximum");
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(name + ": a SHA-256 is 64 hex digits");
        }
        mirrors = List.copyOf(mirrors);
    }

    /** A file pinned by its exact size and SHA-256. */
    PinnedFile(String name, long size, String sha256) {
        this(name, size, size, sha256, List.of());
    }

    /** A file pinned by its SHA-256 alone, at most {@code maxSize} bytes. */
    static PinnedFile upTo(String name, long maxSize, String sha256) {
        return new PinnedFile(name, UNPINNED, maxSize, sha256, List.of());
    }

    /** This pin with one more mirror URL. */
    PinnedFile withMirror(URI url) {
        List<URI> more = new ArrayList<>(mirrors);
        more.add(url);
        return new PinnedFile(name, size, maxSize, sha256, more);
    }

    boolean sizePinned() {
        return size != UNPINNED;
    }
}
