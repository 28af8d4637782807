package org.siamese4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA roofline of the machine that runs it: 16 independent FMA chains on FloatVector (enough to cover
 * a 4-cycle latency on two FMA pipes), all registers, no memory traffic. {@code oneThread} is one core's
 * peak, {@code allThreads} runs one copy per available processor. Read the {@code :gflop} line (GFLOP/s).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PeakFlops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int STEPS = 1 << 14;
    private static final int CHAINS = 16;
    /** Floating-point operations of one call to {@link #chains()}: an FMA is 2 per lane. */
    static final double FLOP_PER_CALL = 2.0 * STEPS * CHAINS * S.length();

    private final float[] seed = new float[S.length() * 2];

    public PeakFlops() {
        for (int i = 0; i < seed.length; i++) {
            seed[i] = i < S.length() ? 0.999f : 1e-3f * (i % 7);
        }
    }

    @Benchmark
    @Threads(1)
    public float oneThread(Flops f) {
        f.gflop += FLOP_PER_CALL * 1e-9;
        return chains();
    }

    @Benchmark
    @Threads(Threads.MAX)
    public float allThreads(Flops f) {
        f.gflop += FLOP_PER_CALL * 1e-9;
        return chains();
    }

    /** All vectors stay local to this method: passing them around makes C2 box them on JDK 17. */
    private float chains() {
        FloatVector x = FloatVector.fromArray(S, seed, 0);
        FloatVector y = FloatVector.fromArray(S, seed, S.length());
        FloatVector a0 = y, a1 = y.add(1f), a2 = y.add(2f), a3 = y.add(3f);
        FloatVector a4 = y.add(4f), a5 = y.add(5f), a6 = y.add(6f), a7 = y.add(7f);
        FloatVector a8 = y.add(8f), a9 = y.add(9f), a10 = y.add(10f), a11 = y.add(11f);
        FloatVector a12 = y.add(12f), a13 = y.add(13f), a14 = y.add(14f), a15 = y.add(15f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
            a12 = a12.fma(x, y);
            a13 = a13.fma(x, y);
            a14 = a14.fma(x, y);
            a15 = a15.fma(x, y);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
