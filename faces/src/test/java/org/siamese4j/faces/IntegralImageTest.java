package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntegralImageTest {
    @Test
    void plainAndSquaredSumsMatchBruteForce() {
        Random random = new Random(1);
        Gray8 image = randomImage(random, 13, 9);
        IntegralImage ii = IntegralImage.of(image, false);
        for (int y = 0; y <= image.height; y++) {
            for (int x = 0; x <= image.width; x++) {
                long sum = 0;
                long squares = 0;
                for (int j = 0; j < y; j++) {
                    for (int i = 0; i < x; i++) {
                        sum += image.get(i, j);
                        squares += (long) image.get(i, j) * image.get(i, j);
                    }
                }
                assertEquals(sum, ii.sum(x, y));
                assertEquals(squares, ii.squares[y * ii.stride + x]);
            }
        }
        assertThrows(IllegalStateException.class, () -> ii.tilted(0, 0));
    }

    @Test
    void tiltedSumsMatchOpenCvDefinition() {
        Random random = new Random(2);
        for (int[] size : new int[][] {{1, 1}, {1, 7}, {7, 1}, {11, 8}, {6, 14}}) {
            Gray8 image = randomImage(random, size[0], size[1]);
            IntegralImage ii = IntegralImage.of(image, true);
            for (int y = 0; y <= image.height; y++) {
                for (int x = 0; x <= image.width; x++) {
                    // cv::integral: tilted(X, Y) = sum of image(x, y) over y < Y, |x - X + 1| <= Y - y - 1
                    long expected = 0;
                    for (int j = 0; j < y; j++) {
                        for (int i = 0; i < image.width; i++) {
                            if (Math.abs(i - x + 1) <= y - j - 1) {
                                expected += image.get(i, j);
                            }
                        }
                    }
                    assertEquals(expected, ii.tilted(x, y), "tilted(" + x + ", " + y + ") of " + Arrays.toString(size));
                }
            }
        }
    }

    @Test
    void tiltedRectangleCoversTheRotatedRectangle() {
        // OpenCV's tilted rectangle (x, y, w, h) has its top pixel at (x-1, y) and runs w pixels down-right and
        // h pixels down-left: pixel (px, py) is inside when u = (px-x+1) + (py-y) and v = (py-y) - (px-x+1)
        // lie in [0, 2w) and [0, 2h); it covers 2wh pixels
        Random random = new Random(3);
        Gray8 image = randomImage(random, 20, 20);
        IntegralImage ii = IntegralImage.of(image, true);
        for (int trial = 0; trial < 200; trial++) {
            int w = 1 + random.nextInt(5);
            int h = 1 + random.nextInt(5);
            int x = h + random.nextInt(20 - w - h + 1);
            int y = random.nextInt(20 - w - h + 1);
            long expected = 0;
            int count = 0;
            for (int py = 0; py < 20; py++) {
                for (int px = 0; px < 20; px++) {
                    int u = (px - x + 1) + (py - y);
                    int v = (py - y) - (px - x + 1);
                    if (u >= 0 && u < 2 * w && v >= 0 && v < 2 * h) {
                        expected += image.get(px, py);
                        count++;
                    }
                }
            }
            assertEquals(2 * w * h, count);
            assertEquals(expected, ii.tiltedRectSum(x, y, w, h), "rect " + x + "," + y + "," + w + "," + h);
        }
    }

    @Test
    void rectangleSumsStayExactWhenRunningTotalsWrapAround() {
        // 3000 x 3000 white: the running sum reaches 2.3e9 > 2^31 and the squares 5.9e11, yet every window
        // sum is exact because ints add and subtract exactly modulo 2^32
        int side = 3000;
        byte[] white = new byte[side * side];
        Arrays.fill(white, (byte) 255);
        IntegralImage ii = IntegralImage.of(new Gray8(side, side, white), false);
        for (int[] at : new int[][] {{0, 0}, {1500, 1500}, {side - 24, side - 24}, {2975, 10}}) {
            assertEquals(255 * 24 * 24, ii.rectSum(at[0], at[1], 24, 24));
            int p = at[1] * ii.stride + at[0];
            int s = ii.stride;
            int squares = ii.squares[p] - ii.squares[p + 24] - ii.squares[p + 24 * s] + ii.squares[p + 24 * s + 24];
            assertEquals(255 * 255 * 24 * 24, squares);
        }
    }

    static Gray8 randomImage(Random random, int w, int h) {
        byte[] px = new byte[w * h];
        random.nextBytes(px);
        return new Gray8(w, h, px);
    }
}
