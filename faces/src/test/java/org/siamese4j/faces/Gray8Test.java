package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.siamese4j.model.image.GrayImage;

/** Expected values come from OpenCV 4.6 (cv2.resize INTER_LINEAR_EXACT, cv2.equalizeHist, cv2.cvtColor). */
class Gray8Test {
    /** A 13x11 test pattern: (37x + 91y + 13 ((xy) mod 17)) mod 256. */
    private static Gray8 pattern() {
        byte[] px = new byte[13 * 11];
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 13; x++) {
                px[y * 13 + x] = (byte) ((x * 37 + y * 91 + (x * y) % 17 * 13) % 256);
            }
        }
        return new Gray8(13, 11, px);
    }

    @Test
    void resizeMatchesOpenCvLinearExact() {
        assertArrayEquals(new int[] {118, 155, 146, 105, 141, 141, 162, 198, 174, 147, 164, 95, 89, 114, 106, 161,
            115, 77, 78, 117}, unsigned(pattern().resized(5, 4)));
        assertArrayEquals(new int[] {35, 94, 145, 138, 197, 73, 67, 118, 176, 182, 125, 136, 191, 61, 149, 36, 99,
            188, 74, 119, 184, 119, 215, 138, 208, 71, 205, 165, 113, 236, 187, 78, 146, 152, 54, 225, 113, 119, 87,
            97, 122, 113, 124, 50, 39, 175, 190, 136, 148, 100, 104, 91, 202, 63, 112, 180, 131, 93, 177, 145, 39,
            183, 92}, unsigned(pattern().resized(9, 7)));
        Gray8 same = pattern();
        assertSame(same, same.resized(13, 11));
    }

    @Test
    void equalizeMatchesOpenCv() {
        int[] in = {0, 37, 74, 111, 148, 185, 91, 141, 191, 241, 35, 85, 182, 245, 52, 115, 178, 241, 17, 93, 169,
            245, 65, 141};
        byte[] px = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            px[i] = (byte) in[i];
        }
        assertArrayEquals(new int[] {0, 33, 67, 111, 155, 200, 89, 144, 211, 233, 22, 78, 188, 255, 44, 122, 177,
            233, 11, 100, 166, 255, 55, 144}, unsigned(new Gray8(6, 4, px).equalized()));
        byte[] flat = {7, 7, 7, 7};
        assertArrayEquals(new int[] {7, 7, 7, 7}, unsigned(new Gray8(2, 2, flat).equalized()));
    }

    @Test
    void floatPixelsRoundLikeSaturateCast() {
        GrayImage image = new GrayImage(6, 1, new float[] {2.5f, 3.5f, -4f, 300f, Float.NaN, 254.6f});
        assertArrayEquals(new int[] {2, 4, 0, 255, 0, 255}, unsigned(Gray8.of(image)));
        assertEquals(6, Gray8.of(image).width);
    }

    private static int[] unsigned(Gray8 image) {
        int[] out = new int[image.pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = image.pixels[i] & 0xFF;
        }
        return out;
    }
}
