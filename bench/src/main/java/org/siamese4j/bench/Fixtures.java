package org.siamese4j.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.PairBatch;
import org.siamese4j.model.SgdMomentum;
import org.siamese4j.model.SiameseNet;

/** Shared set-up: random data and a ready-to-train Siamese net of a preset. */
final class Fixtures {
    private Fixtures() {
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    /** Classes per step of the compact preset's training batch (the CLI's --classes-per-batch default). */
    static final int COMPACT_CLASSES = 32;

    /** Pairs per step of the peer's presets: koch 32, small28 128 (Koch's pairs (i, i + B)). */
    static int pairsFor(String preset) {
        return "koch".equals(preset) ? 32 : 128;
    }

    /** A net, its optimiser and one fixed random batch: {@code pairs} Koch pairs (i, i + pairs) over 2 * pairs images. */
    static final class Training {
        final Architecture arch;
        final Kernels kernels;
        final SiameseNet net;
        final SgdMomentum opt;
        final double[] l2;
        final float[] images;
        final int n;
        final PairBatch pairs;
        /** Effective floating-point operations of one step: 3 x forward MACs x 2 over the tower images (peer convention). */
        final double flopPerStep;

        Training(String preset, int threads, long seed) {
            arch = Architecture.preset(preset);
            kernels = Backend.kernels("simd", threads);
            net = SiameseNet.create(arch, kernels, true);
            Initializer.HE.initialize(net, seed);
            // a tiny learning rate keeps the weights (and the timing) steady over thousands of steps
            List<SgdMomentum.LayerHyper> hyper = SgdMomentum.uniform(net, 1e-6, 1e-4, 0.5);
            opt = new SgdMomentum(net, hyper, SgdMomentum.Schedule.koch(1000));
            l2 = opt.l2PerGroup();
            SplittableRandom r = new SplittableRandom(seed);
            if ("compact".equals(preset)) {
                // the CLI's default training batch: 32 classes x 2 images, every pair of the batch scored
                n = COMPACT_CLASSES * 2;
                pairs = new PairBatch();
                int positives = COMPACT_CLASSES;
                int negatives = n * (n - 1) / 2 - positives;
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        boolean same = i / 2 == j / 2;
                        pairs.add(i, j, same, same ? 0.5f / positives : 0.5f / negatives);
                    }
                }
            } else {
                int p = pairsFor(preset);
                n = 2 * p;
                boolean[] same = new boolean[p];
                for (int i = 0; i < p; i++) {
                    same[i] = r.nextBoolean();
                }
                pairs = PairBatch.koch(same);
            }
            images = new float[n * net.inputSize()];
            for (int i = 0; i < images.length; i++) {
                images[i] = (float) r.nextDouble();
            }
            flopPerStep = 3.0 * 2.0 * arch.forwardMacsPerImage() * n;
        }

        /** One full step: zero the gradients, forward and backward through both towers and the head, SGD update. */
        double step() {
            net.params().zeroGrads();
            double loss = net.forwardBackward(images, n, pairs, l2).total();
            opt.update();
            return loss;
        }
    }
}
