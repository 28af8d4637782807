package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

/** The tar.gz reader on archives written by hand: good ones, and the ways a hostile or broken one is refused. */
class SafeTarGzTest {
    private static final SafeTarGz.Limits LIMITS = SafeTarGz.Limits.DEFAULT;

    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Every path below the folder, relative, sorted; folders end in '/'. */
    private static List<String> tree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root))
                    .map(p -> root.relativize(p).toString().replace('\\', '/') + (Files.isDirectory(p) ? "/" : ""))
                    .sorted().toList();
        }
    }

    private BadInputException refused(byte[] tgz, String... fragments) throws IOException {
        Path archive = write("bad.tgz", tgz);
        Path out = tmp.resolve("out");
        BadInputException listed = assertThrows(BadInputException.class, () -> SafeTarGz.list(archive, LIMITS));
        BadInputException e = assertThrows(BadInputException.class, () -> SafeTarGz.extract(archive, out, LIMITS));
        assertEquals(listed.getMessage(), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
        assertTrue(e.getMessage().startsWith(archive.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(out), "a refused archive left its folder behind");
        return e;
    }

    @Test
    void goodArchiveIsListedAndExtracted() throws IOException {
        String longPerson = "A_Person_With_A_Very_Long_Name_That_Goes_On_And_On_Beyond_The_Ustar_Field";
        byte[] jpeg = new byte[1500];
        for (int i = 0; i < jpeg.length; i++) {
            jpeg[i] = (byte) (i * 31);
        }
        byte[] tgz = new TarBuilder()
                .folder("./lfw_funneled")
                .folder("lfw_funneled/Ann_Smith")
                .file("lfw_funneled/Ann_Smith/Ann_Smith_0001.jpg", jpeg)
                .file("./lfw_funneled//Ann_Smith/./Ann_Smith_0002.jpg", "two")
                .file("lfw_funneled/Bob_Jones/Bob_Jones_0001.jpg", "") // its folder only implied
                .gnuLongName("lfw_funneled/" + longPerson + "/" + longPerson + "_0001.jpg")
                .file("ignored-short-name", "long")
                .pax("path", "lfw_funneled/Cy_Pax/Cy_Pax_0001.jpg")
                .file("ignored-too", "pax")
                .file("lfw_funneled/._Ann_Smith", "apple double")
                .file("lfw_funneled/.DS_Store", "junk")
                .file("__MACOSX/lfw_funneled/x", "junk")
                .tgz();
        Path archive = write("lfw.tgz", tgz);

        SafeTarGz.Listing listing = SafeTarGz.list(archive, LIMITS);
        assertEquals(List.of("lfw_funneled/Ann_Smith/Ann_Smith_0001.jpg", "lfw_funneled/Ann_Smith/Ann_Smith_0002.jpg",
                "lfw_funneled/Bob_Jones/Bob_Jones_0001.jpg", "lfw_funneled/" + longPerson + "/" + longPerson + "_0001.jpg",
                "lfw_funneled/Cy_Pax/Cy_Pax_0001.jpg"), listing.files());
        assertEquals(List.of("lfw_funneled", "lfw_funneled/Ann_Smith"), listing.folders());
        assertEquals(List.of("lfw_funneled"), listing.topLevel());

        Path out = tmp.resolve("out");
        SafeTarGz.extract(archive, out, LIMITS);
        assertEquals(List.of("lfw_funneled/", "lfw_funneled/" + longPerson + "/",
                "lfw_funneled/" + longPerson + "/" + longPerson + "_0001.jpg",
                "lfw_funneled/Ann_Smith/", "lfw_funneled/Ann_Smith/Ann_Smith_0001.jpg", "lfw_funneled/Ann_Smith/Ann_Smith_0002.jpg",
                "lfw_funneled/Bob_Jones/", "lfw_funneled/Bob_Jones/Bob_Jones_0001.jpg",
                "lfw_funneled/Cy_Pax/", "lfw_funneled/Cy_Pax/Cy_Pax_0001.jpg"), tree(out));
        assertArrayEquals(jpeg, Files.readAllBytes(out.resolve("lfw_funneled/Ann_Smith/Ann_Smith_0001.jpg")));
        assertEquals("two", Files.readString(out.resolve("lfw_funneled/Ann_Smith/Ann_Smith_0002.jpg")));
        assertEquals("long", Files.readString(out.resolve("lfw_funneled/" + longPerson + "/" + longPerson + "_0001.jpg")));
        assertEquals("pax", Files.readString(out.resolve("lfw_funneled/Cy_Pax/Cy_Pax_0001.jpg")));
        assertEquals(0, Files.size(out.resolve("lfw_funneled/Bob_Jones/Bob_Jones_0001.jpg")));
    }

    @Test
    void extractionNeedsANewFolder() throws IOException {
        Path archive = write("a.tgz", new TarBuilder().file("a/b.txt", "b").tgz());
        Path out = Files.createDirectories(tmp.resolve("out"));
        BadInputException e = assertThrows(BadInputException.class, () -> SafeTarGz.extract(archive, out, LIMITS));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
        assertEquals(List.of(), tree(out));
    }

    @Test
    void traversalAndAbsoluteNamesAreRefused() throws IOException {
        refused(new TarBuilder().file("fine/a.txt", "a").file("../evil.txt", "escaped").tgz(),
                "unsafe tar entry name '../evil.txt' (contains '..')");
        refused(new TarBuilder().file("fine/../../evil.txt", "escaped").tgz(), "contains '..'");
        refused(new TarBuilder().file("/etc/evil", "x").tgz(), "unsafe tar entry name '/etc/evil' (is an absolute path)");
        refused(new TarBuilder().file("C:/evil", "x").tgz(), "has a drive letter");
        refused(new TarBuilder().file("a\\..\\..\\evil", "x").tgz(), "contains a backslash");
        // the long name is checked, not the short one in the header
        refused(new TarBuilder().gnuLongName("ok/../../evil").file("ok/harmless", "x").tgz(), "contains '..'");
        refused(new TarBuilder().pax("path", "/abs/evil").file("ok/harmless", "x").tgz(), "is an absolute path");
        // a dot-file is skipped, but only once its name is known to be safe
        refused(new TarBuilder().file("../.hidden", "x").tgz(), "contains '..'");
        assertFalse(Files.exists(tmp.getParent().resolve("evil.txt")));
    }

    @Test
    void linksAndDevicesAreRefused() throws IOException {
        refused(new TarBuilder().folder("d").symlink("d/link", "/etc/passwd").file("d/link", "overwrite?").tgz(),
                "tar entry 'd/link' is a symbolic link; only files and folders are extracted");
        refused(new TarBuilder().file("d/a", "a").hardLink("d/b", "d/a").tgz(), "'d/b' is a hard link");
        refused(new TarBuilder().entry("dev/null", '3', 0, "", new byte[0]).tgz(), "is a device or FIFO");
        refused(new TarBuilder().entry("fifo", '6', 0, "", new byte[0]).tgz(), "is a device or FIFO");
        refused(new TarBuilder().entry("sparse", 'S', 0, "", new byte[0]).tgz(), "unsupported type 'S'");
    }

    @Test
    void duplicatesAndFileFolderClashesAreRefused() throws IOException {
        refused(new TarBuilder().file("a/x.txt", "1").file("a/x.txt", "2").tgz(), "'a/x.txt' appears twice");
        refused(new TarBuilder().file("a", "file").file("a/x.txt", "under a file").tgz(), "'a' is both a file and a folder");
        refused(new TarBuilder().folder("a").file("a", "file").tgz(), "appears twice, or as a folder too");
    }

    @Test
    void truncatedArchivesAreRefused() throws IOException {
        byte[] tar = new TarBuilder().file("a/big.bin", new byte[5000]).file("a/b.txt", "b").tar();
        // the gzip stream cut short
        byte[] tgz = TarBuilder.gzip(tar);
        refused(Arrays.copyOf(tgz, tgz.length / 2), "truncated");
        // a complete gzip stream of a tar cut inside a file's data
        refused(TarBuilder.gzip(Arrays.copyOf(tar, 512 + 3000)), "truncated");
        // ... inside a header
        refused(TarBuilder.gzip(Arrays.copyOf(tar, 512 + 5120 + 100)), "ends in the middle of a header");
        // ... at an entry boundary, without the end-of-archive block
        refused(TarBuilder.gzip(new TarBuilder().file("a/b.txt", "b").tarWithoutEnd()), "without the end-of-archive block");
        // a long name with no entry after it
        refused(TarBuilder.gzip(new TarBuilder().gnuLongName("a/long").tar()), "without its entry");
    }

    @Test
    void corruptOrForeignDataIsRefused() throws IOException {
        refused("plain text, not gzip".getBytes(), "not a gzip-compressed tar archive");
        refused(new byte[0], "not a gzip-compressed tar archive");
        byte[] header = TarBuilder.header("a.txt", '0', 1, "");
        header[0] = 'b'; // the checksum no longer matches
        refused(TarBuilder.gzip(new TarBuilder().raw(header).raw(new byte[512]).tar()), "checksum does not match");
        refused(TarBuilder.gzip(new byte[] {'n', 'o', 't', ' ', 't', 'a', 'r'}), "ends in the middle of a header");
        byte[] tgz = new TarBuilder().file("a/b.txt", "hello").tgz();
        tgz[tgz.length - 6] ^= 0x55; // the gzip CRC
        refused(tgz, "corrupt gzip data");
    }

    @Test
    void bombsBeyondTheBudgetsAreRefusedBeforeTheirData() throws IOException {
        SafeTarGz.Limits small = new SafeTarGz.Limits(5, 1000, 1500, 100, 1024);
        Path out = tmp.resolve("out");

        // one entry declaring more than an entry may hold: refused at its header, its data never read
        Path big = write("big.tgz", new TarBuilder().entry("a/huge.bin", '0', (8L << 30) - 1, "", new byte[0]).tgz());
        BadInputException e = assertThrows(BadInputException.class, () -> SafeTarGz.extract(big, out, small));
        assertTrue(e.getMessage().contains("'a/huge.bin' is too large (8589934591 bytes; limit 1000)"), e.getMessage());
        assertFalse(Files.exists(out));
        // ... also with the default limits (64 MiB a file)
        e = assertThrows(BadInputException.class, () -> SafeTarGz.list(big, LIMITS));
        assertTrue(e.getMessage().contains("is too large"), e.getMessage());

        // files within their own budget, past the total
        Path many = write("many.tgz", new TarBuilder().file("a/1", new byte[800]).file("a/2", new byte[800]).tgz());
        e = assertThrows(BadInputException.class, () -> SafeTarGz.extract(many, out, small));
        assertTrue(e.getMessage().contains("more than 1500 bytes in total (tar bomb?)"), e.getMessage());
        assertFalse(Files.exists(out), "files extracted before the budget ran out were left behind");

        // too many entries
        TarBuilder six = new TarBuilder();
        for (int i = 0; i < 6; i++) {
            six.file("a/" + i, "x");
        }
        Path entries = write("entries.tgz", six.tgz());
        e = assertThrows(BadInputException.class, () -> SafeTarGz.list(entries, small));
        assertTrue(e.getMessage().contains("too many tar entries (limit 5)"), e.getMessage());

        // zeros compress a thousandfold: the stream outgrows 100 times the file before the budgets do
        SafeTarGz.Limits roomy = new SafeTarGz.Limits(5, 1L << 30, 1L << 30, 100, 1024);
        Path zeros = write("zeros.tgz", new TarBuilder().file("a/zeros", new byte[4 << 20]).tgz());
        assertTrue(Files.size(zeros) < 20_000, "the test archive should be small: " + Files.size(zeros));
        e = assertThrows(BadInputException.class, () -> SafeTarGz.extract(zeros, out, roomy));
        assertTrue(e.getMessage().contains("(gzip bomb?)"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new SafeTarGz.Limits(0, 1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SafeTarGz.Limits(1, 1, 1, 0.5, 0));
    }
}
