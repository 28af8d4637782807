package org.siamese4j.model.io;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of container bytes, for fuzz and corruption tests of every file kind built on
 * {@link ContainerLayout} (models, checkpoints, galleries).
 *
 * <p>{@link #mutate} damages bytes anywhere, which the SHA-256 trailer catches. To test the parsers
 * behind the checksum, {@link #mutateWithValidChecksum} damages the data and then writes a matching
 * trailer, as a forger would; half of those mutations aim at the header and section-table fields
 * with boundary values (0, max, 2^31, 2^63-1, ...).
 */
public final class Mutations {
    /** A structural field of a container: offset and width in bytes (1, 2, 4 or 8 are numbers). */
    public record Field(int offset, int width) {}

    private static final long[] INTERESTING = {
        0, 1, 2, 3, 4, 7, 8, 9, 0x7f, 0x80, 0xff, 0x100, 128, 129, 1024, 1025, 0x7fff, 0x8000, 0xffff,
        0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 1L << 32, 1L << 33, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1L,
    };

    private final Random random;

    public Mutations(long seed) {
        this.random = new Random(seed);
    }

    public Random random() {
        return random;
    }

    /** One to three random mutations anywhere; the result may have any length, including zero. */
    public byte[] mutate(byte[] original) {
        byte[] data = original.clone();
        int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
        for (int i = 0; i < rounds; i++) {
            data = mutateOnce(data);
        }
        return data;
    }

    /**
     * Mutates everything but the trailer, then recomputes the trailer so the checksum matches. Inputs
     * shorter than a trailer are returned mutated but unchanged otherwise.
     */
    public byte[] mutateWithValidChecksum(byte[] original) {
        byte[] body = Arrays.copyOf(original, Math.max(0, original.length - ContainerLayout.TRAILER_BYTES));
        List<Field> fields = tableFields(original);
        if (!fields.isEmpty() && random.nextBoolean()) {
            body = overwriteField(body, fields.get(random.nextInt(fields.size())));
            if (random.nextInt(4) == 0) {
                body = overwriteField(body, fields.get(random.nextInt(fields.size())));
            }
        } else {
            body = mutate(body);
        }
        return withTrailer(body);
    }

    /** {@code body} followed by its SHA-256: a container whose checksum matches, whatever it holds. */
    public static byte[] withTrailer(byte[] body) {
        byte[] out = Arrays.copyOf(body, body.length + ContainerLayout.TRAILER_BYTES);
        System.arraycopy(sha256(body, body.length), 0, out, body.length, ContainerLayout.TRAILER_BYTES);
        return out;
    }

    /** A copy whose last 32 bytes are replaced by the SHA-256 of the rest. */
    public static byte[] withValidChecksum(byte[] container) {
        if (container.length < ContainerLayout.TRAILER_BYTES) {
            throw new IllegalArgumentException("shorter than a trailer");
        }
        return withTrailer(Arrays.copyOf(container, container.length - ContainerLayout.TRAILER_BYTES));
    }

    public static byte[] flipBit(byte[] data, long bit) {
        byte[] out = data.clone();
        out[(int) (bit >>> 3)] ^= (byte) (1 << (bit & 7));
        return out;
    }

    public static byte[] truncate(byte[] data, int length) {
        return Arrays.copyOf(data, length);
    }

    /** Writes {@code value}'s low {@code width} bytes little-endian at {@code offset}. */
    public static void putLittleEndian(byte[] data, int offset, int width, long value) {
        for (int i = 0; i < width; i++) {
            data[offset + i] = (byte) (value >>> (8 * i));
        }
    }

    public static long getLittleEndian(byte[] data, int offset, int width) {
        long value = 0;
        for (int i = 0; i < width; i++) {
            value |= (data[offset + i] & 0xffL) << (8 * i);
        }
        return value;
    }

    /**
     * Best-effort walk of a (valid) container's header and table: version, section count, and per
     * entry the name length, name bytes, type code and payload length.
     */
    public static List<Field> tableFields(byte[] container) {
        List<Field> fields = new ArrayList<>();
        int end = container.length - ContainerLayout.TRAILER_BYTES;
        if (end < ContainerLayout.HEADER_BYTES) {
            return fields;
        }
        fields.add(new Field(8, 4));
        fields.add(new Field(12, 4));
        long count = Math.min(getLittleEndian(container, 12, 4), ContainerLayout.MAX_SECTIONS);
        int position = ContainerLayout.HEADER_BYTES;
        for (long i = 0; i < count && position + 2 <= end; i++) {
            int nameLength = (int) getLittleEndian(container, position, 2);
            if (position + 2 + nameLength + 9 > end) {
                break;
            }
            fields.add(new Field(position, 2));
            if (nameLength > 0) {
                fields.add(new Field(position + 2, nameLength));
            }
            fields.add(new Field(position + 2 + nameLength, 1));
            fields.add(new Field(position + 3 + nameLength, 8));
            position += 2 + nameLength + 9;
        }
        return fields;
    }

    private byte[] mutateOnce(byte[] data) {
        int kind = random.nextInt(data.length == 0 ? 1 : 9);
        switch (kind) {
            case 0: // append garbage (the only option for empty input)
                return append(data, randomBytes(1 + random.nextInt(64)));
            case 1:
                return flipBit(data, (long) (random.nextDouble() * data.length * 8));
            case 2: {
                byte[] out = data.clone();
                out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                return out;
            }
            case 3: {
                byte[] out = data.clone();
                out[random.nextInt(out.length)] = (byte) new int[] {0, 0xff, 0x7f, 0x80}[random.nextInt(4)];
                return out;
            }
            case 4:
                return truncate(data, random.nextInt(data.length));
            case 5: { // insert bytes
                int at = random.nextInt(data.length + 1);
                byte[] insert = randomBytes(1 + random.nextInt(16));
                byte[] out = new byte[data.length + insert.length];
                System.arraycopy(data, 0, out, 0, at);
                System.arraycopy(insert, 0, out, at, insert.length);
                System.arraycopy(data, at, out, at + insert.length, data.length - at);
                return out;
            }
            case 6: { // delete a range
                int from = random.nextInt(data.length);
                int length = 1 + random.nextInt(Math.min(32, data.length - from));
                byte[] out = new byte[data.length - length];
                System.arraycopy(data, 0, out, 0, from);
                System.arraycopy(data, from + length, out, from, data.length - from - length);
                return out;
            }
            case 7: { // copy a chunk over another place (duplicates names, lengths, ...)
                int length = 1 + random.nextInt(Math.min(16, data.length));
                int from = random.nextInt(data.length - length + 1);
                int to = random.nextInt(data.length - length + 1);
                byte[] out = data.clone();
                System.arraycopy(data, from, out, to, length);
                return out;
            }
            default: { // a structural field with a boundary value
                List<Field> fields = tableFields(data);
                if (fields.isEmpty()) {
                    return flipBit(data, (long) (random.nextDouble() * data.length * 8));
                }
                return overwriteField(data, fields.get(random.nextInt(fields.size())));
            }
        }
    }

    private byte[] overwriteField(byte[] data, Field field) {
        byte[] out = data.clone();
        if (field.offset() + field.width() > out.length) {
            return out;
        }
        boolean number = field.width() == 1 || field.width() == 2 || field.width() == 4 || field.width() == 8;
        if (!number || random.nextInt(8) == 0) {
            // Name bytes: invalid UTF-8, a control character, or another valid letter.
            int at = field.offset() + random.nextInt(field.width());
            out[at] = (byte) new int[] {0xff, 0xc0, 0x80, 0x0a, 0x00, 'a', 'z'}[random.nextInt(7)];
            return out;
        }
        long old = getLittleEndian(out, field.offset(), field.width());
        long value = switch (random.nextInt(4)) {
            case 0 -> old + 1 + random.nextInt(8);
            case 1 -> old - 1 - random.nextInt(8);
            default -> INTERESTING[random.nextInt(INTERESTING.length)];
        };
        putLittleEndian(out, field.offset(), field.width(), value);
        return out;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] append(byte[] data, byte[] tail) {
        byte[] out = Arrays.copyOf(data, data.length + tail.length);
        System.arraycopy(tail, 0, out, data.length, tail.length);
        return out;
    }

    private static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
