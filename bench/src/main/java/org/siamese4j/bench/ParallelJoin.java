package org.siamese4j.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.siamese4j.engine.Parallel;

/**
 * The engine's fork-join cost: one {@code Parallel.run} of an empty body on 2 threads, back to back (the
 * worker is still spinning). {@link #main} also measures runs after idle gaps, when the worker has parked
 * and must be woken.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ParallelJoin {
    @Param({"2"})
    public int threads;

    private Parallel pool;
    private final int[] sink = new int[64];
    private final Parallel.Body body = (part, parts) -> sink[part * 16]++;

    @Setup
    public void setup() {
        pool = new Parallel(threads);
    }

    @TearDown
    public void tearDown() {
        pool = null;
    }

    @Benchmark
    public void hot() {
        pool.run(body);
    }

    /**
     * Prints the latency of one empty {@code Parallel.run} on 2 threads back to back (worker spinning) and
     * after idle gaps (worker parked, must be woken): median and 90th percentile over many runs.
     * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.siamese4j.bench.ParallelJoin</pre>
     */
    public static void main(String[] args) {
        Parallel pool = new Parallel(2);
        int[] sink = new int[64];
        Parallel.Body body = (part, parts) -> sink[part * 16]++;
        for (long gapMicros : new long[] {0, 100, 1000, 5000}) {
            long[] t = new long[gapMicros == 0 ? 200_000 : 400];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < t.length; i++) {
                    if (gapMicros > 0) {
                        long until = System.nanoTime() + gapMicros * 1000;
                        while (System.nanoTime() < until) {
                            LockSupport.parkNanos(Math.max(1, until - System.nanoTime()));
                        }
                    }
                    long t0 = System.nanoTime();
                    pool.run(body);
                    t[i] = System.nanoTime() - t0;
                }
            }
            java.util.Arrays.sort(t);
            System.out.printf(java.util.Locale.ROOT, "idle gap %5d us before each run: median %.1f us, p90 %.1f us%n",
                    gapMicros, t[t.length / 2] / 1e3, t[t.length * 9 / 10] / 1e3);
        }
        System.exit(sink[0] == -1 ? 1 : 0);
    }
}
