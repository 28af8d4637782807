package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.siamese4j.engine.BadInputException;

class CascadeParserTest {
    @TempDir
    Path dir;

    @Test
    void parsesHandMadeCascadeWithTreesAndTiltedFeatures() {
        HaarCascade c = TestCascades.parse(TestCascades.SMALL);
        assertEquals(12, c.windowWidth());
        assertEquals(12, c.windowHeight());
        assertEquals(2, c.stageCount());
        assertEquals(3, c.treeCount());
        assertEquals(3, c.featureCount());
        assertEquals(2, c.maxNodesPerTree());
        assertTrue(c.hasTiltedFeatures());
        assertArrayEquals(new int[] {0, 1, 3}, c.stageTreeStart());
        assertArrayEquals(new int[] {0, 1, 3, 4}, c.treeNodeStart());
        assertArrayEquals(new int[] {0, 2, 5, 7}, c.treeLeafStart());
        assertArrayEquals(new int[] {0, 1, -1, 0}, c.nodeLeft());
        assertArrayEquals(new int[] {-1, 0, -2, -1}, c.nodeRight());
        assertArrayEquals(new int[] {0, 1, 2, 2}, c.nodeFeature());
        assertArrayEquals(new float[] {0.1f, -0.05f, 0.02f, 0f}, c.nodeThreshold());
        assertArrayEquals(new float[] {-1f, 1f, 0.4f, -0.75f, 0.6f, -0.3f, 0.2f}, c.leafValues());
        // OpenCV lowers every stage threshold by 1e-5 on load
        assertArrayEquals(new float[] {-0.5f - 1e-5f, -0.25f - 1e-5f}, c.stageThresholds());
        assertArrayEquals(new boolean[] {false, false, true}, c.featureTilted());
        assertArrayEquals(new int[] {0, 0, 12, 12, 0, 0, 12, 6, 0, 0, 0, 0}, slice(c.featureRects(), 0, 12));
        assertArrayEquals(new int[] {6, 1, 4, 3, 7, 2, 2, 1, 5, 3, 1, 2}, slice(c.featureRects(), 24, 36));
        assertArrayEquals(new float[] {-1f, 2f, 0f, -1f, 3f, 0f, -1f, 2f, 1.5f}, c.featureWeights());
        assertTrue(c.toString().contains("test.xml"));
    }

    @Test
    void parsesOpenCvFrontalFaceCascade() {
        HaarCascade c = HaarCascade.builtIn();
        assertEquals(24, c.windowWidth());
        assertEquals(24, c.windowHeight());
        assertEquals(25, c.stageCount());
        assertEquals(2913, c.treeCount());
        assertEquals(2913, c.featureCount());
        assertEquals(1, c.maxNodesPerTree());
        assertFalse(c.hasTiltedFeatures());
        // first stump of the file: "0 -1 0 -3.1511999666690826e-02", leaves 2.0875380039215088 -2.2172100543975830
        assertEquals(-3.1511999666690826e-02f, c.nodeThreshold()[0]);
        assertEquals(2.0875380039215088f, c.leafValues()[0]);
        assertEquals(-2.2172100543975830f, c.leafValues()[1]);
        assertEquals(-5.0425500869750977f - HaarCascade.STAGE_THRESHOLD_EPS, c.stageThresholds()[0]);
    }

    @Test
    void refusesExternalEntity() throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE opencv_storage [\n  <!ENTITY xxe SYSTEM \""
                + secret.toUri() + "\">\n]>\n<opencv_storage><cascade><stageType>&xxe;</stageType></cascade>"
                + "</opencv_storage>\n";
        Path file = write("xxe.xml", xml);
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(file));
        assertOneLineNaming(e, file);
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("TOP-SECRET"), e.getMessage());
    }

    @Test
    void refusesAnyDoctype() {
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE opencv_storage>\n" + TestCascades.SMALL.substring(
                TestCascades.SMALL.indexOf("<opencv_storage>"));
        Path file = write("doctype.xml", xml);
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(file));
        assertOneLineNaming(e, file);
        assertTrue(e.getMessage().contains("DOCTYPE declarations are not allowed"), e.getMessage());
    }

    @Test
    void refusesBillionLaughs() {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            xml.append(" <!ENTITY lol").append(i).append(" \"");
            for (int j = 0; j < 10; j++) {
                xml.append("&lol").append(i == 1 ? "" : String.valueOf(i - 1)).append(';');
            }
            xml.append("\">\n");
        }
        xml.append("]>\n<opencv_storage><cascade><stageType>&lol9;</stageType></cascade></opencv_storage>\n");
        Path file = write("lolz.xml", xml.toString());
        long start = System.nanoTime();
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(file));
        assertOneLineNaming(e, file);
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "refusal must be immediate");
    }

    @Test
    void refusesTruncatedFileAtEveryTenthByte() {
        byte[] xml = TestCascades.SMALL.getBytes(StandardCharsets.UTF_8);
        for (int length = 1; length < xml.length - 20; length += 10) {
            byte[] cut = Arrays.copyOf(xml, length);
            BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(cut, "cut.xml"),
                    "truncated at " + length);
            assertOneLine(e);
            assertTrue(e.getMessage().contains("cut.xml"), e.getMessage());
        }
    }

    @Test
    void refusesTruncatedRealCascade() throws IOException {
        byte[] real = TestCascades.builtInCascadeBytes();
        for (double fraction : new double[] {0.05, 0.5, 0.95, 0.9999}) {
            Path file = dir.resolve("truncated-" + fraction + ".xml");
            Files.write(file, Arrays.copyOf(real, (int) (real.length * fraction)));
            BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(file));
            assertOneLineNaming(e, file);
        }
    }

    static Stream<Arguments> nonsense() {
        String s = TestCascades.SMALL;
        return Stream.of(
                Arguments.of("negative width", s.replace("<width>12</width>", "<width>-12</width>"), "width"),
                Arguments.of("zero height", s.replace("<height>12</height>", "<height>0</height>"), "height"),
                Arguments.of("huge window", s.replace("<width>12</width>", "<width>100000</width>"), "width"),
                Arguments.of("absurd stageNum", s.replace("<stageNum>2</stageNum>", "<stageNum>1000000000</stageNum>"),
                        "stageNum"),
                Arguments.of("stageNum mismatch", s.replace("<stageNum>2</stageNum>", "<stageNum>3</stageNum>"),
                        "stageNum is 3 but the file has 2 stages"),
                Arguments.of("fewer stages declared", s.replace("<stageNum>2</stageNum>", "<stageNum>1</stageNum>"),
                        "more stages than stageNum 1"),
                Arguments.of("featureIdx out of range", s.replace("0 -1 2 0.</internalNodes>",
                        "0 -1 7 0.</internalNodes>"), "featureIdx 7"),
                Arguments.of("negative featureIdx", s.replace("0 -1 2 0.</internalNodes>",
                        "0 -1 -3 0.</internalNodes>"), "featureIdx -3"),
                Arguments.of("NaN threshold", s.replace("0 -1 2 0.</internalNodes>", "0 -1 2 NaN</internalNodes>"),
                        "not a finite decimal number"),
                Arguments.of("infinite leaf", s.replace("-3.0e-01 2.0e-01", "-3.0e-01 1e999"), "out of float range"),
                Arguments.of("NaN stage threshold", s.replace("<stageThreshold>-2.5e-01", "<stageThreshold>nan"),
                        "stageThreshold of stage 1"),
                Arguments.of("rect outside window", s.replace("0 0 12 6 2.", "0 8 12 6 2."),
                        "is not inside the 12x12 window"),
                Arguments.of("negative rect", s.replace("4 2 3 4 3.", "-4 2 3 4 3."), "is not inside"),
                Arguments.of("tilted rect outside", s.replace("7 2 2 1 2.", "0 2 2 1 2."),
                        "tilted rectangle 1"),
                Arguments.of("four rects", s.replace("5 3 1 2 1.5</_>", "5 3 1 2 1.5</_><_>0 0 1 1 1.</_>"),
                        "more than 3 rectangles"),
                Arguments.of("absurd weight", s.replace("4 2 3 4 3.", "4 2 3 4 3e30"), "is outside [-10000, 10000]"),
                Arguments.of("rect with four numbers", s.replace("0 0 12 6 2.", "0 0 12 6"), "'x y w h weight'"),
                Arguments.of("huge rect list", s.replace("0 0 12 6 2.", "0 0 12 6 2." + " 1".repeat(300_000)),
                        "got 300005 numbers"),
                Arguments.of("huge text", s.replace("0 0 12 6 2.", "0 0 12 6 2." + " 1".repeat(600_000)),
                        "holds more than 1048576 characters"),
                Arguments.of("leaf count", s.replace("-1. 1.</leafValues>", "-1. 1. 2.</leafValues>"),
                        "needs 2 leafValues, got 3"),
                Arguments.of("node groups", s.replace("0 -1 0 1.0000000149011612e-01", "0 -1 0"), "groups of 4"),
                Arguments.of("cyclic tree", s.replace("1 0 1 -5.0e-02 -1 -2 2 2.0e-02", "1 0 1 -5.0e-02 0 -2 2 2.0e-02"),
                        "leaf 0 is referenced 2 times"),
                Arguments.of("child before parent", s.replace("1 0 1 -5.0e-02 -1 -2 2 2.0e-02",
                        "1 0 1 -5.0e-02 1 -2 2 2.0e-02"), "child node 1"),
                Arguments.of("maxWeakCount mismatch", s.replace("<maxWeakCount>1</maxWeakCount>",
                        "<maxWeakCount>4</maxWeakCount>"), "has 1 weak classifiers but maxWeakCount 4"),
                Arguments.of("too many weak classifiers", s.replaceFirst(
                        "<maxWeakCount>2</maxWeakCount>(\\s*<stageThreshold>)", "<maxWeakCount>1</maxWeakCount>$1"),
                        "more weak classifiers than its maxWeakCount"),
                Arguments.of("LBP cascade", s.replace("<featureType>HAAR", "<featureType>LBP"), "featureType 'LBP'"),
                Arguments.of("categorical", s.replace("<maxCatCount>0", "<maxCatCount>256"), "maxCatCount 256"),
                Arguments.of("stage type", s.replace("<stageType>BOOST", "<stageType>GAB"), "stageType 'GAB'"),
                Arguments.of("tilted 2", s.replace("<tilted>1</tilted>", "<tilted>2</tilted>"), "must be 0 or 1"),
                Arguments.of("missing features", s.substring(0, s.indexOf("  <features>")) + "</cascade>\n"
                        + "</opencv_storage>\n", "has no <features>"),
                Arguments.of("missing stageThreshold", s.replace("<stageThreshold>-2.5e-01</stageThreshold>", ""),
                        "stage 1 has no <stageThreshold>"),
                Arguments.of("missing leafValues", s.replaceFirst("<leafValues>\\s*-1\\. 1\\.</leafValues>", ""),
                        "has no <leafValues>"),
                Arguments.of("duplicate width", s.replace("<width>12</width>", "<width>12</width><width>12</width>"),
                        "more than one <width>"),
                Arguments.of("unexpected element", s.replace("<tilted>0</tilted>", "<tilt>0</tilt>"),
                        "unexpected <tilt>"),
                Arguments.of("text in structure", s.replace("<stages>", "<stages>oops"), "unexpected text"),
                Arguments.of("integer with fraction", s.replace("0 -1 2 0.</internalNodes>",
                        "0.5 -1 2 0.</internalNodes>"), "'0.5' is not an integer"),
                Arguments.of("no cascade", "<?xml version=\"1.0\"?><opencv_storage><other/></opencv_storage>",
                        "no <cascade> element"),
                Arguments.of("wrong root", "<?xml version=\"1.0\"?><html><body/></html>", "not an OpenCV cascade"),
                Arguments.of("old format", "<?xml version=\"1.0\"?><opencv_storage><haarcascade_frontalface_alt "
                        + "type_id=\"opencv-haar-classifier\"><size>20 20</size></haarcascade_frontalface_alt>"
                        + "</opencv_storage>", "old-style (OpenCV 1.x) cascade"),
                Arguments.of("not xml", "this is not xml at all", "line 1"),
                Arguments.of("deep nesting", "<opencv_storage>" + "<a>".repeat(100) + "</a>".repeat(100)
                        + "</opencv_storage>", "nested deeper than"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonsense")
    void refusesNonsenseWithClearMessage(String what, String xml, String expected) {
        Path file = write("bad.xml", xml);
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(file));
        assertOneLineNaming(e, file);
        assertTrue(e.getMessage().contains(expected), () -> what + ": " + e.getMessage());
    }

    @Test
    void refusesMissingEmptyDirectoryAndOversizedFiles() throws IOException {
        Path missing = dir.resolve("missing.xml");
        assertOneLineNaming(assertThrows(BadInputException.class, () -> CascadeParser.parse(missing)), missing);
        Path empty = write("empty.xml", "");
        assertOneLineNaming(assertThrows(BadInputException.class, () -> CascadeParser.parse(empty)), empty);
        assertOneLineNaming(assertThrows(BadInputException.class, () -> CascadeParser.parse(dir)), dir);
        Path huge = dir.resolve("huge.xml");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(CascadeParser.MAX_FILE_BYTES + 1); // sparse: costs no disk
        }
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(huge));
        assertOneLineNaming(e, huge);
        assertTrue(e.getMessage().contains("64 MiB"), e.getMessage());
    }

    @Test
    void refusesInvalidEncoding() {
        byte[] xml = TestCascades.SMALL.replace("BOOST", "BO\u00e9ST").getBytes(StandardCharsets.ISO_8859_1);
        BadInputException e = assertThrows(BadInputException.class, () -> CascadeParser.parse(xml, "latin1.xml"));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("latin1.xml"), e.getMessage());
    }

    private Path write(String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertOneLine(BadInputException e) {
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
    }

    private static void assertOneLineNaming(BadInputException e, Path file) {
        assertOneLine(e);
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static int[] slice(int[] a, int from, int to) {
        return Arrays.copyOfRange(a, from, to);
    }
}
