package org.siamese4j.cli.commands;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.CommandRegistry;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;

/**
 * Test material for the face commands, all generated: a tiny face model, cartoon faces drawn with Java2D
 * (one look per person), group photos of them, and a one-feature cascade that finds them.
 */
final class FaceFixtures {
    /** Background gray of every drawn image. */
    static final int BACKGROUND = 40;
    /** Model threshold: a face must be very close to an enrolled one (see {@link #model}). */
    static final double THRESHOLD = 0.9;

    /**
     * A 24x24 one-stage cascade that fires on a bright blob filling the middle third of the window: the
     * feature is 9 x (middle 8x8) - (whole window) = 512 x (mean of the middle - mean of the rest), and the
     * stump needs it, normalised by the window's contrast, at least 2. A drawn face (a bright oval on a dark
     * background) is found with a box about three times the face's width, centred on it.
     */
    static final String BLOB_CASCADE = """
            <?xml version="1.0"?>
            <opencv_storage>
            <cascade type_id="opencv-cascade-classifier"><stageType>BOOST</stageType>
              <featureType>HAAR</featureType>
              <height>24</height>
              <width>24</width>
              <featureParams><maxCatCount>0</maxCatCount></featureParams>
              <stageNum>1</stageNum>
              <stages>
                <_>
                  <maxWeakCount>1</maxWeakCount>
                  <stageThreshold>0.</stageThreshold>
                  <weakClassifiers>
                    <_>
                      <internalNodes>0 -1 0 2.0</internalNodes>
                      <leafValues>-1. 1.</leafValues></_></weakClassifiers></_></stages>
              <features>
                <_>
                  <rects>
                    <_>0 0 24 24 -1.</_>
                    <_>8 8 8 8 9.</_></rects></_></features></cascade>
            </opencv_storage>
            """;

    private FaceFixtures() {
    }

    static CommandRegistry registry() {
        return new CommandRegistry(new EnrollCommand(), new IdentifyCommand(), new AnnotateCommand(), new DetectCommand());
    }

    /** Runs a command line in-process against the four face commands. */
    static CliResult run(Object... args) {
        String[] text = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            text[i] = args[i].toString();
        }
        return CliResult.inProcess(registry(), text);
    }

    /** A member of a JSON object or list, by a path of keys and indices: at(json, "results", 0, "name"). */
    static Object at(Object json, Object... path) {
        Object v = json;
        for (Object step : path) {
            v = step instanceof Integer i ? ((List<?>) v).get(i) : ((Map<?, ?>) v).get(step);
        }
        return v;
    }

    static Kernels kernels() {
        return Backend.kernels("scalar", 1);
    }

    /**
     * A small face model (32x32 input, the model's crop (0.2, 0.2, 0.6, 0.6) of the training frame) with
     * random tower weights and a head set so that p(same) = sigmoid(6 - 8 x L1 distance): an identical
     * embedding scores 0.998, and a face must be close to an enrolled one to pass the 0.9 threshold (the
     * same drawn face a few pixels off passes, another person's does not).
     */
    static Path model(Path dir, String name, long seed) {
        Architecture arch = new Architecture("face-test", 32, 32,
                LayerSpec.parseList("conv 3x3 8 pad=1 relu; pool 2; conv 3x3 8 pad=1 relu; pool 2; dense 32 sigmoid"));
        SiameseNet net = SiameseNet.create(arch, kernels(), false);
        Initializer.HE.initialize(net, seed);
        int d = net.embeddingSize();
        for (int i = 0; i < d; i++) {
            net.head().weight().value().set(i, -8f);
        }
        net.head().bias().value().set(0, 6f);
        Path file = dir.resolve(name);
        ModelFile.save(file, net, new Preprocessing(32, 32, 0.2, 0.2, 0.6, 0.6, false, 0.5, 0.25), THRESHOLD,
                Map.of("task", "faces"));
        return file;
    }

    static Path cascade(Path dir) throws IOException {
        Path file = dir.resolve("blob-cascade.xml");
        Files.writeString(file, BLOB_CASCADE, StandardCharsets.UTF_8);
        return file;
    }

    /** Person {@code person}'s face, {@code side} pixels wide, centred at (cx, cy). */
    static void drawFace(Graphics2D g, int person, int cx, int cy, int side) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int skin = 190 + 20 * (person % 3);
        g.setColor(new Color(Math.min(255, skin + 20), skin, Math.max(0, skin - 30)));
        int h = side * 6 / 5;
        g.fillOval(cx - side / 2, cy - h / 2, side, h);
        // the look of each person: eye spacing and size, mouth width, brows
        double eyeDx = side * (0.16 + 0.05 * (person % 4));
        int eye = Math.max(2, (int) Math.round(side * (0.12 + 0.03 * (person % 2))));
        g.setColor(new Color(50, 40, 30));
        g.fillOval((int) Math.round(cx - eyeDx) - eye / 2, cy - side / 8 - eye / 2, eye, eye);
        g.fillOval((int) Math.round(cx + eyeDx) - eye / 2, cy - side / 8 - eye / 2, eye, eye);
        if (person % 2 == 1) {
            g.fillRect((int) Math.round(cx - eyeDx) - eye, cy - side / 8 - eye * 3 / 2, eye * 2, Math.max(1, eye / 3));
            g.fillRect((int) Math.round(cx + eyeDx) - eye, cy - side / 8 - eye * 3 / 2, eye * 2, Math.max(1, eye / 3));
        }
        int mouth = (int) Math.round(side * (0.22 + 0.08 * (person % 3)));
        g.setColor(new Color(120, 40, 40));
        g.fillRect(cx - mouth / 2, cy + side / 4, mouth, Math.max(2, side / 14));
    }

    /** A face crop: one face filling most of a size x size image, as the seed app's 100x100 crops. */
    static BufferedImage crop(int person, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(BACKGROUND, BACKGROUND, BACKGROUND));
        g.fillRect(0, 0, size, size);
        drawFace(g, person, size / 2, size / 2, size * 11 / 20);
        g.dispose();
        return image;
    }

    /** A photo of one person: a small face in the middle of a dark width x height image. */
    static BufferedImage portrait(int person, int width, int height, int faceSide) {
        return photo(width, height, faceSide, new int[] {person}, new int[] {width / 2}, new int[] {height / 2});
    }

    /** A group photo: person[i]'s face centred at (xs[i], ys[i]), each faceSide wide. */
    static BufferedImage photo(int width, int height, int faceSide, int[] persons, int[] xs, int[] ys) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(BACKGROUND, BACKGROUND, BACKGROUND));
        g.fillRect(0, 0, width, height);
        for (int i = 0; i < persons.length; i++) {
            drawFace(g, persons[i], xs[i], ys[i], faceSide);
        }
        g.dispose();
        return image;
    }

    static Path png(BufferedImage image, Path file) {
        return write(image, "png", file);
    }

    static Path jpeg(BufferedImage image, Path file) {
        return write(image, "jpg", file);
    }

    /** An 8-bit binary PGM (P5) of the image's green channel. */
    static Path pgm(BufferedImage image, Path file) {
        int w = image.getWidth();
        int h = image.getHeight();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("P5\n" + w + " " + h + "\n255\n").getBytes(StandardCharsets.US_ASCII));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.write((image.getRGB(x, y) >> 8) & 0xff);
            }
        }
        return bytes(out.toByteArray(), file);
    }

    static Path bytes(byte[] data, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(BufferedImage image, String format, Path file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes(out.toByteArray(), file);
    }
}
