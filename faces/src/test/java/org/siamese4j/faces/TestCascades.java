package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Small cascades in OpenCV's XML format, written out here, and access to the real one. */
final class TestCascades {
    private TestCascades() {
    }

    /**
     * A 12x12 cascade using every construct the parser supports: two stages, a stump and a depth-2 tree,
     * an upright two-rectangle feature, an upright three-rectangle feature and a tilted feature.
     */
    static final String SMALL = """
            <?xml version="1.0"?>
            <opencv_storage>
            <cascade type_id="opencv-cascade-classifier"><stageType>BOOST</stageType>
              <featureType>HAAR</featureType>
              <height>12</height>
              <width>12</width>
              <stageParams>
                <maxWeakCount>2</maxWeakCount></stageParams>
              <featureParams>
                <maxCatCount>0</maxCatCount></featureParams>
              <stageNum>2</stageNum>
              <stages>
                <_>
                  <maxWeakCount>1</maxWeakCount>
                  <stageThreshold>-5.0000000000000000e-01</stageThreshold>
                  <weakClassifiers>
                    <_>
                      <internalNodes>
                        0 -1 0 1.0000000149011612e-01</internalNodes>
                      <leafValues>
                        -1. 1.</leafValues></_></weakClassifiers></_>
                <_>
                  <maxWeakCount>2</maxWeakCount>
                  <stageThreshold>-2.5e-01</stageThreshold>
                  <weakClassifiers>
                    <_>
                      <internalNodes>
                        1 0 1 -5.0e-02 -1 -2 2 2.0e-02</internalNodes>
                      <leafValues>
                        4.0e-01 -7.5e-01 6.0e-01</leafValues></_>
                    <_>
                      <internalNodes>
                        0 -1 2 0.</internalNodes>
                      <leafValues>
                        -3.0e-01 2.0e-01</leafValues></_></weakClassifiers></_></stages>
              <features>
                <_>
                  <rects>
                    <_>
                      0 0 12 12 -1.</_>
                    <_>
                      0 0 12 6 2.</_></rects></_>
                <_>
                  <rects>
                    <_>
                      1 2 9 4 -1.</_>
                    <_>
                      4 2 3 4 3.</_></rects>
                  <tilted>0</tilted></_>
                <_>
                  <rects>
                    <_>
                      6 1 4 3 -1.</_>
                    <_>
                      7 2 2 1 2.</_>
                    <_>
                      5 3 1 2 1.5</_></rects>
                  <tilted>1</tilted></_></features></cascade>
            </opencv_storage>
            """;

    /**
     * A 12x12 one-stage cascade that accepts windows whose top half is clearly brighter than the bottom
     * half: feature 0 is (top - bottom), normalised; the stump needs it at least 0.5.
     */
    static final String BRIGHT_OVER_DARK = oneStump(12, 0.5, "0 0 12 12 -1.", "0 0 12 6 2.");

    /**
     * A 24x24 one-stage cascade that fires on a bright blob filling the middle third of the window, on a dark
     * surround: 9 x (middle 8x8) - (whole window), normalised, at least 2.
     */
    static final String BLOB = oneStump(24, 2.0, "0 0 24 24 -1.", "8 8 8 8 9.");

    /**
     * A square one-stage cascade of one Haar feature (weighted rectangles "x y w h weight") whose stump
     * accepts a window when the feature, normalised by the window's contrast, reaches {@code threshold}.
     */
    static String oneStump(int size, double threshold, String... rects) {
        StringBuilder r = new StringBuilder();
        for (String rect : rects) {
            r.append("\n                    <_>").append(rect).append("</_>");
        }
        return """
                <?xml version="1.0"?>
                <opencv_storage>
                <cascade type_id="opencv-cascade-classifier"><stageType>BOOST</stageType>
                  <featureType>HAAR</featureType>
                  <height>%d</height>
                  <width>%d</width>
                  <featureParams><maxCatCount>0</maxCatCount></featureParams>
                  <stageNum>1</stageNum>
                  <stages>
                    <_>
                      <maxWeakCount>1</maxWeakCount>
                      <stageThreshold>0.</stageThreshold>
                      <weakClassifiers>
                        <_>
                          <internalNodes>0 -1 0 %s</internalNodes>
                          <leafValues>-1. 1.</leafValues></_></weakClassifiers></_></stages>
                  <features>
                    <_>
                      <rects>%s</rects></_></features></cascade>
                </opencv_storage>
                """.formatted(size, size, Double.toString(threshold), r);
    }


    static HaarCascade parse(String xml) {
        return CascadeParser.parse(xml.getBytes(StandardCharsets.UTF_8), "test.xml");
    }

    /** The project's data directory, or a skipped test when SIAMESE_DATA is not set. */
    static Path dataDirectory(String skippedWhat) {
        String data = System.getenv("SIAMESE_DATA");
        Assumptions.assumeTrue(data != null && !data.isBlank(), "SIAMESE_DATA not set: skipping " + skippedWhat);
        return Path.of(data);
    }

    /** The bytes of OpenCV's frontal-face cascade as it ships in the faces module. */
    static byte[] builtInCascadeBytes() throws IOException {
        try (InputStream in = HaarCascade.class.getResourceAsStream(HaarCascade.BUILT_IN_FILE)) {
            assertNotNull(in, "the built-in cascade resource");
            return in.readAllBytes();
        }
    }

    /** The elements every item of {@link #SMALL} has, for mutation tests. */
    static final List<String> SMALL_ELEMENTS = List.of("stageType", "featureType", "height", "width", "stageParams",
            "featureParams", "maxCatCount", "stageNum", "stages", "maxWeakCount", "stageThreshold", "weakClassifiers",
            "internalNodes", "leafValues", "features", "rects", "tilted", "_", "cascade", "opencv_storage");
}
