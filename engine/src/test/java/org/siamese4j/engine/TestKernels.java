package org.siamese4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The backends under test and small helpers for random data and comparisons. */
public final class TestKernels {
    private TestKernels() {
    }

    /** scalar always; simd when the Vector API module is present (it is, under the project's surefire config). */
    public static List<Kernels> all(int threads) {
        List<Kernels> list = new ArrayList<>();
        list.add(Backend.kernels("scalar", threads));
        if (Backend.vectorApiAvailable()) {
            list.add(Backend.kernels("simd", threads));
        }
        return list;
    }

    /** The backend hooks of the named backend, as {@link Backend} makes them (SimdOps by name only). */
    static VectorOps ops(String name) {
        if ("scalar".equals(name)) {
            return new ScalarOps();
        }
        try {
            return (VectorOps) Class.forName("org.siamese4j.engine.SimdOps").getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hooks of every backend that {@link #all} lists. */
    static List<VectorOps> allOps() {
        List<VectorOps> list = new ArrayList<>();
        for (Kernels k : all(1)) {
            list.add(ops(k.name()));
        }
        return list;
    }

    /** n copies of v. */
    static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Asserts |expect - got| <= tolerance max(1, |expect|) for each of n values. */
    static void assertClose(float[] expect, int eOff, float[] got, int gOff, int n, double tolerance, String what) {
        for (int i = 0; i < n; i++) {
            float e = expect[eOff + i];
            float v = got[gOff + i];
            org.junit.jupiter.api.Assertions.assertTrue(Math.abs(e - v) <= tolerance * Math.max(1, Math.abs(e)),
                    what + " [" + i + "]: expected " + e + ", got " + v);
        }
    }

    public static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    /** Largest |a - b| relative to max(1, |b|), over the first n values. */
    static double maxError(float[] a, int aOff, double[] b, int n) {
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.abs(a[aOff + i] - b[i]) / Math.max(1.0, Math.abs(b[i]));
            if (Double.isNaN(e)) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, e);
        }
        return worst;
    }
}
