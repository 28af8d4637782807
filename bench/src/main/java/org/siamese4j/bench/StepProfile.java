package org.siamese4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.layer.Dense;
import org.siamese4j.engine.layer.Layer;
import org.siamese4j.engine.layer.Param;
import org.siamese4j.engine.layer.Sequential;
import org.siamese4j.model.SiameseNet;

/**
 * Where a training step's time goes: times every tower layer's forward and backward pass, the head,
 * weight decay and the SGD update, over a few steps after warm-up. The tower is driven layer by layer
 * from outside, replicating {@code SiameseNet.forwardBackward} (same kernels, same order); whole steps
 * through {@code forwardBackward} are timed too, for comparison. Also reports the heap.
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmx2g -cp bench/target/benchmarks.jar \
 *     org.siamese4j.bench.StepProfile koch 2 [steps]</pre>
 */
public final class StepProfile {
    private StepProfile() {
    }

    /** With -Dprofile.cpu=true parts are timed in CPU time of the calling thread (meaningful for 1 thread on a busy machine). */
    private static final boolean CPU = Boolean.getBoolean("profile.cpu");
    private static final java.lang.management.ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private static long now() {
        return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    public static void main(String[] args) {
        String preset = args.length > 0 ? args[0] : "koch";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        boolean koch = "koch".equals(preset);
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : (koch ? 5 : 40);
        int warm = koch ? 4 : 60;
        Fixtures.Training t = new Fixtures.Training(preset, threads, 1);
        Sequential tower = t.net.tower();
        List<Layer> layers = tower.layers();
        int count = layers.size();
        long[] fwd = new long[count];
        long[] bwd = new long[count];
        long[] other = new long[5];
        for (int i = 0; i < warm; i++) {
            t.step();
            profiledStep(t, new long[count], new long[count], new long[5]);
        }
        double[] whole = new double[steps];
        long allocated = allocatedBytes();
        for (int i = 0; i < steps; i++) {
            long t0 = now();
            t.step();
            whole[i] = (now() - t0) * 1e-9;
        }
        allocated = allocatedBytes() - allocated;
        for (int i = 0; i < steps; i++) {
            profiledStep(t, fwd, bwd, other);
        }
        Arrays.sort(whole);
        double median = whole[steps / 2];
        System.out.printf(Locale.ROOT, "preset %s, %d images (%d pairs), %d threads, %s kernels (vector length %d), %s time%n",
                preset, t.n, t.pairs.size(), threads, t.kernels.name(), t.kernels.vectorLength(),
                CPU ? "calling-thread CPU" : "wall-clock");
        System.out.printf(Locale.ROOT, "whole step (forwardBackward + update): median %.1f ms, min %.1f, max %.1f over %d steps;"
                        + " %.1f effective GFLOP/s (3 x fwd x 2 = %.2f GFLOP/step)%n",
                median * 1e3, whole[0] * 1e3, whole[steps - 1] * 1e3, steps, t.flopPerStep / median * 1e-9, t.flopPerStep * 1e-9);
        System.out.printf(Locale.ROOT, "allocation: %.0f bytes per whole step (all threads, after %d warm-up steps)%n",
                (double) allocated / steps, warm);
        System.out.printf(Locale.ROOT, "%-3s %-16s %-14s %10s %8s %10s %8s%n", "#", "layer", "output", "fwd ms", "GFLOP/s",
                "bwd ms", "GFLOP/s");
        double total = 0;
        for (int i = 0; i < count; i++) {
            Layer l = layers.get(i);
            double f = fwd[i] * 1e-6 / steps;
            double b = bwd[i] * 1e-6 / steps;
            total += f + b;
            double macs = (double) l.forwardMacsPerSample() * t.n;
            double bwdFlop = macs * 2 * (l.inputGradientNeeded() ? 2 : 1);
            System.out.printf(Locale.ROOT, "%-3d %-16s %-14s %10.2f %8s %10.2f %8s%n", i, l.kind(),
                    Arrays.toString(l.outputShape()).replace(" ", ""), f, rate(macs * 2, f), b, rate(bwdFlop, b));
        }
        String[] names = {"zero grads", "head + loss", "l1 join bwd", "weight decay", "sgd update"};
        for (int i = 0; i < names.length; i++) {
            double ms = other[i] * 1e-6 / steps;
            total += ms;
            System.out.printf(Locale.ROOT, "    %-31s %10.2f%n", names[i], ms);
        }
        System.out.printf(Locale.ROOT, "    %-31s %10.2f  (whole step median %.2f)%n", "sum of parts", total, median * 1e3);
        System.gc();
        long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "heap: %.0f MiB live after a step and a full GC; %.0f MiB sum of per-pool peaks;"
                        + " max heap %.0f MiB; parameters %,d floats%n", used / 1048576.0, peak / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576.0, t.net.params().size());
    }

    /** Bytes allocated so far by all live threads (HotSpot's per-thread counters). */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    private static String rate(double flop, double ms) {
        return flop == 0 || ms <= 0 ? "-" : String.format(Locale.ROOT, "%.1f", flop / (ms * 1e-3) * 1e-9);
    }

    /** One step, layer by layer, as SiameseNet.forwardBackward + SgdMomentum.update do it; adds nanoseconds per part. */
    private static void profiledStep(Fixtures.Training t, long[] fwd, long[] bwd, long[] other) {
        SiameseNet net = t.net;
        Kernels k = t.kernels;
        List<Layer> layers = net.tower().layers();
        int n = t.n;
        int emb = net.embeddingSize();
        long t0 = now();
        net.params().zeroGrads();
        long t1 = now();
        other[0] += t1 - t0;
        net.tower().setTraining(true);
        Tensor x = Tensor.of(t.images, n, 1, t.arch.inputHeight(), t.arch.inputWidth());
        for (int i = 0; i < layers.size(); i++) {
            long s = now();
            x = layers.get(i).forward(x);
            fwd[i] += now() - s;
        }
        Tensor e = x;
        t0 = now();
        int p = t.pairs.size();
        float[] joined = new float[p * emb];
        for (int i = 0; i < p; i++) {
            k.l1JoinForward(e.data, e.offset + t.pairs.left(i) * emb, e.data, e.offset + t.pairs.right(i) * emb, joined, i * emb, emb);
        }
        Dense head = net.head();
        Tensor z = head.forward(Tensor.of(joined, p, emb));
        float[] logitGrad = new float[p];
        for (int i = 0; i < p; i++) {
            double y = t.pairs.label(i);
            logitGrad[i] = (float) ((SiameseNet.sigmoid(z.get(i)) - y) / p);
        }
        Tensor dJoined = head.backward(Tensor.of(logitGrad, p, 1));
        t1 = now();
        other[1] += t1 - t0;
        float[] embGrad = new float[n * emb];
        float[] left = new float[emb];
        float[] right = new float[emb];
        for (int i = 0; i < p; i++) {
            int l = t.pairs.left(i) * emb;
            int r = t.pairs.right(i) * emb;
            k.l1JoinBackward(e.data, e.offset + l, e.data, e.offset + r, dJoined.data, dJoined.offset + i * emb, left, 0, right, 0, emb);
            for (int j = 0; j < emb; j++) {
                embGrad[l + j] += left[j];
                embGrad[r + j] += right[j];
            }
        }
        long t2 = now();
        other[2] += t2 - t1;
        Tensor g = Tensor.of(embGrad, n, emb);
        for (int i = layers.size() - 1; i >= 0 && g != null; i--) {
            long s = now();
            g = layers.get(i).backward(g);
            bwd[i] += now() - s;
        }
        t0 = now();
        for (int gi = 0; gi < net.groups().size(); gi++) {
            float lf = (float) t.l2[gi];
            for (Param prm : net.groups().get(gi).params()) {
                if (prm.role() != Param.Role.WEIGHT || lf == 0f) {
                    continue;
                }
                Tensor v = prm.value();
                Tensor gr = prm.grad();
                for (int i = 0; i < v.size(); i++) {
                    gr.data[gr.offset + i] += lf * v.data[v.offset + i];
                }
            }
        }
        t1 = now();
        other[3] += t1 - t0;
        t.opt.update();
        other[4] += now() - t1;
    }
}
