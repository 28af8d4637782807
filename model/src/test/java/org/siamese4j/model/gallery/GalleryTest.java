package org.siamese4j.model.gallery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.siamese4j.model.gallery.GalleryTestSupport.DIM;
import static org.siamese4j.model.gallery.GalleryTestSupport.embedding;
import static org.siamese4j.model.gallery.GalleryTestSupport.embeddings;
import static org.siamese4j.model.gallery.GalleryTestSupport.header;
import static org.siamese4j.model.gallery.GalleryTestSupport.model;
import static org.siamese4j.model.gallery.GalleryTestSupport.raw;
import static org.siamese4j.model.gallery.GalleryTestSupport.sources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.io.WriteLock;

/** The gallery API and file: round trips, updates, identification and the refusals. */
class GalleryTest {
    @TempDir
    static Path models;

    @TempDir
    Path dir;

    static SiameseModel model;
    static SiameseModel other;

    @BeforeAll
    static void models() {
        model = model(models, 1);
        other = model(models, 2);
    }

    private static Gallery threePeople(Random random) {
        Gallery g = Gallery.create(model.sha256(), DIM);
        g.put("Alice Smith", embeddings(random, 1), List.of("alice.jpg"));
        g.put("Bob", embeddings(random, 3), sources("bob/", 3));
        g.put("Zoë Ñandú 李", embeddings(random, 2), List.of("z 1.png", "z 2.png"));
        return g;
    }

    @Test
    void roundTripKeepsEverything() {
        Random random = new Random(1);
        Gallery g = threePeople(random);
        Path file = dir.resolve("people.gallery");
        String sha = g.save(file);
        assertEquals(64, sha.length());
        assertEquals(file.toString(), g.displayName());

        Gallery back = Gallery.load(file);
        assertEquals(List.of("Alice Smith", "Bob", "Zoë Ñandú 李"), back.names());
        assertEquals(3, back.size());
        assertEquals(6, back.embeddingCount());
        assertEquals(model.sha256(), back.modelSha256());
        assertEquals(DIM, back.embeddingSize());
        for (String name : g.names()) {
            Gallery.Person a = g.person(name).orElseThrow();
            Gallery.Person b = back.person(name).orElseThrow();
            assertEquals(a.sources(), b.sources());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.embedding(i), b.embedding(i), name);
            }
        }
        float[] query = embedding(random);
        assertEquals(g.identify(model, query, 3), back.identify(model, query, 3));
        back.checkModel(model);
    }

    @Test
    void emptyGalleryRoundTripsButCannotIdentify() {
        Gallery g = Gallery.create(model.sha256(), DIM);
        Path file = dir.resolve("empty.gallery");
        g.save(file);
        Gallery back = Gallery.load(file);
        assertTrue(back.isEmpty());
        BadInputException e = assertThrows(BadInputException.class, () -> back.identify(model, new float[DIM], 1));
        assertEquals("gallery " + file + " is empty; enrol at least one person first", e.getMessage());
    }

    @Test
    void putUpdatesAPersonInPlace() {
        Random random = new Random(2);
        Gallery g = threePeople(random);
        List<float[]> fresh = embeddings(random, 2);
        assertTrue(g.put("Bob", fresh, List.of("new1.jpg", "new2.jpg")));
        assertFalse(g.put("Carol", embeddings(random, 1), List.of("carol.jpg")));
        assertEquals(List.of("Alice Smith", "Bob", "Zoë Ñandú 李", "Carol"), g.names());
        Path file = dir.resolve("g.gallery");
        g.save(file);
        Gallery.Person bob = Gallery.load(file).person("Bob").orElseThrow();
        assertEquals(List.of("new1.jpg", "new2.jpg"), bob.sources());
        assertArrayEquals(fresh.get(1), bob.embedding(1));

        assertTrue(g.remove("Alice Smith"));
        assertFalse(g.remove("Alice Smith"));
        assertEquals(List.of("Bob", "Zoë Ñandú 李", "Carol"), g.names());
    }

    @Test
    void putCopiesItsArguments() {
        Gallery g = Gallery.create(model.sha256(), DIM);
        float[] e = new float[DIM];
        g.put("A", List.of(e), List.of("a.jpg"));
        e[0] = 42;
        assertEquals(0f, g.person("A").orElseThrow().embedding(0)[0]);
    }

    @Test
    void identifyRanksPeopleByTheirBestEmbedding() {
        Random random = new Random(3);
        Gallery g = Gallery.create(model.sha256(), DIM);
        List<List<float[]>> all = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            List<float[]> es = embeddings(random, 1 + i % 4);
            all.add(es);
            g.put("person " + i, es, sources("p" + i + "-", es.size()));
        }
        float[] query = embedding(random);
        // brute force: each person's max over their embeddings, sorted
        record Expected(String name, float p, String source) {
        }
        List<Expected> expected = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            float best = -1;
            int which = 0;
            for (int j = 0; j < all.get(i).size(); j++) {
                float p = model.score(query, all.get(i).get(j));
                if (p > best) {
                    best = p;
                    which = j;
                }
            }
            expected.add(new Expected("person " + i, best, "p" + i + "-" + which + ".jpg"));
        }
        expected.sort(Comparator.comparingDouble((Expected x) -> -x.p()));
        List<Gallery.Match> top = g.identify(model, query, 5);
        assertEquals(5, top.size());
        for (int r = 0; r < 5; r++) {
            assertEquals(expected.get(r).name(), top.get(r).name(), "rank " + r);
            assertEquals(expected.get(r).p(), top.get(r).probability(), "rank " + r);
            assertEquals(expected.get(r).source(), top.get(r).source(), "rank " + r);
        }
        assertEquals(40, g.identify(model, query, 1000).size());
        assertThrows(IllegalArgumentException.class, () -> g.identify(model, query, 0));
        assertThrows(IllegalArgumentException.class, () -> g.identify(model, new float[3], 1));
    }

    @Test
    void anIdenticalEmbeddingScoresLikeTheModelSaysAndTiesKeepEnrolmentOrder() {
        Random random = new Random(4);
        Gallery g = Gallery.create(model.sha256(), DIM);
        float[] same = embedding(random);
        g.put("first", List.of(same), List.of("a.jpg"));
        g.put("second", List.of(same.clone()), List.of("b.jpg"));
        List<Gallery.Match> top = g.identify(model, same, 2);
        assertEquals("first", top.get(0).name());
        assertEquals("second", top.get(1).name());
        assertEquals(model.score(same, same), top.get(0).probability());
    }

    @Test
    void anotherModelIsRefused() {
        Gallery g = threePeople(new Random(5));
        Path file = dir.resolve("faces.gallery");
        g.save(file);
        Gallery back = Gallery.load(file);
        BadInputException e = assertThrows(BadInputException.class, () -> back.checkModel(other));
        assertEquals("gallery " + file + " was made with model " + model.sha256().substring(0, 8) + ", not "
                + other.sha256().substring(0, 8) + "; enrol again with the same model", e.getMessage());
        assertThrows(BadInputException.class, () -> back.identify(other, new float[DIM], 1));
    }

    @Test
    void invalidNamesAndValuesAreRefusedByPut() {
        Gallery g = Gallery.create(model.sha256(), DIM);
        List<float[]> one = List.of(new float[DIM]);
        for (String bad : List.of("", " ", " Alice", "Alice ", "Al\nice", "Al\tice", "a".repeat(201), "x\u2028y", "\ud800")) {
            BadInputException e = assertThrows(BadInputException.class, () -> g.put(bad, one, List.of("a.jpg")), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertThrows(BadInputException.class, () -> g.put("A", one, List.of("a\nb.jpg")));
        assertThrows(BadInputException.class, () -> g.put("A", one, List.of("")));
        float[] nan = new float[DIM];
        nan[7] = Float.NaN;
        assertThrows(BadInputException.class, () -> g.put("A", List.of(nan), List.of("a.jpg")));
        assertThrows(IllegalArgumentException.class, () -> g.put("A", List.of(new float[3]), List.of("a.jpg")));
        assertThrows(IllegalArgumentException.class, () -> g.put("A", List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> g.put("A", one, List.of("a.jpg", "b.jpg")));
        assertTrue(g.isEmpty());
        g.put("a".repeat(200), one, List.of("a.jpg"));
        assertThrows(IllegalArgumentException.class, () -> Gallery.create("abc", DIM));
        assertThrows(IllegalArgumentException.class, () -> Gallery.create(model.sha256(), 0));
    }

    @Test
    void aSecondWriterGetsAClearError() {
        Gallery g = threePeople(new Random(6));
        Path file = dir.resolve("locked.gallery");
        try (WriteLock lock = WriteLock.acquire(file)) {
            BadInputException e = assertThrows(BadInputException.class, () -> g.save(file));
            assertTrue(e.getMessage().contains("in use by another siamese4j process"), e.getMessage());
            g.save(file, lock); // the holder may write
        }
        assertEquals(3, Gallery.load(file).size());
        try (WriteLock lock = WriteLock.acquire(dir.resolve("elsewhere.gallery"))) {
            assertThrows(IllegalArgumentException.class, () -> g.save(file, lock));
        }
    }

    @Test
    void missingAndForeignFilesAreClearErrors() throws Exception {
        Path missing = dir.resolve("nope.gallery");
        BadInputException e = assertThrows(BadInputException.class, () -> Gallery.load(missing));
        assertTrue(e.getMessage().startsWith(missing.toString()) && e.getMessage().contains("not found"), e.getMessage());
        Path text = dir.resolve("text.gallery");
        Files.writeString(text, "hello, I am not a gallery at all, just some text");
        e = assertThrows(BadInputException.class, () -> Gallery.load(text));
        assertTrue(e.getMessage().contains("not a siamese4j face gallery"), e.getMessage());
    }

    // ----------------------------------------------------------------------------- forged files

    private static final String SHA = "ab".repeat(32);

    private static String loadError(byte[] data) {
        BadInputException e = assertThrows(BadInputException.class, () -> Gallery.load(data, "forged.gallery"));
        GalleryTestSupport.assertOneLineNaming(e.getMessage(), "forged.gallery", "forged");
        return e.getMessage();
    }

    @Test
    void aValidHandBuiltFileLoads() {
        Gallery g = Gallery.load(raw(header(SHA, 2, 2, 3), "A\nB C\n", new int[] {1, 2}, "a\nb1\nb2\n",
                new float[] {1, 2, 3, 4, 5, 6}), "ok.gallery");
        assertEquals(List.of("A", "B C"), g.names());
        assertEquals(List.of("b1", "b2"), g.person("B C").orElseThrow().sources());
        assertArrayEquals(new float[] {5, 6}, g.person("B C").orElseThrow().embedding(1));
    }

    @Test
    void duplicateNamesInAFileAreRefused() {
        String m = loadError(raw(header(SHA, 2, 2, 2), "A\nA\n", new int[] {1, 1}, "a\nb\n", new float[4]));
        assertTrue(m.contains("'A' appears twice"), m);
    }

    @Test
    void invalidFilesAreRefusedWithTheReason() {
        float[] four = new float[4];
        record Case(byte[] data, String reason) {
        }
        List<Case> cases = List.of(
                new Case(raw(header(SHA, 2, 2, 2), "A\n\n", new int[] {1, 1}, "a\nb\n", four), "name is empty"),
                new Case(raw(header(SHA, 2, 2, 2), "A\n B\n", new int[] {1, 1}, "a\nb\n", four), "leading or trailing"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\u0007\n", new int[] {1, 1}, "a\nb\n", four), "control character"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\nC\n", new int[] {1, 1}, "a\nb\n", four), "more than 2 lines"),
                new Case(raw(header(SHA, 2, 2, 2), "A\n", new int[] {1, 1}, "a\nb\n", four), "1 lines, expected 2"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB", new int[] {1, 1}, "a\nb\n", four), "newline"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {1, 1}, "a\n\n", four), "invalid source"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {2, 0}, "a\nb\n", four), "has 0 embeddings"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {1, 2}, "a\nb\n", four), "3 embeddings in all"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {1}, "a\nb\n", four), "'counts' has 1 ints, expected 2"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", new float[5]), "has 5 floats, expected 4"),
                new Case(raw(header(SHA, 3, 2, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "has 4 floats, expected 6"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", new float[] {0, Float.NaN, 0, 0}), "NaN"),
                new Case(raw(header(SHA, 2, 2, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", new float[] {0, 0, Float.POSITIVE_INFINITY, 0}), "NaN or infinity"),
                new Case(raw(header("AB".repeat(32), 2, 2, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "model-sha256"),
                new Case(raw(header(SHA, 0, 2, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "embedding-size = 0"),
                new Case(raw(header(SHA, 2, -1, 2), "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "people = -1"),
                new Case(raw(header(SHA, 2, 2, 0), "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "0 embeddings for 2 people"),
                new Case(raw("model-sha256=" + SHA + "\npeople=2\nembeddings=2\n", "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "lacks 'embedding-size'"),
                new Case(raw(header(SHA, 2, 2, 2).replace("people=2", "people=two"), "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "not an integer"),
                new Case(raw("not key value", "A\nB\n", new int[] {1, 1}, "a\nb\n", four), "invalid header"));
        for (Case c : cases) {
            String m = loadError(c.data());
            assertTrue(m.contains(c.reason()), "expected '" + c.reason() + "' in: " + m);
        }
        // a missing section and a section of the wrong type
        byte[] noNames = new org.siamese4j.model.io.ContainerWriter().putText("header", header(SHA, 2, 1, 1))
                .putInts("counts", new int[] {1}).putText("sources", "a\n").putFloats("embeddings", new float[2])
                .toBytes("S4JGALRY", 1);
        assertTrue(loadError(noNames).contains("'names' is missing"));
        byte[] floatNames = new org.siamese4j.model.io.ContainerWriter().putText("header", header(SHA, 2, 1, 1))
                .putFloats("names", new float[1]).putInts("counts", new int[] {1}).putText("sources", "a\n")
                .putFloats("embeddings", new float[2]).toBytes("S4JGALRY", 1);
        assertTrue(loadError(floatNames).contains("'names' holds float32"));
    }

    @Test
    void hugeCountsAreRefusedBeforeAllocating() {
        record Case(String header, int[] counts, String reason) {
        }
        List<Case> cases = List.of(
                new Case(header(SHA, 2, Integer.MAX_VALUE, 2), new int[] {1, 1}, "people = 2147483647"),
                new Case(header(SHA, 2, Gallery.MAX_PEOPLE, Gallery.MAX_PEOPLE), new int[] {1, 1}, "'counts' has 2 ints, expected 1,000,000"),
                new Case(header(SHA, 1 << 20, 2, 2), new int[] {1, 1}, "embedding-size = 1048576"),
                new Case(header(SHA, Gallery.MAX_EMBEDDING_SIZE, 1000, 1000 * Gallery.MAX_EMBEDDINGS_PER_PERSON), new int[] {1, 1}, "too many to hold"),
                new Case(header(SHA, 2, 2, Integer.MAX_VALUE), new int[] {1, 1}, "2147483647 embeddings for 2 people"),
                new Case(header(SHA, 2, 2, 2).replace("people=2", "people=99999999999999999999"), new int[] {1, 1}, "not an integer"),
                new Case(header(SHA, 2, 2, 2), new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE + 3}, "2147483647 embeddings"),
                new Case(header(SHA, 2, 2, 2), new int[] {-1, 3}, "has -1 embeddings"));
        for (Case c : cases) {
            String m = loadError(raw(c.header(), "A\nB\n", c.counts(), "a\nb\n", new float[4]));
            assertTrue(m.contains(c.reason()), "expected '" + c.reason() + "' in: " + m);
        }
        // a names section far larger than the header allows is refused before it is decoded
        String manyNames = "N\n".repeat(10_000);
        String m = loadError(raw(header(SHA, 2, 1, 1), manyNames, new int[] {1}, "a\n", new float[2]));
        assertTrue(m.contains("section 'names' holds 20000 bytes, at most 601 expected"), m);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void truncationAtEveryOffsetIsRefused() {
        byte[] bytes = threePeople(new Random(7)).toBytes();
        for (int length = 0; length < bytes.length; length++) {
            loadError(Arrays.copyOf(bytes, length));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everySingleBitFlipIsRefused() {
        Gallery g = Gallery.create(SHA, 4);
        g.put("Ann", List.of(new float[] {1, 2, 3, 4}), List.of("ann.jpg"));
        g.put("Bo", List.of(new float[] {4, 3, 2, 1}, new float[] {0, 0, 0, 0}), List.of("b1.jpg", "b2.jpg"));
        byte[] bytes = g.toBytes();
        for (long bit = 0; bit < bytes.length * 8L; bit++) {
            String m = loadError(org.siamese4j.model.io.Mutations.flipBit(bytes, bit));
            assertFalse(m.isBlank());
        }
        System.out.printf("gallery bit flips: all %d of a %d-byte file refused%n", bytes.length * 8, bytes.length);
    }
}
