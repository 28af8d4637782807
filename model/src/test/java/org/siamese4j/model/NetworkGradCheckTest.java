package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.check.FaultyKernels;
import org.siamese4j.engine.check.GradCheck;

/** The whole network, both branches, the head and the L2 term, against double-precision differences. */
class NetworkGradCheckTest {
    /** The scalar backend always; the SIMD one where jdk.incubator.vector is present. */
    private static String[] backends() {
        return Backend.vectorApiAvailable() ? new String[] {"scalar", "simd"} : new String[] {"scalar"};
    }

    /** The backend a fault is injected into: SIMD where it exists. */
    private static Kernels faultable() {
        return Backend.kernels(Backend.vectorApiAvailable() ? "simd" : "scalar", 2);
    }

    @Test
    void theSimdBackendIsCheckedWhereTheVectorApiIsPresent() {
        Assumptions.assumeTrue(Backend.vectorApiAvailable(),
                "jdk.incubator.vector is not present: the network check covers the scalar backend only");
        assertTrue(List.of(backends()).contains("simd"));
    }

    @Test
    void wholeNetworkPassesOnBothBackends() {
        for (String backend : backends()) {
            Kernels k = Backend.kernels(backend, 2);
            for (Architecture a : new Architecture[] {NetworkGradCheck.smallInstance(), NetworkGradCheck.smallKoch(),
                    NetworkGradCheck.smallCompact()}) {
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
                FaultyKernels.Fault.CONV_INPUT_SIGN_FLIP, FaultyKernels.Fault.WEIGHT_DECAY_DROPPED,
                FaultyKernels.Fault.BATCH_NORM_MEAN_TERM_DROPPED, FaultyKernels.Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED}) {
            Kernels broken = new FaultyKernels(faultable(), f);
            GradCheck.Report r = NetworkGradCheck.run(NetworkGradCheck.smallInstance(), broken, 7, GradCheck.DEFAULT_BOUND);
            assertFalse(r.passed(), f + " was not caught:\n" + r.format());
        }
        // a fused first block: the faults of the passes it stands for
        for (FaultyKernels.Fault f : new FaultyKernels.Fault[] {FaultyKernels.Fault.CONV_WEIGHT_OFF_BY_ONE,
                FaultyKernels.Fault.POOL_ARGMAX_OFF_BY_ONE, FaultyKernels.Fault.RELU_MASK_INVERTED,
                FaultyKernels.Fault.BATCH_NORM_MEAN_TERM_DROPPED, FaultyKernels.Fault.BATCH_NORM_SHIFT_GRADIENT_DROPPED}) {
            Kernels broken = new FaultyKernels(faultable(), f);
            GradCheck.Report r = NetworkGradCheck.run(NetworkGradCheck.smallCompact(), broken, 7, GradCheck.DEFAULT_BOUND);
            assertFalse(r.passed(), f + " was not caught in the fused first block:\n" + r.format());
        }
    }

    @Test
    void smallCompactStartsWithTheFusedFirstBlock() {
        SiameseNet net = SiameseNet.create(NetworkGradCheck.smallCompact(), faultable(), true);
        assertTrue(net.tower().layers().get(0) instanceof org.siamese4j.engine.layer.ConvBatchNormPool,
                net.tower().layers().get(0).describe());
    }

    @Test
    void softmaxLossPassesAndABrokenPassIsStillCaught() {
        for (String backend : backends()) {
            GradCheck.Report r = NetworkGradCheck.run(NetworkGradCheck.smallInstance(), Backend.kernels(backend, 2), 7,
                    GradCheck.DEFAULT_BOUND, PairLoss.BCE_SOFTMAX);
            assertTrue(r.passed(), backend + "\n" + r.format());
        }
        Kernels broken = new FaultyKernels(faultable(), FaultyKernels.Fault.L1_SIGN_FLIP);
        assertFalse(NetworkGradCheck.run(NetworkGradCheck.smallInstance(), broken, 7, GradCheck.DEFAULT_BOUND,
                PairLoss.BCE_SOFTMAX).passed());
    }
}
