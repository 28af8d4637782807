package org.siamese4j.train.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * A built-in, procedurally generated one-shot dataset shaped like Omniglot: alphabets (groups) of glyphs
 * (classes), each glyph drawn by several "drawers" (images), black strokes on white (0 and 255, with
 * antialiased edges).
 *
 * <p>Each alphabet has a style: a set of anchor points strokes start and end at, preferred stroke kinds
 * (lines, arcs, circles, hooks, dots), curvature, stroke width and slant, so glyphs of one alphabet look
 * related and telling them apart within an alphabet is not trivial. A glyph is 2-5 strokes composed from
 * its alphabet's style. Each drawer redraws the glyph with its own hand: control points moved by a few
 * percent, a different stroke width, and a small global rotation, scaling and shift. That jitter is large
 * against stroke width, so nearest-neighbour matching of raw pixels is far from perfect, while the stroke
 * structure a learned model can pick up stays intact.
 *
 * <p>Deterministic: the same arguments give identical pixels (within one Java version's Java2D).
 */
public final class SyntheticGlyphs {

    private enum Kind {
        LINE, ARC, CIRCLE, HOOK, DOT
    }

    /** One stroke: its kind and control points (x, y pairs in the unit square; a circle's second pair is its radii). */
    private record Stroke(Kind kind, double[] points) {
    }

    /** What makes an alphabet's glyphs look alike. */
    private record Style(double[] anchors, double[] kindWeights, double bulge, double width, double slant,
            int minStrokes, int maxStrokes) {
    }

    private static final int MIN_SIZE = 8;
    private static final int MAX_SIZE = 1024;
    /** Drawer jitter of each control point, as a fraction of the image size (standard deviation). */
    private static final double POINT_JITTER = 0.035;
    private static final double MAX_ROTATION_DEGREES = 12;
    private static final double ROTATION_SD_DEGREES = 6;
    private static final double SHIFT_SD = 0.035;

    private SyntheticGlyphs() {
    }

    /** Generates the dataset with raw pixels as images ({@code size * size} floats, 0 black .. 255 white). */
    public static LoadedDataset generate(long seed, int alphabets, int glyphsPerAlphabet, int drawersPerGlyph, int size) {
        return generate(seed, alphabets, glyphsPerAlphabet, drawersPerGlyph, size, GrayImage::pixels);
    }

    /**
     * Generates the dataset and runs every image through {@code preprocessor} (e.g. the model's input
     * preprocessing), so the result matches a file dataset loaded with {@link LoadedDataset#load}.
     * Groups are named {@code synthetic-01}.., classes {@code synthetic-01/glyph01}.., images
     * {@code drawer01}...
     */
    public static LoadedDataset generate(long seed, int alphabets, int glyphsPerAlphabet, int drawersPerGlyph,
            int size, Function<GrayImage, float[]> preprocessor) {
        requireRange("alphabets", alphabets, 1, 10_000);
        requireRange("glyphs per alphabet", glyphsPerAlphabet, 1, 10_000);
        requireRange("drawers per glyph", drawersPerGlyph, 1, 10_000);
        requireRange("image size", size, MIN_SIZE, MAX_SIZE);
        SplittableRandom master = new SplittableRandom(seed);
        long[] alphabetSeeds = new long[alphabets];
        for (int a = 0; a < alphabets; a++) {
            alphabetSeeds[a] = master.nextLong();
        }
        // alphabets are independent given their seeds, so they can be drawn in parallel deterministically
        List<List<LoadedDataset.LoadedClass>> perAlphabet = IntStream.range(0, alphabets).parallel()
                .mapToObj(a -> alphabet(a, alphabets, alphabetSeeds[a], glyphsPerAlphabet, drawersPerGlyph, size,
                        preprocessor))
                .toList();
        List<LoadedDataset.LoadedClass> classes = new ArrayList<>();
        perAlphabet.forEach(classes::addAll);
        return LoadedDataset.of(classes);
    }

    private static List<LoadedDataset.LoadedClass> alphabet(int index, int alphabets, long seed, int glyphs,
            int drawers, int size, Function<GrayImage, float[]> preprocessor) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Style style = style(rnd, size);
        String group = "synthetic-" + number(index + 1, alphabets);
        BufferedImage canvas = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        int[] samples = new int[size * size];
        List<LoadedDataset.LoadedClass> classes = new ArrayList<>(glyphs);
        for (int g = 0; g < glyphs; g++) {
            SplittableRandom glyphRnd = new SplittableRandom(rnd.nextLong());
            List<Stroke> glyph = glyph(glyphRnd, style);
            List<String> names = new ArrayList<>(drawers);
            List<float[]> images = new ArrayList<>(drawers);
            for (int d = 0; d < drawers; d++) {
                SplittableRandom hand = new SplittableRandom(glyphRnd.nextLong());
                GrayImage image = draw(glyph, style, hand, canvas, samples);
                names.add("drawer" + number(d + 1, drawers));
                images.add(preprocessor.apply(image));
            }
            classes.add(new LoadedDataset.LoadedClass(group + "/glyph" + number(g + 1, glyphs), group, names, images));
        }
        return classes;
    }

    // ---------------------------------------------------------------- alphabet style and glyphs

    private static Style style(SplittableRandom rnd, int size) {
        int anchorCount = 5 + rnd.nextInt(4);
        double[] anchors = new double[2 * anchorCount];
        for (int i = 0; i < anchorCount; i++) {
            anchors[2 * i] = 0.18 + 0.64 * rnd.nextDouble();
            anchors[2 * i + 1] = 0.18 + 0.64 * rnd.nextDouble();
        }
        // a few dominant stroke kinds per alphabet
        double[] weights = new double[Kind.values().length];
        for (int k = 0; k < weights.length; k++) {
            double u = rnd.nextDouble();
            weights[k] = u * u * u;
        }
        weights[Kind.LINE.ordinal()] += 0.15;
        weights[Kind.DOT.ordinal()] *= 0.3; // dots carry little shape: keep them rare
        double bulge = 0.15 + 0.35 * rnd.nextDouble();
        // at least ~1.3 px wide, so strokes survive small sizes
        double width = Math.max(1.3 / size, 0.035 + 0.03 * rnd.nextDouble());
        double slant = (rnd.nextDouble() * 2 - 1) * 0.25;
        int minStrokes = 2 + rnd.nextInt(2);
        int maxStrokes = minStrokes + 1 + rnd.nextInt(5 - minStrokes);
        return new Style(anchors, weights, bulge, width, slant, minStrokes, maxStrokes);
    }

    private static List<Stroke> glyph(SplittableRandom rnd, Style style) {
        int strokes = style.minStrokes() + rnd.nextInt(style.maxStrokes() - style.minStrokes() + 1);
        List<Stroke> glyph = new ArrayList<>(strokes);
        for (int s = 0; s < strokes; s++) {
            Kind kind = pick(rnd, style.kindWeights());
            if (s == 0 && kind == Kind.DOT) {
                kind = Kind.LINE; // every glyph has at least one real stroke first
            }
            double[] a = anchor(rnd, style);
            double[] b = anchor(rnd, style);
            while (Math.hypot(b[0] - a[0], b[1] - a[1]) < 0.2) {
                b = anchor(rnd, style);
            }
            double[] points = switch (kind) {
                case LINE -> new double[] {a[0], a[1], b[0], b[1]};
                case ARC -> {
                    double bend = (rnd.nextBoolean() ? 1 : -1) * style.bulge() * (0.6 + 0.8 * rnd.nextDouble());
                    double mx = (a[0] + b[0]) / 2 - (b[1] - a[1]) * bend;
                    double my = (a[1] + b[1]) / 2 + (b[0] - a[0]) * bend;
                    yield new double[] {a[0], a[1], mx, my, b[0], b[1]};
                }
                case CIRCLE -> {
                    double r = 0.08 + 0.12 * rnd.nextDouble();
                    yield new double[] {a[0], a[1], r * (0.8 + 0.4 * rnd.nextDouble()), r};
                }
                case HOOK -> {
                    // a line ending in a short curl to one side
                    double dx = b[0] - a[0];
                    double dy = b[1] - a[1];
                    double side = rnd.nextBoolean() ? 1 : -1;
                    double curl = 0.25 + 0.2 * rnd.nextDouble();
                    double cx = b[0] + dx * curl - dy * curl * side;
                    double cy = b[1] + dy * curl + dx * curl * side;
                    double ex = b[0] - dy * 0.35 * side;
                    double ey = b[1] + dx * 0.35 * side;
                    yield new double[] {a[0], a[1], b[0], b[1], cx, cy, ex, ey};
                }
                case DOT -> new double[] {a[0], a[1]};
            };
            glyph.add(new Stroke(kind, points));
        }
        return glyph;
    }

    /** One of the alphabet's anchors, moved a little for this glyph. */
    private static double[] anchor(SplittableRandom rnd, Style style) {
        int i = rnd.nextInt(style.anchors().length / 2);
        return new double[] {
            clamp(style.anchors()[2 * i] + gaussian(rnd) * 0.05, 0.1, 0.9),
            clamp(style.anchors()[2 * i + 1] + gaussian(rnd) * 0.05, 0.1, 0.9)};
    }

    private static Kind pick(SplittableRandom rnd, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double u = rnd.nextDouble() * total;
        for (int k = 0; k < weights.length; k++) {
            u -= weights[k];
            if (u < 0) {
                return Kind.values()[k];
            }
        }
        return Kind.LINE;
    }

    // ---------------------------------------------------------------- drawing

    /** Draws one drawer's rendition of a glyph into the canvas and returns its pixels. */
    private static GrayImage draw(List<Stroke> glyph, Style style, SplittableRandom hand, BufferedImage canvas,
            int[] samples) {
        int size = canvas.getWidth();
        Graphics2D g = canvas.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size, size);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);

            double rotation = Math.toRadians(clamp(gaussian(hand) * ROTATION_SD_DEGREES,
                    -MAX_ROTATION_DEGREES, MAX_ROTATION_DEGREES));
            double scale = 0.9 + 0.2 * hand.nextDouble();
            double aspect = 1 + clamp(gaussian(hand) * 0.04, -0.1, 0.1);
            AffineTransform t = new AffineTransform();
            t.translate(size / 2.0, size / 2.0);
            t.scale(size, size);
            t.rotate(rotation);
            t.scale(scale * aspect, scale / aspect);
            t.shear(style.slant(), 0);
            t.translate(-0.5 + gaussian(hand) * SHIFT_SD, -0.5 + gaussian(hand) * SHIFT_SD);
            g.setTransform(t);

            float width = (float) (style.width() * (0.75 + 0.55 * hand.nextDouble()));
            g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(Color.BLACK);
            for (Stroke s : glyph) {
                double[] p = s.points().clone();
                for (int i = 0; i < p.length; i++) {
                    boolean radius = s.kind() == Kind.CIRCLE && i >= 2;
                    p[i] += radius ? p[i] * clamp(gaussian(hand) * 0.12, -0.3, 0.3) : gaussian(hand) * POINT_JITTER;
                }
                switch (s.kind()) {
                    case LINE -> {
                        Path2D.Double path = new Path2D.Double();
                        path.moveTo(p[0], p[1]);
                        path.lineTo(p[2], p[3]);
                        g.draw(path);
                    }
                    case ARC -> {
                        Path2D.Double path = new Path2D.Double();
                        path.moveTo(p[0], p[1]);
                        path.quadTo(p[2], p[3], p[4], p[5]);
                        g.draw(path);
                    }
                    case CIRCLE -> g.draw(new Ellipse2D.Double(p[0] - p[2], p[1] - p[3], 2 * p[2], 2 * p[3]));
                    case HOOK -> {
                        Path2D.Double path = new Path2D.Double();
                        path.moveTo(p[0], p[1]);
                        path.lineTo(p[2], p[3]);
                        path.quadTo(p[4], p[5], p[6], p[7]);
                        g.draw(path);
                    }
                    case DOT -> {
                        double r = width * 1.1;
                        g.fill(new Ellipse2D.Double(p[0] - r, p[1] - r, 2 * r, 2 * r));
                    }
                }
            }
        } finally {
            g.dispose();
        }
        // the raw raster samples: 255 background, 0 ink
        canvas.getRaster().getSamples(0, 0, size, size, 0, samples);
        float[] pixels = new float[size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = samples[i];
        }
        return new GrayImage(size, size, pixels);
    }

    // ---------------------------------------------------------------- helpers

    private static double gaussian(SplittableRandom rnd) {
        return rnd.nextGaussian();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** Zero-padded 1-based number, at least two digits and wide enough for {@code count}. */
    private static String number(int n, int count) {
        int digits = Math.max(2, Integer.toString(count).length());
        return String.format("%0" + digits + "d", n);
    }

    private static void requireRange(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new BadInputException("synthetic glyphs: " + what + " must be in " + min + ".." + max + ", got " + value);
        }
    }
}
