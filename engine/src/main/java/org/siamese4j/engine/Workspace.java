package org.siamese4j.engine;

/**
 * Per-thread scratch of one kernels instance: packing buffers, a tile for ragged edges, conv staging
 * buffers and the matrix views that the GEMM driver packs from. Every pass of that instance uses the same
 * workspace on a given thread (one pass at a time), so each buffer grows to the largest need and is kept.
 */
final class Workspace {
    // PackedGemm: the packed A block, the packed B block (with slack for packRuns), the edge tile
    float[] packA = new float[0];
    float[] packB = new float[0];
    float[] tile = new float[0];
    // the convolutions: a GEMM result of several images, zero-padded images, flipped kernels (ConvBackwardInput)
    float[] tmp = new float[0];
    float[] padded = new float[0];
    float[] flipped = new float[0];
    // ConvBackwardInput's col2im: the output-row runs of a block of columns
    int[] segCol = new int[0];
    int[] segBase = new int[0];
    int[] segOy = new int[0];
    int[] segOx = new int[0];
    // ConvBackwardParams' shift GEMM: the per-tap accumulators and the packed x and dy of a chunk of images
    float[] shiftAcc = new float[0];
    float[] shiftX = new float[0];
    float[] shiftDy = new float[0];
    // the operands as the GEMM driver sees them (views, set per call)
    final MatrixSource.Dense a = new MatrixSource.Dense();
    final MatrixSource.Dense b = new MatrixSource.Dense();
    final MatrixSource.Batched batched = new MatrixSource.Batched();
    final MatrixSource.Im2col im2col;
    final MatrixSource.Packed packed = new MatrixSource.Packed();
    final MatrixSource.Packed packedRows = new MatrixSource.Packed();

    Workspace(VectorOps ops) {
        im2col = new MatrixSource.Im2col(ops);
    }

    void ensurePacking(int aSize, int bSize, int tileSize) {
        if (packA.length < aSize) {
            packA = new float[aSize];
        }
        if (packB.length < bSize + VectorOps.PACK_SLACK) {
            packB = new float[bSize + VectorOps.PACK_SLACK];
        }
        if (tile.length < tileSize) {
            tile = new float[tileSize];
        }
    }

    float[] ensureTmp(int size) {
        if (tmp.length < size) {
            tmp = new float[size];
        }
        return tmp;
    }

    float[] ensurePadded(int size) {
        if (padded.length < size) {
            padded = new float[size];
        }
        return padded;
    }

    int[] ensureSegments(int n) {
        if (segCol.length < n) {
            segCol = new int[n];
            segBase = new int[n];
            segOy = new int[n];
            segOx = new int[n];
        }
        return segCol;
    }

    float[] ensureShiftAcc(int size) {
        if (shiftAcc.length < size) {
            shiftAcc = new float[size];
        }
        return shiftAcc;
    }

    float[] ensureShiftX(int size) {
        if (shiftX.length < size) {
            shiftX = new float[size];
        }
        return shiftX;
    }

    float[] ensureShiftDy(int size) {
        if (shiftDy.length < size) {
            shiftDy = new float[size];
        }
        return shiftDy;
    }

    float[] ensureFlipped(int size) {
        if (flipped.length < size) {
            flipped = new float[size];
        }
        return flipped;
    }
}
