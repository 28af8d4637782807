package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

class DatasetReaderTest {

    private static final byte[] PGM = "P5\n2 2\n255\n\u0001\u0002\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1);

    @TempDir
    Path dir;

    @Test
    void oneLevelFolderLikeAtt() throws IOException {
        Path root = dir.resolve("att_faces");
        write(root.resolve("s1/1.pgm"), PGM);
        write(root.resolve("s1/10.pgm"), PGM);
        write(root.resolve("s1/2.pgm"), PGM);
        write(root.resolve("s2/1.pgm"), PGM);
        write(root.resolve("s1/notes.txt"), "n".getBytes(StandardCharsets.UTF_8));
        write(root.resolve("README"), "r".getBytes(StandardCharsets.UTF_8));
        write(root.resolve("MANIFEST.txt"), "m".getBytes(StandardCharsets.UTF_8));
        write(root.resolve(".DS_Store"), "x".getBytes(StandardCharsets.UTF_8));
        write(root.resolve(".hidden/s9/1.pgm"), PGM);
        try (ImageDataset ds = DatasetReader.open(root)) {
            assertFalse(ds.isZip());
            assertEquals(List.of("s1", "s2"), names(ds.classes()));
            ImageClass s1 = ds.classes().get(0);
            assertEquals("", s1.group());
            assertEquals(List.of("1.pgm", "10.pgm", "2.pgm"), s1.images().stream().map(ImageSource::fileName).toList());
            assertEquals(4, ds.imageCount());
            assertEquals(3, ds.ignoredFileCount());
            assertEquals(List.of("s2"), names(ds.classesWithFewerThan(2)));
            assertEquals(List.of(), ds.groups());
            assertEquals(2f, s1.images().get(0).decode().get(1, 0));
        }
    }

    @Test
    void twoLevelZipLikeOmniglotStripsTheCommonTop() throws IOException {
        byte[] zip = TestZips.zip(TestZips.entries(
                "images_background/", "",
                "images_background/Latin/", "",
                "images_background/Latin/character02/0002_01.png", PGM,
                "images_background/Latin/character01/0001_02.png", PGM,
                "images_background/Latin/character01/0001_01.png", PGM,
                "images_background/Greek/character01/0100_01.png", PGM,
                "images_background/Greek/character01/0100_02.png", PGM,
                "__MACOSX/images_background/Greek/character01/._0100_01.png", "fork",
                "images_background/README.md", "about"));
        // detected by content: the name says nothing
        Path file = TestZips.write(dir.resolve("omniglot.data"), zip);
        try (ImageDataset ds = DatasetReader.open(file)) {
            assertTrue(ds.isZip());
            assertEquals(List.of("Greek/character01", "Latin/character01", "Latin/character02"), names(ds.classes()));
            assertEquals(List.of("Greek", "Latin"), ds.groups());
            ImageClass latin1 = ds.classes().get(1);
            assertEquals("Latin", latin1.group());
            assertEquals(List.of("0001_01.png", "0001_02.png"), latin1.images().stream().map(ImageSource::fileName).toList());
            assertEquals(file + "!/images_background/Latin/character01/0001_01.png", latin1.images().get(0).displayName());
            assertEquals(4f, latin1.images().get(0).decode().get(1, 1));
            assertEquals(1, ds.ignoredFileCount());
            assertEquals(List.of("Latin/character02"), names(ds.classesWithFewerThan(2)));
        }
    }

    @Test
    void lfwLikeZipAndNamesWithSpaces() throws IOException {
        Path lfw = TestZips.write(dir.resolve("lfw-train.zip"), TestZips.zip(TestZips.entries(
                "lfw-train/Aaron_Sorkin/Aaron_Sorkin_0002.jpg", PGM,
                "lfw-train/Aaron_Sorkin/Aaron_Sorkin_0001.jpg", PGM,
                "lfw-train/AJ_Cook/AJ_Cook_0001.jpg", PGM)));
        try (ImageDataset ds = DatasetReader.open(lfw)) {
            assertEquals(List.of("AJ_Cook", "Aaron_Sorkin"), names(ds.classes()));
            assertEquals("", ds.classes().get(0).group());
            assertEquals("Aaron_Sorkin_0001.jpg", ds.classes().get(1).images().get(0).fileName());
        }

        Path eval = dir.resolve("eval");
        write(eval.resolve("Ali Landry/0.jpg"), PGM);
        write(eval.resolve("Ali Landry/1.jpg"), PGM);
        write(eval.resolve("Abhishek Bachan/0.jpg"), PGM);
        try (ImageDataset ds = DatasetReader.open(eval)) {
            assertEquals(List.of("Abhishek Bachan", "Ali Landry"), names(ds.classes()));
        }
    }

    @Test
    void twoLevelFolderKeepsItsTop() throws IOException {
        Path root = dir.resolve("omni");
        write(root.resolve("Alphabet/character01/1.png"), PGM);
        write(root.resolve("Alphabet/character02/1.png"), PGM);
        try (ImageDataset ds = DatasetReader.open(root)) {
            // a folder's root is the user's choice: nothing is stripped
            assertEquals(List.of("Alphabet/character01", "Alphabet/character02"), names(ds.classes()));
            assertEquals(List.of("Alphabet"), ds.groups());
        }
    }

    @Test
    void badPathsAreNamed() throws IOException {
        Path missing = dir.resolve("nope");
        assertEquals(missing + ": no such file or folder",
                assertThrows(BadInputException.class, () -> DatasetReader.open(missing)).getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        BadInputException e = assertThrows(BadInputException.class, () -> DatasetReader.open(empty));
        assertTrue(e.getMessage().startsWith(empty + ": no classes found"), e.getMessage());

        Path flat = dir.resolve("flat");
        write(flat.resolve("1.png"), PGM);
        write(flat.resolve("2.png"), PGM);
        BadInputException f = assertThrows(BadInputException.class, () -> DatasetReader.open(flat));
        assertTrue(f.getMessage().contains("lie directly in the root"), f.getMessage());

        Path textOnly = dir.resolve("text");
        write(textOnly.resolve("a/readme.txt"), PGM);
        assertThrows(BadInputException.class, () -> DatasetReader.open(textOnly));

        Path notZip = dir.resolve("data.zip");
        write(notZip, "not a zip".getBytes(StandardCharsets.UTF_8));
        assertEquals(notZip + ": not a folder or a zip archive",
                assertThrows(BadInputException.class, () -> DatasetReader.open(notZip)).getMessage());

        Path emptyZip = TestZips.write(dir.resolve("e.zip"), TestZips.zip(TestZips.entries("a/b.txt", "x")));
        assertThrows(BadInputException.class, () -> DatasetReader.open(emptyZip));
    }

    @Test
    void loadDecodesSkipsAndCountsUnreadableImages() throws IOException {
        Path root = dir.resolve("faces");
        write(root.resolve("good/1.pgm"), PGM);
        write(root.resolve("good/2.pgm"), PGM);
        write(root.resolve("good/3.pgm"), "garbage".getBytes(StandardCharsets.UTF_8));
        write(root.resolve("bad/1.png"), new byte[0]);
        write(root.resolve("single/1.pgm"), PGM);
        List<String> warnings = new ArrayList<>();
        LoadedDataset loaded;
        try (ImageDataset ds = DatasetReader.open(root)) {
            loaded = LoadedDataset.load(ds, img -> new float[] {img.get(0, 0), img.width()}, warnings::add);
        }
        assertEquals(List.of("good", "single"), loaded.classes().stream().map(LoadedDataset.LoadedClass::name).toList());
        assertEquals(2, loaded.skippedCount());
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains(root.resolve("bad/1.png").toString()), warnings.get(0));
        assertTrue(warnings.get(1).contains("left out class 'bad'"), warnings.get(1));
        assertTrue(warnings.get(2).contains(root.resolve("good/3.pgm") + ": not an image"), warnings.get(2));
        LoadedDataset.LoadedClass good = loaded.find("good");
        assertEquals(List.of("1.pgm", "2.pgm"), good.imageNames());
        assertEquals(1f, good.images().get(0)[0]);
        assertEquals(2f, good.images().get(0)[1]);
        assertEquals(List.of("single"), loaded.classesWithFewerThan(2).stream().map(LoadedDataset.LoadedClass::name).toList());
        assertEquals(1, loaded.withMinImages(2).classCount());
    }

    @Test
    void loadFromZipInParallel() throws IOException {
        List<Object> entries = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            for (int i = 0; i < 5; i++) {
                entries.add("set/Alpha" + c % 3 + "/char" + c + "/" + i + ".pgm");
                entries.add(PGM);
            }
        }
        Path z = TestZips.write(dir.resolve("set.zip"), TestZips.zip(TestZips.entries(entries.toArray())));
        Consumer<String> noWarnings = w -> {
            throw new AssertionError(w);
        };
        try (ImageDataset ds = DatasetReader.open(z)) {
            LoadedDataset loaded = LoadedDataset.load(ds, img -> img.pixels().clone(), noWarnings);
            assertEquals(12, loaded.classCount());
            assertEquals(60, loaded.imageCount());
            assertEquals(List.of("Alpha0", "Alpha1", "Alpha2"), loaded.groups());
            assertEquals(0, loaded.skippedCount());
        }
    }

    @Test
    void aPreparerLeavesImagesOutWithAReasonCountedButNotWarnedAbout() throws IOException {
        Path root = dir.resolve("photos");
        write(root.resolve("ann/1.pgm"), PGM);
        write(root.resolve("ann/2.pgm"), PGM);
        write(root.resolve("ann/3.pgm"), PGM);
        write(root.resolve("bob/1.pgm"), PGM);
        List<String> warnings = new ArrayList<>();
        int[] calls = {0};
        LoadedDataset loaded;
        try (ImageDataset ds = DatasetReader.open(root)) {
            loaded = LoadedDataset.loadPrepared(ds, img -> {
                synchronized (calls) {
                    calls[0]++;
                }
                return LoadedDataset.PreparedImage.leftOut("no face found");
            }, warnings::add);
        }
        assertEquals(4, calls[0]);
        assertEquals(java.util.Map.of("no face found", 4), loaded.leftOutCounts());
        assertEquals(0, loaded.skippedCount());
        assertEquals(0, loaded.classCount());
        // only the emptied classes are warned about, not every image
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("left out class 'ann'"), warnings.get(0));
        assertThrows(IllegalArgumentException.class, () -> new LoadedDataset.PreparedImage(null, null));
        assertThrows(IllegalArgumentException.class, () -> new LoadedDataset.PreparedImage(new float[1], "both"));
    }

    @Test
    void combinedSourcesKeepEqualClassNamesApartUnderTheirLabels() {
        LoadedDataset lfw = LoadedDataset.of(List.of(cls("Ann", ""), cls("Bob", "")));
        LoadedDataset omni = LoadedDataset.of(List.of(cls("Latin/char01", "Latin"), cls("Ann", "")));
        assertEquals(java.util.Map.of("Ann", 2), DataSources.sharedNames(List.of(lfw, omni)));
        LoadedDataset all = LoadedDataset.combine(List.of("lfw", "omni"), List.of(lfw, omni));
        assertEquals(List.of("lfw/Ann", "lfw/Bob", "omni/Latin/char01", "omni/Ann"), names(all.classes()));
        assertEquals("omni/Latin", all.find("omni/Latin/char01").group());
        assertEquals("", all.find("lfw/Ann").group(), "a source without groups adds none");
        assertEquals(List.of("omni/Latin"), all.groups());
        assertThrows(IllegalArgumentException.class, () -> LoadedDataset.combine(List.of("x", "x"), List.of(lfw, omni)));
        assertThrows(IllegalArgumentException.class, () -> LoadedDataset.combine(List.of("a/b", "c"), List.of(lfw, omni)));
    }

    private static LoadedDataset.LoadedClass cls(String name, String group) {
        return new LoadedDataset.LoadedClass(name, group, List.of("1.png", "2.png"), List.of(new float[1], new float[1]));
    }

    private static List<String> names(List<? extends DatasetClass> classes) {
        return classes.stream().map(DatasetClass::name).toList();
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
