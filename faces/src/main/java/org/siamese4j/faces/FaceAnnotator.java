package org.siamese4j.faces;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.siamese4j.model.io.AtomicFile;

/**
 * Draws identified faces on a photo (a box and a "Name 0.93" label on a filled bar, sized to the face) and
 * writes the result as PNG through {@link AtomicFile}, so a reader never sees half an image.
 */
public final class FaceAnnotator {
    private static final Color KNOWN = new Color(0x2E, 0x9E, 0x44);
    private static final Color UNKNOWN = new Color(0xD8, 0x43, 0x15);
    private static final Color TEXT = Color.WHITE;
    /** ImageIO's PNG writer maps quality q to deflate level 9 (1 - q): 0.75 is level 2. */
    private static final float FAST_PNG_QUALITY = 0.75f;

    /** One identified face to draw. */
    public record Face(Box box, String name, float p, boolean unknown) {
        /**
         * "Name 0.93", as drawn and as printed; near 1 with four decimals ("unknown 0.9921"), since open-set
         * thresholds sit there and "0.99" would not say which side of p >= 0.9945 a face fell.
         */
        public String label() {
            return String.format(Locale.ROOT, p >= 0.99 && p < 1 ? "%s %.4f" : "%s %.2f", name, p);
        }
    }

    private FaceAnnotator() {
    }

    /**
     * Draws the faces on {@code image} (an RGB copy the caller owns): every box first, then every label, so
     * no box line crosses a neighbour's label. A label "name p" sits on a filled bar above its box (inside
     * the box's top edge when there is no room above); unknown faces are orange, known ones green.
     *
     * @return false when the labels could not be drawn for lack of fonts (the boxes are drawn regardless)
     */
    public static boolean draw(BufferedImage image, List<Face> faces) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (Face f : faces) {
                g.setColor(f.unknown() ? UNKNOWN : KNOWN);
                g.setStroke(new BasicStroke(stroke(f.box())));
                g.drawRect(f.box().x(), f.box().y(), f.box().w() - 1, f.box().h() - 1);
            }
            try {
                for (Face f : faces) {
                    drawLabel(g, image.getWidth(), image.getHeight(), f);
                }
            } catch (RuntimeException | InternalError e) {
                // Java2D throws these when the JVM finds no usable font (e.g. no fontconfig)
                return false;
            }
            return true;
        } finally {
            g.dispose();
        }
    }

    private static int stroke(Box box) {
        return Math.max(2, Math.round(box.w() / 40f));
    }

    private static void drawLabel(Graphics2D g, int width, int height, Face f) {
        Box box = f.box();
        String label = f.label();
        // readable at any face size: a sixth of the face's height, within sensible bounds
        int fontSize = Math.max(11, Math.min(48, Math.round(box.h() / 6f)));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, fontSize));
        FontMetrics fm = g.getFontMetrics();
        int pad = Math.max(2, fontSize / 5);
        int barWidth = fm.stringWidth(label) + 2 * pad;
        int barHeight = fm.getAscent() + fm.getDescent() + pad;
        int stroke = stroke(box);
        int x = Math.max(0, Math.min(box.x() - stroke / 2, width - barWidth));
        int y = box.y() - stroke / 2 - barHeight;
        if (y < 0) {
            y = box.y() + stroke; // no room above: inside the box's top edge
        }
        y = Math.max(0, Math.min(y, height - barHeight));
        g.setColor(f.unknown() ? UNKNOWN : KNOWN);
        g.fillRect(x, y, barWidth, barHeight);
        g.setColor(TEXT);
        g.drawString(label, x + pad, y + pad / 2 + fm.getAscent());
    }

    /** Writes {@code image} as PNG to {@code target} atomically; a failure leaves any previous file intact. */
    public static void writePng(BufferedImage image, Path target) {
        AtomicFile.write(target, sink -> {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            if (!writers.hasNext()) {
                throw new IOException("this Java runtime has no PNG writer");
            }
            ImageWriter writer = writers.next();
            // an in-memory cache: ImageIO's default would put a temporary file next to the system's temp files
            try (ImageOutputStream out = new MemoryCacheImageOutputStream(sink.asOutputStream())) {
                writer.setOutput(out);
                // a fast deflate level: an annotated copy is written once and viewed, so time beats bytes
                ImageWriteParam param = writer.getDefaultWriteParam();
                if (param.canWriteCompressed()) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(FAST_PNG_QUALITY);
                }
                writer.write(null, new IIOImage(image, null, null), param);
            } finally {
                writer.dispose();
            }
        });
    }
}
