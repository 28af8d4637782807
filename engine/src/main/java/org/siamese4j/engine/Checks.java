package org.siamese4j.engine;

/** Argument checks shared by the kernels: they fail with the shapes named, before any indexing. */
final class Checks {
    private Checks() {
    }

    static void range(String what, float[] a, int off, long count, Object shape) {
        if (a == null) {
            throw new IllegalArgumentException(what + " is null for " + shape);
        }
        if (off < 0 || count < 0 || off + count > a.length) {
            throw new IllegalArgumentException(what + ": needs " + count + " floats at offset " + off
                    + " but the buffer has " + a.length + ", for " + shape);
        }
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        String shape = "gemm[" + m + "x" + k + (transA ? " (A transposed)" : "") + " times " + k + "x" + n
                + (transB ? " (B transposed)" : "") + ", lda " + lda + ", ldb " + ldb + ", ldc " + ldc + "]";
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size in " + shape);
        }
        int aCols = transA ? m : k;
        int aRows = transA ? k : m;
        int bCols = transB ? k : n;
        int bRows = transB ? n : k;
        if (lda < Math.max(1, aCols) || ldb < Math.max(1, bCols) || ldc < Math.max(1, n)) {
            throw new IllegalArgumentException("leading dimension smaller than a row in " + shape);
        }
        range("A", a, aOff, extent(aRows, aCols, lda), shape);
        range("B", b, bOff, extent(bRows, bCols, ldb), shape);
        range("C", c, cOff, extent(m, n, ldc), shape);
    }

    // Checks without allocation on the good path: the ones above build their messages eagerly, so the
    // kernels call them only to fail (with their usual message) once a cheap test has found a problem.

    static boolean inRange(float[] a, int off, long count) {
        return a != null && off >= 0 && count >= 0 && off + count <= a.length;
    }

    static void quickElementwise(String what, int n, float[] a, int aOff) {
        if (n < 0) {
            throw new IllegalArgumentException(what + ": negative length " + n);
        }
        if (!inRange(a, aOff, n)) {
            range(what, a, aOff, n, "length " + n);
        }
    }

    static void quickMatrix(String what, float[] a, int off, long count, int rows, int cols) {
        if (!inRange(a, off, count)) {
            range(what, a, off, count, rows + "x" + cols);
        }
    }

    /** Floats a rows x cols matrix with row stride ld spans; none when it is empty. */
    static long extent(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }
}
