package org.siamese4j.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * SECURITY.md's pixel budget, at the limit and one pixel past it, in every format, read from the header before
 * decoding. At a small budget (12 pixels) through the package-private overload: the default, 50,000,000, is tried
 * through the command line in BudgetsCliTest.
 */
class PixelBudgetTest {
    private static final long BUDGET = 12;

    private static final Map<String, BiFunction<Integer, Integer, byte[]>> FORMATS = Map.of(
            "png", (w, h) -> TestImages.png(TestImages.grayRamp(w, h)),
            "jpeg", (w, h) -> TestImages.jpeg(TestImages.colourPattern(w, h), false),
            "progressive jpeg", (w, h) -> TestImages.jpeg(TestImages.colourPattern(w, h), true),
            "gif", (w, h) -> TestImages.encode(indexed(w, h), "gif"),
            "bmp", (w, h) -> TestImages.encode(TestImages.colourPattern(w, h), "bmp"),
            "pgm", TestImages::pgmRamp);

    private static BufferedImage indexed(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, TestImages.grayPalette());
        img.getGraphics().drawImage(TestImages.grayRamp(w, h), 0, 0, null);
        return img;
    }

    @Test
    void everyFormatDecodesAnImageOfExactlyThePixelBudgetAndRefusesOnePixelMore() {
        for (Map.Entry<String, BiFunction<Integer, Integer, byte[]>> f : FORMATS.entrySet()) {
            GrayImage at = ImageLoader.decode(f.getValue().apply(4, 3), "at." + f.getKey(), BUDGET);
            assertEquals(4, at.width(), f.getKey());
            assertEquals(3, at.height(), f.getKey());
            byte[] past = f.getValue().apply(13, 1);
            BadInputException e = assertThrows(BadInputException.class,
                    () -> ImageLoader.decode(past, "past." + f.getKey(), BUDGET), f.getKey());
            assertEquals("past." + f.getKey() + ": image too large: 13x1 = 13 pixels (limit 12)", e.getMessage(), f.getKey());
        }
    }
}
