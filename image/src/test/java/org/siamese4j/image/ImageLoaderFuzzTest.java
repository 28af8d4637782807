package org.siamese4j.image;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * Seeded, bounded fuzzing of {@link ImageLoader}: mutated versions of small valid images of every format
 * must each give a GrayImage or a BadInputException, never another throwable, and never hang.
 */
class ImageLoaderFuzzTest {

    private static final long SEED = 20150706L;
    private static final int MUTATIONS_PER_SOURCE = 150;
    private static final Duration PER_SOURCE_LIMIT = Duration.ofSeconds(20);
    private static final long PER_DECODE_LIMIT_NANOS = 3_000_000_000L;

    @Test
    void mutatedImagesGiveAnImageOrBadInputOnly() {
        Map<String, byte[]> sources = sources();
        long start = System.nanoTime();
        int total = 0;
        int decoded = 0;
        int sourceIndex = 0;
        for (Map.Entry<String, byte[]> source : sources.entrySet()) {
            long sourceSeed = SEED + 1000L * sourceIndex++;
            int[] counts = assertTimeoutPreemptively(PER_SOURCE_LIMIT,
                    () -> fuzz(source.getKey(), source.getValue(), sourceSeed));
            total += counts[0];
            decoded += counts[1];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("ImageLoader fuzz: %d inputs, %d decoded, %d refused, %.1f s%n",
                total, decoded, total - decoded, seconds);
        assertTrue(total >= 1900, "ran " + total + " mutations");
    }

    /** Runs the mutations of one source; returns {inputs, decoded}. */
    private static int[] fuzz(String label, byte[] original, long sourceSeed) {
        int decoded = 0;
        for (int i = 0; i < MUTATIONS_PER_SOURCE; i++) {
            long seed = sourceSeed + i;
            SplittableRandom rnd = new SplittableRandom(seed);
            StringBuilder how = new StringBuilder();
            byte[] input = mutate(original, rnd, how, label.startsWith("png"));
            String where = label + " mutation #" + i + " (seed " + seed + ", " + how + ")";
            long t0 = System.nanoTime();
            try {
                GrayImage img = ImageLoader.decode(input, "fuzz." + label);
                assertTrue(img.width() > 0 && img.height() > 0, where);
                decoded++;
            } catch (BadInputException e) {
                String m = e.getMessage();
                if (!m.startsWith("fuzz." + label + ": ") || m.contains("\n")) {
                    fail(where + ": badly formed message: " + m);
                }
            } catch (Throwable t) {
                fail(where + ": " + t, t);
            }
            long took = System.nanoTime() - t0;
            if (took > PER_DECODE_LIMIT_NANOS) {
                fail(where + ": decoding took " + took / 1_000_000 + " ms");
            }
        }
        return new int[] {MUTATIONS_PER_SOURCE, decoded};
    }

    private static byte[] mutate(byte[] original, SplittableRandom rnd, StringBuilder how, boolean png) {
        byte[] b = original.clone();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            int kind = rnd.nextInt(6);
            switch (kind) {
                case 0 -> { // flip 1-4 bits
                    int bits = 1 + rnd.nextInt(4);
                    for (int k = 0; k < bits; k++) {
                        int at = rnd.nextInt(b.length);
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                        how.append("flip@").append(at).append(' ');
                    }
                }
                case 1 -> { // overwrite bytes with random or boundary values
                    int n = 1 + rnd.nextInt(8);
                    int at = rnd.nextInt(b.length);
                    for (int k = 0; k < n && at + k < b.length; k++) {
                        byte[] special = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1};
                        b[at + k] = rnd.nextBoolean() ? special[rnd.nextInt(special.length)] : (byte) rnd.nextInt(256);
                    }
                    how.append("overwrite@").append(at).append('x').append(n).append(' ');
                }
                case 2 -> { // truncate
                    int len = rnd.nextInt(b.length);
                    b = Arrays.copyOf(b, Math.max(1, len));
                    how.append("truncate->").append(b.length).append(' ');
                }
                case 3 -> { // insert random bytes
                    int at = rnd.nextInt(b.length + 1);
                    int n = 1 + rnd.nextInt(16);
                    byte[] out = new byte[b.length + n];
                    System.arraycopy(b, 0, out, 0, at);
                    for (int k = 0; k < n; k++) {
                        out[at + k] = (byte) rnd.nextInt(256);
                    }
                    System.arraycopy(b, at, out, at + n, b.length - at);
                    b = out;
                    how.append("insert@").append(at).append('x').append(n).append(' ');
                }
                case 4 -> { // header field edit: a 16- or 32-bit value near the start set to an extreme
                    int at = rnd.nextInt(Math.min(b.length, 48));
                    int width = rnd.nextBoolean() ? 2 : 4;
                    long[] values = {0, 1, 0x7F, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFFL, 0xFFFFFFFFL, 0x80000000L};
                    long v = values[rnd.nextInt(values.length)];
                    boolean bigEndian = rnd.nextBoolean();
                    for (int k = 0; k < width && at + k < b.length; k++) {
                        int shift = 8 * (bigEndian ? width - 1 - k : k);
                        b[at + k] = (byte) (v >>> shift);
                    }
                    how.append("field@").append(at).append('=').append(Long.toHexString(v)).append(' ');
                }
                default -> { // copy a slice of the file over another place
                    int len = 1 + rnd.nextInt(Math.max(1, b.length / 4));
                    int from = rnd.nextInt(b.length);
                    int to = rnd.nextInt(b.length);
                    len = Math.min(len, Math.min(b.length - from, b.length - to));
                    System.arraycopy(b.clone(), from, b, to, len);
                    how.append("copy ").append(from).append("->").append(to).append('x').append(len).append(' ');
                }
            }
        }
        // half of the PNG mutations get valid CRCs so that they reach the decoders
        if (png && rnd.nextBoolean()) {
            TestImages.fixPngCrcs(b);
            how.append("crc-fixed");
        }
        return b;
    }

    private static Map<String, byte[]> sources() {
        Map<String, byte[]> s = new LinkedHashMap<>();
        BufferedImage gray = TestImages.grayRamp(12, 10);
        BufferedImage colour = TestImages.colourPattern(12, 10);
        s.put("png-gray", TestImages.png(gray));
        s.put("png-rgb", TestImages.png(colour));
        BufferedImage pal = new BufferedImage(12, 10, BufferedImage.TYPE_BYTE_INDEXED, TestImages.grayPalette());
        pal.getRaster().setRect(gray.getRaster());
        s.put("png-palette", TestImages.png(pal));
        BufferedImage deep = new BufferedImage(12, 10, BufferedImage.TYPE_USHORT_GRAY);
        deep.getGraphics().drawImage(gray, 0, 0, null);
        s.put("png-16bit", TestImages.png(deep));
        s.put("jpeg-baseline", TestImages.jpeg(colour, false));
        s.put("jpeg-progressive", TestImages.jpeg(colour, true));
        s.put("jpeg-gray", TestImages.jpeg(gray, false));
        s.put("gif", TestImages.animatedGif(8, 6, 10, 200));
        s.put("bmp-rgb", TestImages.encode(colour, "bmp"));
        s.put("bmp-gray", TestImages.encode(gray, "bmp"));
        s.put("pgm-p5", TestImages.pgmRamp(12, 10));
        s.put("pgm-p2", "P2\n4 2\n1000\n0 10 200 1000\n5 6 7 8\n".getBytes(StandardCharsets.US_ASCII));
        s.put("ppm-p6", ppm(colour));
        return s;
    }

    private static byte[] ppm(BufferedImage img) {
        String header = "P6\n" + img.getWidth() + " " + img.getHeight() + "\n255\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(h, h.length + img.getWidth() * img.getHeight() * 3);
        int p = h.length;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y);
                out[p++] = (byte) (c >> 16);
                out[p++] = (byte) (c >> 8);
                out[p++] = (byte) c;
            }
        }
        return out;
    }
}
