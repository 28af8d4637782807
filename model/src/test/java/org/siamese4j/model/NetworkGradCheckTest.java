package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.check.FaultyKernels;
import org.siamese4j.engine.check.GradCheck;

/** The whole network, both branches, the head and the L2 term, against double-precision differences. */
class NetworkGradCheckTest {

    @Test
    void wholeNetworkPassesOnBothBackends() {
        for (String backend : new String[] {"scalar", "simd"}) {
            Kernels k = Backend.kernels(backend, 2);
            for (Architecture a : new Architecture[] {NetworkGradCheck.smallInstance(), NetworkGradCheck.smallKoch()}) {
                GradCheck.Report r = NetworkGradCheck.run(a, k, 7, GradCheck.DEFAULT_BOUND);
                assertTrue(r.passed(), backend + "\n" + r.format());
                // every trained tensor of every layer, head included, is in the report
                long trained = SiameseNet.create(a, k, false).groups().stream()
                        .flatMap(g -> g.params().stream()).filter(p -> p.role().trained()).count();
                assertTrue(r.tensors().size() == trained, r.format());
                assertTrue(r.tensors().stream().anyMatch(t -> t.name().startsWith("head/")), r.format());
            }
        }
    }

    @Test
    void brokenBackwardPassesAreCaught() {
        for (FaultyKernels.Fault f : new FaultyKernels.Fault[] {FaultyKernels.Fault.L1_SIGN_FLIP,
                FaultyKernels.Fault.CONV_WEIGHT_OFF_BY_ONE, FaultyKernels.Fault.POOL_ARGMAX_OFF_BY_ONE,
                FaultyKernels.Fault.CONV_INPUT_SIGN_FLIP, FaultyKernels.Fault.WEIGHT_DECAY_DROPPED}) {
            Kernels broken = new FaultyKernels(Backend.kernels("simd", 2), f);
            GradCheck.Report r = NetworkGradCheck.run(NetworkGradCheck.smallInstance(), broken, 7, GradCheck.DEFAULT_BOUND);
            assertFalse(r.passed(), f + " was not caught:\n" + r.format());
        }
    }

    @Test
    void softmaxLossPassesAndABrokenPassIsStillCaught() {
        for (String backend : new String[] {"scalar", "simd"}) {
            GradCheck.Report r = NetworkGradCheck.run(NetworkGradCheck.smallInstance(), Backend.kernels(backend, 2), 7,
                    GradCheck.DEFAULT_BOUND, PairLoss.BCE_SOFTMAX);
            assertTrue(r.passed(), backend + "\n" + r.format());
        }
        Kernels broken = new FaultyKernels(Backend.kernels("simd", 2), FaultyKernels.Fault.L1_SIGN_FLIP);
        assertFalse(NetworkGradCheck.run(NetworkGradCheck.smallInstance(), broken, 7, GradCheck.DEFAULT_BOUND,
                PairLoss.BCE_SOFTMAX).passed());
    }
}
