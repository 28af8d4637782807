package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

/** Every way a container can be damaged or forged ends in one clear line naming the file. */
class ContainerCorruptionTest {
    static final FileKind KIND = new FileKind("S4JTEST1", "test file", 1);
    static final String NAME = "model.s4j";

    @TempDir
    Path dir;

    /** A few hundred bytes with every section type. */
    static byte[] small() {
        return new ContainerWriter()
                .putText("config", "{\"layers\":3}")
                .putBytes("blob", new byte[] {1, 2, 3})
                .putFloats("weights", new float[] {1, 2, 3, 4, 5, 6})
                .putInts("shape", new int[] {2, 3})
                .putLongs("step", new long[] {99})
                .putDoubles("loss", new double[] {0.25})
                .putFloats("empty", new float[0])
                .toBytes("S4JTEST1", 1);
    }

    /** Opens and reads every section as its type says; returns normally only for a valid container. */
    static void readEverything(byte[] data, String name) {
        try (Container c = ContainerReader.read(data, name, KIND, 1 << 20)) {
            for (String s : c.names()) {
                switch (c.type(s)) {
                    case BYTES -> c.bytes(s);
                    case UTF8 -> c.text(s);
                    case FLOAT32 -> c.floats(s);
                    case INT32 -> c.ints(s);
                    case INT64 -> c.longs(s);
                    case FLOAT64 -> c.doubles(s);
                }
            }
        }
    }

    /** The read fails with a BadInputException whose one-line message names the file; returns it. */
    static String badInput(byte[] data, String what) {
        try {
            readEverything(data, NAME);
        } catch (BadInputException e) {
            assertOneLineNamingFile(e.getMessage(), NAME, what);
            return e.getMessage();
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected BadInputException, got " + t, t);
        }
        return fail(what + ": corrupt container was accepted");
    }

    static void assertOneLineNamingFile(String message, String file, String what) {
        assertTrue(message.startsWith(file + ": "), () -> what + ": message does not name the file: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), () -> what + ": not one line: " + message);
    }

    @Test
    void smallContainerIsValidAndSmall() {
        byte[] data = small();
        readEverything(data, NAME);
        assertTrue(data.length > 100 && data.length < 400, "size " + data.length);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void truncationAtEveryOffset() {
        byte[] data = small();
        for (int length = 0; length < data.length; length++) {
            String message = badInput(Mutations.truncate(data, length), "truncated to " + length);
            assertTrue(message.contains("truncated"), message);
        }
        assertEquals(NAME + ": truncated (file has 0 bytes, at least 48 needed)",
                badInput(new byte[0], "empty"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everySingleBitFlip() {
        byte[] data = small();
        for (long bit = 0; bit < data.length * 8L; bit++) {
            badInput(Mutations.flipBit(data, bit), "bit " + bit + " flipped");
        }
        String message = badInput(Mutations.flipBit(data, data.length * 8L - 100), "payload bit");
        assertEquals(NAME + ": corrupt (SHA-256 checksum mismatch: the file was damaged or modified)", message);
    }

    @Test
    void appendedGarbage() {
        byte[] data = small();
        byte[] longer = java.util.Arrays.copyOf(data, data.length + 5);
        assertTrue(badInput(longer, "appended").contains("checksum mismatch"));
    }

    @Test
    void wrongMagicNamesTheKind() {
        byte[] other = new ContainerWriter().putInts("x", new int[1]).toBytes("S4JGALRY", 1);
        assertEquals(NAME + ": not a siamese4j test file (magic \"S4JGALRY\", expected \"S4JTEST1\")",
                badInput(other, "gallery as model"));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
        assertEquals(NAME + ": not a siamese4j test file (magic \"\\x89PNG\\x0d\\x0a\\x1a\\x0a\", expected \"S4JTEST1\")",
                badInput(png, "png"));
        assertTrue(badInput("S4".getBytes(StandardCharsets.US_ASCII), "short prefix of magic").contains("truncated"));
        assertTrue(badInput("XY".getBytes(StandardCharsets.US_ASCII), "short text").contains("not a siamese4j"));
    }

    @Test
    void unsupportedVersion() {
        byte[] v7 = new ContainerWriter().putInts("x", new int[1]).toBytes("S4JTEST1", 7);
        assertEquals(NAME + ": unsupported format version 7 (this build reads 1)", badInput(v7, "v7"));
        byte[] huge = new RawContainer().version(0xffff_ffffL).build();
        assertEquals(NAME + ": unsupported format version 4294967295 (this build reads 1)", badInput(huge, "u32 max"));
        FileKind two = new FileKind("S4JTEST1", "test file", 2, 1);
        BadInputException e = assertThrows(BadInputException.class, () -> ContainerReader.read(v7, NAME, two, 1 << 20));
        assertEquals(NAME + ": unsupported format version 7 (this build reads 1, 2)", e.getMessage());
    }

    @Test
    void fileLargerThanTheCallersLimit() {
        byte[] data = small();
        BadInputException e = assertThrows(BadInputException.class,
                () -> ContainerReader.read(data, NAME, KIND, data.length - 1));
        assertEquals(NAME + ": too large (file has " + data.length + " bytes, the limit is " + (data.length - 1) + ")",
                e.getMessage());
    }

    // ---- forged files: the checksum is valid, so only the table checks stand in the way ----

    @Test
    void impossibleSectionLengthsWithValidChecksum() {
        assertForged(new RawContainer().entry("w", 3, Long.MAX_VALUE - 3).payload(8), "2^63-1",
                "truncated (file has 68 bytes, section 'w' needs 9,223,372,036,854,775,804 at offset 28)");
        assertForged(new RawContainer().entry("w", 1, Long.MAX_VALUE).payload(8), "2^63-1 bytes", "truncated");
        assertForged(new RawContainer().entry("w", 3, -4).payload(8), "negative",
                "section 'w' declares an impossible length of 18446744073709551612 bytes");
        assertForged(new RawContainer().entry("w", 3, Long.MIN_VALUE).payload(8), "2^63", "impossible length");
        assertForged(new RawContainer().entry("w", 3, 4L << 31).payload(8), "2^31 floats",
                "section 'w' needs 8,589,934,592 at offset 28");
        assertForged(new RawContainer().entry("a", 3, 8).entry("b", 3, Long.MAX_VALUE - 7).payload(16),
                "sum overflows", "section 'b' needs");
        assertForged(new RawContainer().entry("w", 3, 6).payload(8), "not a multiple",
                "section 'w' has 6 bytes, not a whole number of float32 values (4 bytes each)");
        assertForged(new RawContainer().entry("w", 6, 12).payload(12), "not a multiple of 8", "not a whole number");
    }

    @Test
    void tableLimitsWithValidChecksum() {
        assertForged(new RawContainer().count(1025), "1025 sections", "declares 1,025 sections (at most 1,024 allowed)");
        assertForged(new RawContainer().count(0xffff_ffffL), "u32 max sections", "declares 4,294,967,295 sections");
        assertForged(new RawContainer().count(3).entry("a", 1, 0), "fewer entries than count",
                "truncated (file has 60 bytes, section table entry 2 of 3 is cut off)");
        byte[] longName = "n".repeat(129).getBytes(StandardCharsets.US_ASCII);
        assertForged(new RawContainer().entry(longName, 129, 1, 0), "name too long",
                "section table entry 1 of 1 has a name of 129 bytes (1 to 128 allowed)");
        assertForged(new RawContainer().entry(new byte[0], 0, 1, 0), "empty name", "has a name of 0 bytes");
        assertForged(new RawContainer().entry(new byte[] {'a', (byte) 0xff}, 2, 1, 0), "invalid UTF-8",
                "section table entry 1 of 1 has a name that is not valid UTF-8");
        assertForged(new RawContainer().entry(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, 3, 1, 0), "surrogate",
                "not valid UTF-8");
        assertForged(new RawContainer().entry("a\nb", 1, 0), "control char", "has a name with control characters");
        assertForged(new RawContainer().entry("a", 1, 1).entry("a", 3, 4).payload(5), "duplicate",
                "section 'a' appears twice");
        assertForged(new RawContainer().entry("a", 0, 0), "type 0", "section 'a' has unknown type code 0");
        assertForged(new RawContainer().entry("a", 99, 0), "type 99", "section 'a' has unknown type code 99");
        assertForged(new RawContainer().entry("a", 1, 2).payload(5), "trailing garbage",
                "3 unexpected bytes after the last section");
        assertForged(new RawContainer().payload(1), "garbage without sections", "1 unexpected bytes");
        assertForged(new RawContainer().entry("a", 2, 2).payload(new byte[] {(byte) 0xc3, 0x28}), "bad text",
                "section 'a' is not valid UTF-8 text");
    }

    private static void assertForged(RawContainer raw, String what, String expectedPart) {
        String message = badInput(raw.build(), what);
        assertTrue(message.contains(expectedPart), () -> what + ": got " + message);
    }

    // ---- content checks on a valid container ----

    @Test
    void countMismatchAndWrongTypeAndMissingSection() {
        byte[] data = small();
        try (Container c = ContainerReader.read(data, NAME, KIND, 1 << 20)) {
            assertBad(() -> c.floats("weights", 7), NAME + ": section 'weights' has 6 floats, expected 7");
            assertBad(() -> c.floats("weights", Integer.MAX_VALUE), "has 6 floats, expected 2,147,483,647");
            assertBad(() -> c.readFloatsInto("weights", new float[10], 0, 5), "has 6 floats, expected 5");
            assertBad(() -> c.readFloatsInto("weights", List.of(FloatSlice.of(new float[4]), FloatSlice.of(new float[4]))),
                    "expected 8");
            assertBad(() -> c.ints("weights"), NAME + ": section 'weights' holds float32 values, expected int32 values");
            assertBad(() -> c.text("blob"), "holds bytes, expected UTF-8 text");
            assertBad(() -> c.floats("nope", 3), NAME + ": section 'nope' is missing");
            assertBad(() -> c.type("nope"), "is missing");
            assertBad(() -> c.longs("step", 2), "has 1 longs, expected 2");
            assertThrows(IllegalArgumentException.class, () -> c.floats("weights", -1));
            assertThrows(IndexOutOfBoundsException.class, () -> c.readFloatsInto("weights", new float[4], 0, 6));
        }
    }

    private static void assertBad(Runnable read, String expectedPart) {
        BadInputException e = assertThrows(BadInputException.class, read::run);
        assertOneLineNamingFile(e.getMessage(), NAME, expectedPart);
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    // ---- files on disk ----

    @Test
    void fileProblems() throws Exception {
        Path missing = dir.resolve("missing.s4j");
        assertFileBad(missing, c -> { }, missing + ": file not found");
        assertFileBad(dir, c -> { }, dir + ": is a folder, not a file");
        Path empty = Files.createFile(dir.resolve("empty.s4j"));
        assertFileBad(empty, c -> { }, empty + ": truncated (file has 0 bytes, at least 48 needed)");
        Path cut = dir.resolve("cut.s4j");
        byte[] data = small();
        Files.write(cut, Mutations.truncate(data, data.length - 40));
        assertFileBad(cut, c -> { }, cut + ": truncated (file has " + (data.length - 40) + " bytes, section");
        Path good = dir.resolve("good.s4j");
        Files.write(good, data);
        assertFileBad(good, c -> c.floats("weights", 5), good + ": section 'weights' has 6 floats, expected 5");
        Path named = dir.resolve("bad\nname.s4j");
        Files.write(named, new byte[3]);
        BadInputException e = assertThrows(BadInputException.class, () -> ContainerReader.read(named, KIND, 1 << 20));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("bad\\x0aname.s4j"), e.getMessage());
    }

    private static void assertFileBad(Path file, Consumer<Container> use, String expectedStart) {
        BadInputException e = assertThrows(BadInputException.class, () -> {
            try (Container c = ContainerReader.read(file, KIND, 1 << 20)) {
                use.accept(c);
            }
        });
        assertTrue(e.getMessage().startsWith(expectedStart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
