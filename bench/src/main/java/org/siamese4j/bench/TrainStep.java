package org.siamese4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full training step of {@code SiameseNet}: zero the gradients, forward through both towers as one
 * batch, loss, backward, SGD-momentum update. Presets as in the PyTorch peer: koch (32 pairs = 64 images
 * of 105x105), small28 (128 pairs of 28x28); compact with the CLI's training batch (32 classes x 2 images
 * of 48x48, all 2016 pairs scored). Fixed random data.
 * Step time = 1 / (ops/s); effective GFLOP/s (the {@code :gflop} line) = 3 x forward MACs x 2 / step time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
public class TrainStep {
    @Param({"koch", "small28", "compact"})
    public String preset;
    @Param({"1", "2"})
    public int threads;

    private Fixtures.Training t;

    @Setup
    public void setup() {
        t = new Fixtures.Training(preset, threads, 1);
    }

    @Benchmark
    public double step(Flops f) {
        f.gflop += t.flopPerStep * 1e-9;
        return t.step();
    }
}
