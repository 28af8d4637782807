package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

class SafeZipTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void listsAndReadsFileEntriesSkippingJunk() {
        Path z = TestZips.write(dir.resolve("d.zip"), TestZips.zip(TestZips.entries(
                "top/", "",
                "top/a/1.png", "one",
                "top/a/2.png", "two",
                "top/.DS_Store", "junk",
                "__MACOSX/top/a/._1.png", "fork",
                "top/.git/config", "junk",
                "top\\b\\3.png", "three",
                "./top/c/./4.png", "four")));
        try (SafeZip zip = SafeZip.open(z)) {
            assertEquals(List.of("top/a/1.png", "top/a/2.png", "top/b/3.png", "top/c/4.png"), zip.names());
            assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), zip.read("top/a/2.png"));
            assertArrayEquals("three".getBytes(StandardCharsets.UTF_8), zip.read("top/b/3.png"));
            assertEquals(z + "!/top/a/1.png", zip.displayName("top/a/1.png"));
            BadInputException e = assertThrows(BadInputException.class, () -> zip.read("top/.DS_Store"));
            assertTrue(e.getMessage().startsWith(z + ": no entry"), e.getMessage());
        }
        assertTrue(SafeZip.isZip(z));
    }

    @Test
    void escapingNamesRefuseTheArchive() {
        for (String evil : new String[] {"../evil", "a/../../evil", "/abs/x", "C:\\windows\\x", "c:x", "..\\evil",
                "a\\..\\..\\evil", "ok/..", "nul\0byte"}) {
            Path z = TestZips.write(dir.resolve("evil.zip"),
                    TestZips.zip(TestZips.entries("fine/1.png", "x", evil, "payload")));
            BadInputException e = assertThrows(BadInputException.class, () -> SafeZip.open(z).close(), evil);
            assertTrue(e.getMessage().startsWith(z + ": unsafe zip entry name"), e.getMessage());
            assertFalse(e.getMessage().contains("\0"));

            Path target = dir.resolve("out-" + Math.abs(evil.hashCode()));
            assertThrows(BadInputException.class, () -> SafeZip.extract(z, target));
            assertFalse(Files.exists(dir.resolveSibling("evil")));
            assertFalse(Files.exists(target), "nothing extracted for " + evil);
        }
    }

    @Test
    void duplicateNamesRefuseTheArchive() {
        // ZipOutputStream refuses duplicates, so write two names and patch one into the other
        byte[] zip = TestZips.zip(TestZips.entries("dup/a.png", "first", "dup/b.png", "second"));
        Path z = TestZips.write(dir.resolve("dup.zip"), TestZips.replaceAll(zip, "dup/b.png", "dup/a.png"));
        BadInputException e = assertThrows(BadInputException.class, () -> SafeZip.open(z).close());
        assertEquals(z + ": duplicate zip entry 'dup/a.png'", e.getMessage());

        // names that only normalise to the same path are duplicates too
        Path z2 = TestZips.write(dir.resolve("dup2.zip"), TestZips.zip(TestZips.entries("d/a.png", "1", "d\\a.png", "2")));
        assertThrows(BadInputException.class, () -> SafeZip.open(z2).close());

        Path z3 = TestZips.write(dir.resolve("dup3.zip"), TestZips.zip(TestZips.entries("d/a", "1", "d/a/b.png", "2")));
        assertTrue(assertThrows(BadInputException.class, () -> SafeZip.open(z3).close()).getMessage()
                .contains("both a file and a folder"));
    }

    @Test
    void zipBombIsStoppedWhileInflating() throws IOException {
        Path z = dir.resolve("bomb.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
            TestZips.writeZeros(out, "zeros.bin", 100 * MIB);
        }
        assertTrue(Files.size(z) < 200_000, "compressed to " + Files.size(z));

        // per-entry budget: refused from the declared size already
        SafeZip.Limits small = new SafeZip.Limits(100, 10 * MIB, 20 * MIB, 2000, MIB);
        try (SafeZip zip = SafeZip.open(z, small)) {
            assertThrows(BadInputException.class, () -> zip.read("zeros.bin"));
        }
        try (SafeZip zip = SafeZip.open(z)) {
            assertThrows(BadInputException.class, () -> zip.read("zeros.bin"));
        }
        // a generous size budget: the ratio guard stops it after ~1 MiB
        SafeZip.Limits ratioOnly = new SafeZip.Limits(100, 200 * MIB, 400 * MIB, SafeZip.MAX_RATIO, MIB);
        try (SafeZip zip = SafeZip.open(z, ratioOnly)) {
            BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(BadInputException.class, () -> zip.read("zeros.bin")));
            assertTrue(e.getMessage().contains("times its compressed size"), e.getMessage());
        }
    }

    @Test
    void lyingSizeHeadersDoNotFoolTheBudget() throws IOException {
        Path z = dir.resolve("liar.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
            TestZips.writeZeros(out, "zeros.bin", 30 * MIB);
        }
        // patch the central directory's uncompressed size (offset 24 of the CEN header) to 1000 bytes
        byte[] bytes = Files.readAllBytes(z);
        int cen = lastIndexOf(bytes, new byte[] {'P', 'K', 1, 2});
        ByteBuffer.wrap(bytes, cen + 24, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1000);
        Files.write(z, bytes);

        SafeZip.Limits limits = new SafeZip.Limits(100, 5 * MIB, 100 * MIB, 2000, MIB);
        try (SafeZip zip = SafeZip.open(z, limits)) {
            BadInputException e = assertThrows(BadInputException.class, () -> zip.read("zeros.bin"));
            assertTrue(e.getMessage().contains("inflates past"), e.getMessage());
        }
    }

    @Test
    void totalBudgetCountsAllReads() throws IOException {
        Path z = dir.resolve("many.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(z))) {
            for (int i = 0; i < 4; i++) {
                TestZips.writeZeros(out, "part" + i, 5 * MIB);
            }
        }
        SafeZip.Limits limits = new SafeZip.Limits(100, 6 * MIB, 12 * MIB, 10_000, MIB);
        try (SafeZip zip = SafeZip.open(z, limits)) {
            zip.read("part0");
            zip.read("part1");
            BadInputException e = assertThrows(BadInputException.class, () -> zip.read("part2"));
            assertTrue(e.getMessage().contains("in total"), e.getMessage());
        }
    }

    @Test
    void tooManyEntriesAreRefused() {
        Path z = TestZips.write(dir.resolve("n.zip"),
                TestZips.zip(TestZips.entries("1", "a", "2", "b", "3", "c", "4", "d", "5", "e")));
        SafeZip.Limits limits = new SafeZip.Limits(3, MIB, MIB, 100, MIB);
        BadInputException e = assertThrows(BadInputException.class, () -> SafeZip.open(z, limits).close());
        assertTrue(e.getMessage().contains("too many zip entries"), e.getMessage());
    }

    @Test
    void corruptAndTruncatedArchives() throws IOException {
        byte[] good = TestZips.zip(TestZips.entries("a/1.txt", "hello hello hello hello hello hello", "a/2.txt", "x"));
        Path truncated = TestZips.write(dir.resolve("t.zip"), Arrays.copyOf(good, good.length / 2));
        BadInputException t = assertThrows(BadInputException.class, () -> SafeZip.open(truncated).close());
        assertTrue(t.getMessage().startsWith(truncated + ": not a readable zip archive"), t.getMessage());

        Path notZip = TestZips.write(dir.resolve("n.zip"), "hello".getBytes(StandardCharsets.UTF_8));
        assertThrows(BadInputException.class, () -> SafeZip.open(notZip).close());
        assertFalse(SafeZip.isZip(notZip));

        assertThrows(BadInputException.class, () -> SafeZip.open(dir.resolve("missing.zip")).close());
        assertThrows(BadInputException.class, () -> SafeZip.open(dir).close());

        // corrupt deflate data in the first entry: the read fails, naming the entry
        byte[] corrupt = good.clone();
        int dataStart = 30 + "a/1.txt".length();
        for (int i = dataStart; i < dataStart + 6; i++) {
            corrupt[i] = (byte) 0xFF;
        }
        Path c = TestZips.write(dir.resolve("c.zip"), corrupt);
        try (SafeZip zip = SafeZip.open(c)) {
            BadInputException e = assertThrows(BadInputException.class, () -> zip.read("a/1.txt"));
            assertTrue(e.getMessage().startsWith(c + "!/a/1.txt: "), e.getMessage());
        }
    }

    @Test
    void extractsAtomicallyAndRollsBackOnFailure() throws IOException {
        Path z = TestZips.write(dir.resolve("ok.zip"), TestZips.zip(TestZips.entries(
                "set/a/1.png", "one", "set/b/2.png", "two", "set/.hidden", "no")));
        Path target = dir.resolve("out");
        SafeZip.extract(z, target);
        assertEquals("one", Files.readString(target.resolve("set/a/1.png")));
        assertEquals("two", Files.readString(target.resolve("set/b/2.png")));
        assertEquals(List.of("set/a/1.png", "set/b/2.png"), listFiles(target));

        // extracting again would overwrite: refused, and nothing is touched
        BadInputException again = assertThrows(BadInputException.class, () -> SafeZip.extract(z, target));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
        assertEquals(List.of("set/a/1.png", "set/b/2.png"), listFiles(target));

        // a bomb in the second entry: the first entry's file is removed again, no temp files remain
        Path bomb = dir.resolve("bomb.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bomb))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x/first.png"));
            out.write("fine".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            TestZips.writeZeros(out, "x/second.png", 20 * MIB);
        }
        Path target2 = dir.resolve("out2");
        Files.createDirectories(target2);
        Files.writeString(target2.resolve("keep.txt"), "mine");
        assertThrows(BadInputException.class, () -> SafeZip.extract(bomb, target2));
        assertEquals(List.of("keep.txt"), listFiles(target2));
    }

    @Test
    void normalizeKeepsInnocentNames() {
        assertEquals("a/b c/d.png", SafeZip.normalize("a//b c/./d.png", "z"));
        assertEquals("a/b/c", SafeZip.normalize("a\\b\\c", "z"));
        assertEquals("..a/b..", SafeZip.normalize("..a/b..", "z"));
    }

    private static List<String> listFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    private static int lastIndexOf(byte[] b, byte[] what) {
        outer:
        for (int i = b.length - what.length; i >= 0; i--) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
