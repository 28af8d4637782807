package org.siamese4j.model.io;

import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One kind of container file, as a reader expects it: its magic, a human name for messages ("model
 * file", "training checkpoint", "face gallery") and the format versions this build can read.
 *
 * <pre>
 *   static final FileKind MODEL = new FileKind("S4JMODEL", "model file", 1);
 * </pre>
 */
public record FileKind(String magic, String description, Set<Integer> versions) {
    public FileKind {
        ContainerLayout.magicBytes(magic);
        Objects.requireNonNull(description, "description");
        if (description.isBlank()) {
            throw new IllegalArgumentException("description is blank");
        }
        versions = Set.copyOf(versions);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("no supported versions");
        }
        for (int v : versions) {
            if (v < 0) {
                throw new IllegalArgumentException("negative version " + v);
            }
        }
    }

    public FileKind(String magic, String description, int... versions) {
        this(magic, description, IntStream.of(versions).boxed().collect(Collectors.toSet()));
    }

    /** Whether this build reads {@code version} (a u32 from the file, hence a long). */
    public boolean supports(long version) {
        return version >= 0 && version <= Integer.MAX_VALUE && versions.contains((int) version);
    }

    /** "1" or "1, 2": for the unsupported-version message. */
    String versionsText() {
        return versions.stream().sorted().map(String::valueOf).collect(Collectors.joining(", "));
    }

    byte[] magicBytes() {
        return ContainerLayout.magicBytes(magic);
    }
}
