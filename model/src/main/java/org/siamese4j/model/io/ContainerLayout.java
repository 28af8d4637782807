package org.siamese4j.model.io;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The one binary layout shared by model files, training checkpoints and face galleries. All numbers
 * are little-endian.
 *
 * <pre>
 *   magic            8 ASCII bytes chosen by the file kind ("S4JMODEL", "S4JCKPT1", "S4JGALRY")
 *   version          u32, the kind's format version
 *   section count    u32, at most {@link #MAX_SECTIONS}
 *   section table    per section: u16 name length (1..{@link #MAX_NAME_BYTES}), UTF-8 name,
 *                    u8 type code ({@link SectionType}), u64 payload length in bytes
 *   payloads         in table order, back to back, no padding
 *   trailer          32-byte SHA-256 of everything before it (the file's identity)
 * </pre>
 *
 * Payload offsets are implicit (the table order), so sections can neither overlap nor be out of
 * order; the reader requires the payloads to end exactly where the trailer starts.
 */
public final class ContainerLayout {
    public static final int MAGIC_BYTES = 8;
    public static final int HEADER_BYTES = MAGIC_BYTES + 4 + 4;
    public static final int TRAILER_BYTES = 32;
    /** A container with zero sections. */
    public static final int MIN_FILE_BYTES = HEADER_BYTES + TRAILER_BYTES;
    public static final int MAX_SECTIONS = 1024;
    public static final int MAX_NAME_BYTES = 128;
    /** u16 name length + u8 type + u64 length, not counting the name itself. */
    static final int ENTRY_FIXED_BYTES = 2 + 1 + 8;
    static final int MAX_ENTRY_BYTES = ENTRY_FIXED_BYTES + MAX_NAME_BYTES;
    /** Largest array the JVM reliably allocates. */
    static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;
    /** I/O chunk for streaming; a multiple of every element size so values never straddle chunks. */
    static final int CHUNK_BYTES = 1 << 20;

    private ContainerLayout() {}

    /** Validates a caller's magic (a programmer error if wrong) and returns its bytes. */
    static byte[] magicBytes(String magic) {
        Objects.requireNonNull(magic, "magic");
        if (magic.length() != MAGIC_BYTES) {
            throw new IllegalArgumentException("magic must be " + MAGIC_BYTES + " ASCII characters: \"" + magic + "\"");
        }
        for (int i = 0; i < magic.length(); i++) {
            char c = magic.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("magic must be printable ASCII without spaces: \"" + magic + "\"");
            }
        }
        return magic.getBytes(StandardCharsets.US_ASCII);
    }
}
