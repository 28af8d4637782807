package org.siamese4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesEveryKindOfValue() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("k", "v");
        String s = Json.object()
                .put("s", "a\"b\\c\n\t\u0001\u2028é😀")
                .put("i", 42)
                .put("l", -7L)
                .put("d", 0.125)
                .put("whole", 2.0)
                .put("f", 0.1f)
                .put("nan", Double.NaN)
                .put("inf", Float.POSITIVE_INFINITY)
                .put("t", true)
                .put("n", null)
                .put("list", List.of(1, "x", false))
                .put("ints", new int[] {1, 2})
                .put("doubles", new double[] {0.5, Double.NEGATIVE_INFINITY})
                .put("floats", new float[] {1.5f})
                .put("map", meta)
                .put("path", Path.of("a", "b"))
                .put("empty", Json.object())
                .toString();
        assertEquals("{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u2028é😀\",\"i\":42,\"l\":-7,\"d\":0.125,\"whole\":2,\"f\":0.1,"
                + "\"nan\":null,\"inf\":null,\"t\":true,\"n\":null,\"list\":[1,\"x\",false],\"ints\":[1,2],"
                + "\"doubles\":[0.5,null],\"floats\":[1.5],\"map\":{\"k\":\"v\"},\"path\":\"a" + java.io.File.separator
                + "b\",\"empty\":{}}", s);
        // and what it writes is valid JSON that reads back to the same values
        Map<String, Object> back = MiniJson.object(s);
        assertEquals("a\"b\\c\n\t\u0001\u2028é😀", back.get("s"));
        assertEquals(0.1, back.get("f"));
        assertEquals(0.5, ((List<?>) back.get("doubles")).get(0));
        assertEquals(null, ((List<?>) back.get("doubles")).get(1));
    }

    @Test
    void unpairedSurrogatesAreEscaped() {
        assertEquals("\"\\ud800x\\udc00\"", Json.write("\ud800x\udc00"));
        MiniJson.parse(Json.write("\ud800x\udc00"));
    }

    @Test
    void largeAndTinyNumbersStayValidJson() {
        for (double d : new double[] {1e300, -1e-300, 1e15, 123456789012345.5, -0.0, Double.MIN_VALUE}) {
            assertEquals(d, (Double) MiniJson.parse(Json.write(d)), 0.0, Json.write(d));
        }
    }

    @Test
    void refusesValuesWithoutAJsonForm() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void testParserIsStrict() {
        for (String bad : new String[] {"{", "{\"a\":1,}", "[1 2]", "{\"a\":01}", "\"\u0001\"", "{} x", "{\"a\":1,\"a\":2}", "NaN"}) {
            assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(bad), bad);
        }
    }
}
