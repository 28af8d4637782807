package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerRoundTripTest {
    static final FileKind KIND = new FileKind("S4JTEST1", "test file", 1);

    @TempDir
    Path dir;

    static final float[] FLOATS = {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY,
        Float.POSITIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fc0_1234), Float.intBitsToFloat(0xff80_0001)};
    static final int[] INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x1234_5678};
    static final long[] LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102_0304_0506_0708L};
    static final double[] DOUBLES = {0, -0.0, Math.PI, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
        Double.longBitsToDouble(0x7ff8_0000_0000_1234L), Double.NEGATIVE_INFINITY};
    static final String TEXT = "Zoë 日本 \uD83D\uDE00 {\"lr\":0.01}\n\ttab";
    static final byte[] BYTES = {0, 1, (byte) 0x80, (byte) 0xff, 42};

    static ContainerWriter allTypes() {
        return new ContainerWriter()
                .putText("config", TEXT)
                .putBytes("blob", BYTES)
                .putFloats("weights", FLOATS)
                .putInts("shape", INTS)
                .putLongs("steps", LONGS)
                .putDoubles("stats", DOUBLES);
    }

    static void assertAllTypes(Container c) {
        assertEquals(List.of("config", "blob", "weights", "shape", "steps", "stats"), c.names());
        assertEquals(TEXT, c.text("config"));
        assertArrayEquals(BYTES, c.bytes("blob"));
        assertArrayEquals(bits(FLOATS), bits(c.floats("weights", FLOATS.length)));
        assertArrayEquals(bits(FLOATS), bits(c.floats("weights")));
        assertArrayEquals(INTS, c.ints("shape", INTS.length));
        assertArrayEquals(INTS, c.ints("shape"));
        assertArrayEquals(LONGS, c.longs("steps", LONGS.length));
        assertArrayEquals(LONGS, c.longs("steps"));
        assertArrayEquals(bits(DOUBLES), bits(c.doubles("stats", DOUBLES.length)));
        assertArrayEquals(bits(DOUBLES), bits(c.doubles("stats")));
        assertEquals(SectionType.FLOAT32, c.type("weights"));
        assertEquals(FLOATS.length, c.count("weights"));
        assertEquals(TEXT.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, c.count("config"));
        assertTrue(c.has("stats"));
        assertFalse(c.has("nope"));
    }

    @Test
    void everyTypeRoundTripsThroughAFileBitExactly() throws Exception {
        Path file = dir.resolve("all.s4j");
        ContainerWriter writer = allTypes();
        String sha = writer.write(file, "S4JTEST1", 1);
        assertEquals(writer.fileSize(), Files.size(file));
        try (Container c = ContainerReader.read(file, KIND, 1 << 20)) {
            assertAllTypes(c);
            assertEquals(1, c.version());
            assertEquals(sha, c.sha256());
            assertEquals(file.toString(), c.displayName());
        }
        // The hash is the SHA-256 of everything before the trailer, and the trailer holds it.
        byte[] bytes = Files.readAllBytes(file);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(bytes, 0, bytes.length - 32);
        byte[] expected = md.digest();
        assertEquals(HexFormat.of().formatHex(expected), sha);
        assertArrayEquals(expected, Arrays.copyOfRange(bytes, bytes.length - 32, bytes.length));
        assertArrayEquals(bytes, allTypes().toBytes("S4JTEST1", 1), "file and in-memory writes are identical");
    }

    @Test
    void everyTypeRoundTripsInMemory() {
        byte[] bytes = allTypes().toBytes("S4JTEST1", 1);
        try (Container c = ContainerReader.read(bytes, "mem.s4j", KIND, bytes.length)) {
            assertAllTypes(c);
        }
    }

    @Test
    void emptySectionsOfEveryType() {
        byte[] bytes = new ContainerWriter()
                .putText("t", "").putBytes("b", new byte[0]).putFloats("f", new float[0])
                .putInts("i", new int[0]).putLongs("l", new long[0]).putDoubles("d", new double[0])
                .toBytes("S4JTEST1", 1);
        try (Container c = ContainerReader.read(bytes, "empty.s4j", KIND, 1 << 20)) {
            assertEquals("", c.text("t"));
            assertEquals(0, c.bytes("b").length);
            assertEquals(0, c.floats("f", 0).length);
            assertEquals(0, c.ints("i").length);
            assertEquals(0, c.longs("l", 0).length);
            assertEquals(0, c.doubles("d").length);
            c.readFloatsInto("f", new float[3], 3, 0);
        }
    }

    @Test
    void containerWithoutSections() throws Exception {
        Path file = dir.resolve("none.s4j");
        new ContainerWriter().write(file, "S4JTEST1", 1);
        assertEquals(ContainerLayout.MIN_FILE_BYTES, Files.size(file));
        try (Container c = ContainerReader.read(file, KIND, 1 << 20)) {
            assertEquals(List.of(), c.names());
            assertEquals(64, c.sha256().length());
        }
    }

    @Test
    void sliceListsWriteOneSectionAndReadBackIntoOtherSlices() {
        float[] a = {1, 2, 3, 4};
        float[] b = {5, 6, 7};
        byte[] bytes = new ContainerWriter()
                .putFloats("params", List.of(new FloatSlice(a, 1, 3), FloatSlice.of(new float[0]), FloatSlice.of(b)))
                .putFloats("part", a, 2, 2)
                .toBytes("S4JTEST1", 1);
        try (Container c = ContainerReader.read(bytes, "s.s4j", KIND, 1 << 20)) {
            assertArrayEquals(new float[] {2, 3, 4, 5, 6, 7}, c.floats("params", 6));
            assertArrayEquals(new float[] {3, 4}, c.floats("part"));
            float[] x = new float[5];
            float[] y = new float[2];
            c.readFloatsInto("params", List.of(new FloatSlice(x, 1, 4), FloatSlice.of(y)));
            assertArrayEquals(new float[] {0, 2, 3, 4, 5}, x);
            assertArrayEquals(new float[] {6, 7}, y);
            float[] z = new float[8];
            c.readFloatsInto("params", z, 2, 6);
            assertArrayEquals(new float[] {0, 0, 2, 3, 4, 5, 6, 7}, z);
        }
    }

    @Test
    void largeFloatSectionRoundTripsBitExactlyAndFast() throws Exception {
        int count = 20_000_000;
        float[] values = new float[count];
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            values[i] = Float.intBitsToFloat(random.nextInt());
        }
        Path file = dir.resolve("large.s4j");
        long t0 = System.nanoTime();
        String sha = new ContainerWriter().putText("config", "{}").putFloats("weights", values).write(file, "S4JTEST1", 1);
        long t1 = System.nanoTime();
        float[] back;
        try (Container c = ContainerReader.read(file, KIND, 200L << 20)) {
            assertEquals(sha, c.sha256());
            back = c.floats("weights", count);
        }
        long t2 = System.nanoTime();
        System.out.printf("20M floats (%d MB): write+fsync %d ms, verify+read %d ms%n",
                Files.size(file) >> 20, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        for (int i = 0; i < count; i++) {
            if (Float.floatToRawIntBits(values[i]) != Float.floatToRawIntBits(back[i])) {
                throw new AssertionError("float " + i + " differs");
            }
        }
        // Typically well under 2 s; the bound is loose because the build machine is shared.
        assertTrue(t2 - t0 < 10_000_000_000L, "round trip took " + (t2 - t0) / 1_000_000 + " ms");
    }

    @Test
    void sameContentSameHashDifferentContentDifferentHash() {
        String a = sha(new ContainerWriter().putFloats("w", new float[] {1, 2}));
        String b = sha(new ContainerWriter().putFloats("w", new float[] {1, 2}));
        String c = sha(new ContainerWriter().putFloats("w", new float[] {1, 3}));
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void writerRefusesProgrammerErrors() {
        ContainerWriter w = new ContainerWriter().putFloats("w", new float[1]);
        assertThrows(IllegalArgumentException.class, () -> w.putInts("w", new int[1]));
        assertThrows(IllegalArgumentException.class, () -> w.putText("", "x"));
        assertThrows(IllegalArgumentException.class, () -> w.putText("a\nb", "x"));
        assertThrows(IllegalArgumentException.class, () -> w.putText("x".repeat(129), "x"));
        assertThrows(IllegalArgumentException.class, () -> w.putText("é".repeat(65), "x"), "130 UTF-8 bytes");
        w.putText("é".repeat(64), "x"); // exactly 128 bytes
        assertThrows(IllegalArgumentException.class, () -> w.putText("bad\uD800", "x"));
        assertThrows(IndexOutOfBoundsException.class, () -> w.putFloats("z", new float[2], 1, 2));
        assertThrows(IllegalArgumentException.class, () -> w.toBytes("SHORT", 1));
        assertThrows(IllegalArgumentException.class, () -> w.toBytes("S4J MODL", 1));
        assertThrows(IllegalArgumentException.class, () -> w.toBytes("S4JTEST1", -1));
        ContainerWriter many = new ContainerWriter();
        for (int i = 0; i < ContainerLayout.MAX_SECTIONS; i++) {
            many.putInts("s" + i, new int[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> many.putInts("one-too-many", new int[0]));
        byte[] bytes = many.toBytes("S4JTEST1", 1);
        try (Container c = ContainerReader.read(bytes, "many.s4j", KIND, 1 << 20)) {
            assertEquals(ContainerLayout.MAX_SECTIONS, c.names().size());
        }
    }

    @Test
    void closedContainerRefusesReads() throws Exception {
        Path file = dir.resolve("c.s4j");
        allTypes().write(file, "S4JTEST1", 1);
        Container c = ContainerReader.read(file, KIND, 1 << 20);
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> c.floats("weights"));
    }

    @Test
    void openContainerIsUnaffectedByAnAtomicReplace() throws Exception {
        Path file = dir.resolve("r.s4j");
        new ContainerWriter().putFloats("w", new float[] {1, 2, 3}).write(file, "S4JTEST1", 1);
        try (Container c = ContainerReader.read(file, KIND, 1 << 20)) {
            new ContainerWriter().putFloats("w", new float[] {9, 9, 9, 9}).write(file, "S4JTEST1", 1);
            assertArrayEquals(new float[] {1, 2, 3}, c.floats("w", 3));
        }
    }

    @Test
    void readsLargeFileUnderSmallHeapInChildJvm() throws Exception {
        // 16 sections x 1M floats = 64 MB file, read under -Xmx32m: only possible if nothing loads the
        // whole file (or even two sections) into memory.
        int perSection = 1 << 20;
        float[] values = new float[perSection];
        Arrays.fill(values, 1f);
        ContainerWriter writer = new ContainerWriter();
        for (int i = 0; i < 16; i++) {
            writer.putFloats("tensor" + i, values);
        }
        Path file = dir.resolve("big.s4j");
        writer.write(file, "S4JTEST1", 1);
        try (ChildJvm child = ChildJvm.start(dir, List.of("-Xmx32m", "-XX:+UseSerialGC"),
                "read", file.toString(), Integer.toString(perSection))) {
            assertEquals("ok 16 " + 16L * perSection, child.awaitLine("ok", 60_000), "reading under -Xmx32m");
            assertEquals(0, child.waitForExit(30_000), () -> "child failed");
        }
    }

    private static String sha(ContainerWriter w) {
        byte[] bytes = w.toBytes("S4JTEST1", 1);
        try (Container c = ContainerReader.read(bytes, "h", KIND, 1 << 20)) {
            return c.sha256();
        }
    }

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    static long[] bits(double[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Double.doubleToRawLongBits(values[i]);
        }
        return out;
    }
}
