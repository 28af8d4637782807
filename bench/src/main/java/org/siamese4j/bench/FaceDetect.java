package org.siamese4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.faces.Box;
import org.siamese4j.faces.FaceDetector;
import org.siamese4j.image.ImageLoader;

/**
 * Viola-Jones face detection on a 1200x800 group photo (the seed project's got.jpg) with the built-in frontal
 * face cascade and the detector's default options. The photo comes from $SIAMESE_DATA (never committed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FaceDetect {
    private FaceDetector detector;
    private GrayImage photo;

    @Setup
    public void setUp() {
        String data = System.getenv("SIAMESE_DATA");
        if (data == null || !Files.isDirectory(Path.of(data))) {
            throw new IllegalStateException("set SIAMESE_DATA to the data folder (seed-photos/)");
        }
        detector = FaceDetector.standard();
        photo = ImageLoader.load(Path.of(data, "seed-photos", "sample", "got.jpg"));
    }

    @Benchmark
    public List<Box> detect() {
        return detector.detect(photo);
    }
}
