package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * Bounded, seeded fuzzing of the cascade parser: every mutation of a small valid cascade must give either a
 * cascade (which the detector must then run without error) or a one-line {@link BadInputException}.
 */
class CascadeFuzzTest {
    private static final long SEED = 0x5EED_CA5CL;
    private static final int MUTATIONS = 1500;
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d*)?([eE][+-]?\\d+)?");
    private static final String[] ODD_NUMBERS = {"1e308", "-1e308", "1e39", "999999999999", "2147483648",
        "-2147483649", "-1", "-2147483648", "0", "-0", "NaN", "nan", "Infinity", "-Infinity", "0x10", "1e-400",
        "1.5", "", "+", "1e", "٣", "1000000000"};
    private static final String[] JUNK = {"<", ">", "&", "&amp;", "&bogus;", "]]>", "<!DOCTYPE x>", "<?pi x?>",
        "<![CDATA[1 2 3]]>", "<!-- c -->", "<_>", "</_>", "<_/>", "\u0000", "\uFFFF", "<a b='1' b='2'/>"};

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutationGivesACascadeOrBadInput() {
        Random random = new Random(SEED);
        String base = TestCascades.SMALL;
        GrayImage noise = noiseImage(random, 40, 30);
        int parsed = 0;
        long start = System.nanoTime();
        for (int i = 0; i < MUTATIONS; i++) {
            int kind = random.nextInt(7);
            byte[] input = mutate(base, kind, random);
            String source = "fuzz-" + i + ".xml";
            try {
                HaarCascade cascade = CascadeParser.parse(input, source);
                parsed++;
                // a cascade that passed validation must be safe to run
                new FaceDetector(cascade, DetectorOptions.defaults().withMinSize(0).withMinNeighbors(0)).detect(noise);
            } catch (BadInputException e) {
                String message = e.getMessage();
                assertFalse(message.contains("\n") || message.contains("\r"), message);
                assertTrue(message.contains(source), message);
                assertFalse(message.contains("XML parser failed"), "parser crashed on mutation " + i + ": " + message);
            } catch (Throwable t) {
                fail("mutation " + i + " (kind " + kind + ", seed " + SEED + ") threw " + t + " on input:\n"
                        + new String(input, StandardCharsets.UTF_8), t);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("cascade fuzz: %d mutations, %d parsed, %.2f s%n", MUTATIONS, parsed, seconds);
        assertTrue(parsed > 0, "some mutations (number tweaks) should stay valid");
        assertTrue(seconds < 30, "fuzzing took " + seconds + " s");
    }

    @Test
    void mutationsAreReproducible() {
        Random a = new Random(SEED);
        Random b = new Random(SEED);
        for (int i = 0; i < 50; i++) {
            int kind = a.nextInt(7);
            assertEquals(kind, b.nextInt(7));
            assertEquals(new String(mutate(TestCascades.SMALL, kind, a), StandardCharsets.UTF_8),
                    new String(mutate(TestCascades.SMALL, kind, b), StandardCharsets.UTF_8));
        }
    }

    private static byte[] mutate(String xml, int kind, Random random) {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        switch (kind) {
            case 0 -> {
                return Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            case 1 -> {
                byte[] flipped = bytes.clone();
                int flips = 1 + random.nextInt(5);
                for (int f = 0; f < flips; f++) {
                    flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
                }
                return flipped;
            }
            case 2, 3 -> {
                String name = TestCascades.SMALL_ELEMENTS.get(random.nextInt(TestCascades.SMALL_ELEMENTS.size()));
                List<int[]> spans = elementSpans(xml, name);
                if (spans.isEmpty()) {
                    return bytes;
                }
                int[] span = spans.get(random.nextInt(spans.size()));
                String element = xml.substring(span[0], span[1]);
                String mutated = kind == 2
                        ? xml.substring(0, span[0]) + xml.substring(span[1])
                        : xml.substring(0, span[1]) + element + xml.substring(span[1]);
                return mutated.getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                List<int[]> numbers = new ArrayList<>();
                Matcher m = NUMBER.matcher(xml);
                while (m.find()) {
                    numbers.add(new int[] {m.start(), m.end()});
                }
                int[] n = numbers.get(random.nextInt(numbers.size()));
                String replacement = random.nextBoolean()
                        ? ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)]
                        : String.valueOf(random.nextInt(41) - 20);
                return (xml.substring(0, n[0]) + replacement + xml.substring(n[1])).getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                String[] lines = xml.split("\n", -1);
                int a = random.nextInt(lines.length);
                int b = random.nextInt(lines.length);
                String t = lines[a];
                lines[a] = lines[b];
                lines[b] = t;
                return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                int at = random.nextInt(xml.length() + 1);
                String junk = JUNK[random.nextInt(JUNK.length)];
                return (xml.substring(0, at) + junk + xml.substring(at)).getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /** Start and end offsets of each {@code <name ...>...</name>} (the first closing tag after the start). */
    private static List<int[]> elementSpans(String xml, String name) {
        List<int[]> spans = new ArrayList<>();
        String open = "<" + name;
        String close = "</" + name + ">";
        int from = 0;
        while (true) {
            int start = xml.indexOf(open, from);
            if (start < 0) {
                return spans;
            }
            char next = start + open.length() < xml.length() ? xml.charAt(start + open.length()) : ' ';
            int end = xml.indexOf(close, start);
            if ((next == '>' || next == ' ') && end > 0) {
                spans.add(new int[] {start, end + close.length()});
            }
            from = start + 1;
        }
    }

    private static GrayImage noiseImage(Random random, int w, int h) {
        float[] p = new float[w * h];
        for (int i = 0; i < p.length; i++) {
            p[i] = random.nextInt(256);
        }
        return new GrayImage(w, h, p);
    }
}
