package org.siamese4j.bench;

import java.util.SplittableRandom;
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
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.ConvGeometry;
import org.siamese4j.engine.Kernels;

/**
 * The Koch net's convolutions on a batch of 64 images (32 pairs), simd kernels: forward (bias + fused
 * ReLU), backward to the input, backward to the weights and bias. Each pass does the forward pass's
 * multiply-adds, so GFLOP/s = 2 * forwardMacs / time (the {@code :gflop} line).
 * Layers: conv1 1->64 10x10 on 105x105, conv2 64->128 7x7 on 48x48, conv3 128->128 4x4 on 21x21,
 * conv4 128->256 4x4 on 9x9 (only conv2 and conv3 by default; add -p layer=conv1,conv4); and compact1, the
 * compact net's first layer (1->64 3x3, padding 1, on 48x48: the SIMD backend's direct one-channel kernels),
 * and compact2..compact4, its 64->64 3x3 layers with padding 1 on 24x24, 12x12 and 6x6 (Winograd's on SIMD).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Conv {
    @Param({"conv2", "conv3"})
    public String layer;
    @Param({"1", "2"})
    public int threads;
    @Param({"64"})
    public int batch;

    private ConvGeometry g;
    private Kernels kernels;
    private float[] x;
    private float[] w;
    private float[] bias;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;
    private float[] dbias;
    private double gflopPerOp;

    static ConvGeometry geometry(String layer, int batch) {
        switch (layer) {
            case "conv1":
                return new ConvGeometry(batch, 1, 105, 105, 64, 10, 10, 1, 0);
            case "conv2":
                return new ConvGeometry(batch, 64, 48, 48, 128, 7, 7, 1, 0);
            case "conv3":
                return new ConvGeometry(batch, 128, 21, 21, 128, 4, 4, 1, 0);
            case "conv4":
                return new ConvGeometry(batch, 128, 9, 9, 256, 4, 4, 1, 0);
            case "compact1":
                return new ConvGeometry(batch, 1, 48, 48, 64, 3, 3, 1, 1);
            case "compact2":
                return new ConvGeometry(batch, 64, 24, 24, 64, 3, 3, 1, 1);
            case "compact3":
                return new ConvGeometry(batch, 64, 12, 12, 64, 3, 3, 1, 1);
            case "compact4":
                return new ConvGeometry(batch, 64, 6, 6, 64, 3, 3, 1, 1);
            default:
                throw new IllegalArgumentException("unknown layer " + layer + " (conv1..conv4, compact1..compact4)");
        }
    }

    @Setup
    public void setup() {
        g = geometry(layer, batch);
        kernels = Backend.kernels("simd", threads);
        SplittableRandom r = new SplittableRandom(7);
        x = Fixtures.random(r, batch * g.inSize());
        w = Fixtures.random(r, g.weightSize());
        bias = Fixtures.random(r, g.outChannels());
        y = new float[batch * g.outSize()];
        dy = Fixtures.random(r, batch * g.outSize());
        dx = new float[batch * g.inSize()];
        dw = new float[g.weightSize()];
        dbias = new float[g.outChannels()];
        gflopPerOp = 2.0 * g.forwardMacs() * 1e-9;
    }

    @Benchmark
    public void forward(Flops f) {
        kernels.conv2dForward(g, x, 0, w, 0, bias, 0, y, 0, true);
        f.gflop += gflopPerOp;
    }

    @Benchmark
    public void backwardInput(Flops f) {
        kernels.conv2dBackwardInput(g, dy, 0, w, 0, dx, 0);
        f.gflop += gflopPerOp;
    }

    @Benchmark
    public void backwardParams(Flops f) {
        kernels.conv2dBackwardParams(g, x, 0, dy, 0, dw, 0, dbias, 0);
        f.gflop += gflopPerOp;
    }
}
