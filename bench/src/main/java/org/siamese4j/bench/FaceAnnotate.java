package org.siamese4j.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.siamese4j.faces.BuiltInFaceModel;
import org.siamese4j.faces.FaceAnnotator;
import org.siamese4j.faces.FaceRecognizer;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.model.image.GrayImage;

/**
 * What {@code siamese annotate} does per photo after start-up, under the small heap of a constrained
 * deployment ({@code -Xmx64m}): decode the 1200x800 JPEG (gray and colour), find the faces, embed and search
 * a 100-person gallery with the built-in face model, draw the labels and write the PNG (atomically, as the
 * command does). The gallery holds
 * embeddings of random face-sized noise: a search costs the same whoever is enrolled. The photo comes from
 * $SIAMESE_DATA (never committed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx64m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FaceAnnotate {
    private FaceRecognizer recognizer;
    private byte[] jpeg;
    private Path out;

    @Setup
    public void setUp() throws IOException {
        String data = System.getenv("SIAMESE_DATA");
        if (data == null || !Files.isDirectory(Path.of(data))) {
            throw new IllegalStateException("set SIAMESE_DATA to the data folder (seed-photos/)");
        }
        jpeg = Files.readAllBytes(Path.of(data, "seed-photos", "sample", "got.jpg"));
        out = Files.createTempFile("annotated", ".png");
        out.toFile().deleteOnExit();
        SiameseModel model = BuiltInFaceModel.load();
        Gallery gallery = Gallery.create(model.sha256(), model.embeddingSize());
        recognizer = FaceRecognizer.open(model, gallery);
        Random random = new Random(1);
        for (int person = 0; person < 100; person++) {
            float[] pixels = new float[64 * 64];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = random.nextInt(256);
            }
            recognizer.enrol("person " + person, List.of(new GrayImage(64, 64, pixels)), List.of("noise.png"));
        }
    }

    @Benchmark
    public Path annotate() {
        ImageLoader.GrayAndColour decoded = ImageLoader.decodeGrayAndColour(jpeg, "got.jpg");
        List<FaceRecognizer.Identified> faces = recognizer.identifyAll(decoded.gray(), 1);
        BufferedImage colour = decoded.colour();
        List<FaceAnnotator.Face> drawn = new ArrayList<>();
        for (FaceRecognizer.Identified f : faces) {
            drawn.add(new FaceAnnotator.Face(f.box(), f.name(), f.best().probability(), f.unknown()));
        }
        FaceAnnotator.draw(colour, drawn);
        FaceAnnotator.writePng(colour, out);
        return out;
    }
}
