package org.siamese4j.engine;

/** Run in a child JVM by BackendTest: prints the backend and a small product. */
public final class BackendProbe {
    private BackendProbe() {
    }

    public static void main(String[] args) {
        Kernels k = Backend.kernels();
        Backend.kernels(); // a second request must not repeat the fallback message
        float[] c = new float[4];
        k.gemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2, 0f, c, 0, 2);
        System.out.println("backend=" + k.name());
        System.out.println("result=" + c[0] + "," + c[1] + "," + c[2] + "," + c[3]);
    }
}
