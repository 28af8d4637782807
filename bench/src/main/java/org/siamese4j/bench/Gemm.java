package org.siamese4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ejml.concurrency.EjmlConcurrency;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
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
import org.siamese4j.engine.Kernels;

/**
 * C = A * B for square n x n float matrices (beta = 0), on the engine's simd and scalar kernels with
 * {@code threads} threads, and on EJML (CommonOps_FDRM.mult, or CommonOps_MT_FDRM.mult with
 * {@code threads} > 1). GFLOP/s = 2 n^3 / time: the {@code :gflop} line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Gemm {
    @Param({"256", "1024"})
    public int n;
    @Param({"1", "2"})
    public int threads;
    @Param({"simd", "scalar", "ejml"})
    public String backend;

    private float[] a;
    private float[] b;
    private float[] c;
    private Kernels kernels;
    private FMatrixRMaj ma;
    private FMatrixRMaj mb;
    private FMatrixRMaj mc;
    private double gflopPerOp;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        a = Fixtures.random(r, n * n);
        b = Fixtures.random(r, n * n);
        c = new float[n * n];
        gflopPerOp = 2.0 * n * n * n * 1e-9;
        if ("ejml".equals(backend)) {
            EjmlConcurrency.setMaxThreads(threads);
            ma = FMatrixRMaj.wrap(n, n, a);
            mb = FMatrixRMaj.wrap(n, n, b);
            mc = FMatrixRMaj.wrap(n, n, c);
        } else {
            kernels = Backend.kernels(backend, threads);
        }
    }

    @Benchmark
    public void multiply(Flops f) {
        if (kernels != null) {
            kernels.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        } else if (threads == 1) {
            CommonOps_FDRM.mult(ma, mb, mc);
        } else {
            CommonOps_MT_FDRM.mult(ma, mb, mc);
        }
        f.gflop += gflopPerOp;
    }
}
