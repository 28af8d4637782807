package org.siamese4j.bench;

import java.util.Locale;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.SiameseNet;

/**
 * The size of each preset: parameters, FLOPs, and memory. Memory is measured, not estimated: the live heap
 * after a full GC, with nothing but the network (and, for training, one batch, its activations and the
 * optimizer) reachable, minus the heap before it was built.
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmx3g -cp bench/target/benchmarks.jar org.siamese4j.bench.PresetSizes</pre>
 */
public final class PresetSizes {
    private PresetSizes() {
    }

    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "%-8s %-8s %12s %14s %18s %14s %16s %18s%n", "preset", "input", "parameters",
                "MFLOP/image", "train GFLOP/pair", "batch", "inference MiB", "training MiB");
        for (String name : Architecture.presetNames()) {
            Architecture arch = Architecture.preset(name);
            long base = liveHeap();
            SiameseNet inference = SiameseNet.create(arch, Backend.kernels("simd", 1), false);
            inference.embed(new float[inference.inputSize()], 1);
            long inferenceBytes = liveHeap() - base;
            long parameters = inference.params().size();
            inference = null;

            base = liveHeap();
            Fixtures.Training t = new Fixtures.Training(name, 1, 1);
            t.step();
            long trainingBytes = liveHeap() - base;
            double forwardFlop = 2.0 * arch.forwardMacsPerImage();
            // a training pair: two images, each forward and backward (backward ~ 2x forward)
            double flopPerPair = 3.0 * forwardFlop * 2;
            System.out.printf(Locale.ROOT, "%-8s %-8s %,12d %14.1f %18.3f %14s %16.1f %18.1f%n", name,
                    arch.inputHeight() + "x" + arch.inputWidth(), parameters, forwardFlop * 1e-6, flopPerPair * 1e-9,
                    t.n + " images", inferenceBytes / 1048576.0, trainingBytes / 1048576.0);
            t = null;
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
