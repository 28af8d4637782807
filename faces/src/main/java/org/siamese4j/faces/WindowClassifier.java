package org.siamese4j.faces;

/**
 * A cascade compiled for integral images of one row stride: every tree node carries its feature's
 * rectangle corners as flat offsets from the window origin, so classifying a window is array reads and
 * float arithmetic with no allocation. The arithmetic follows OpenCV's HaarEvaluator and predictOrdered:
 * feature = sum of weight * rectangle sum, times the window's variance normalisation factor, compared with
 * the node threshold ({@code <} goes left); a stage passes when its leaf sum is at least its threshold.
 * Cascades made only of stumps (all of OpenCV's stock Haar cascades) take a flatter path, as in OpenCV.
 */
final class WindowClassifier {
    /** {@link #classify} result for a window too flat to judge (OpenCV's setWindow returning false). */
    static final int FLAT = -1;

    /**
     * Ints per node: 12 corner offsets (3 rectangles), the threshold's bits, then for a stump its two leaf
     * values' bits and for a tree node its left and right child.
     */
    private static final int NODE_INTS = 16;
    private static final int THRESHOLD = 12;
    private static final int LEFT = 13;
    /** Must follow LEFT: {@link #below} picks between them by index. */
    private static final int RIGHT = 14;
    /** Floats per node: 3 rectangle weights and padding. */
    private static final int NODE_FLOATS = 4;
    /**
     * OpenCV rejects windows whose inner-area standard deviation is at most 10 gray levels
     * ({@code area * varianceNormFactor < 0.1} in HaarEvaluator::setWindow): flat patches are never faces.
     */
    private static final double FLAT_LIMIT = 0.1;

    private final int stride;
    private final int stageCount;
    private final boolean stumps;
    private final float[] stageThresholds;
    private final int[] stageTreeStart;
    private final int[] treeNodeStart;
    private final int[] treeLeafStart;
    private final float[] leafValues;
    private final int[] nodes;
    private final float[] weights;
    /** Corners of the normalisation rectangle: the window less a 1-pixel border. */
    private final int norm0;
    private final int norm1;
    private final int norm2;
    private final int norm3;
    private final double normArea;

    /**
     * @param stride row stride of the integral images to classify on
     * @param tiltedStart where the tilted integral starts in {@link IntegralImage#sums}
     */
    WindowClassifier(HaarCascade cascade, int stride, int tiltedStart) {
        this.stride = stride;
        this.stageCount = cascade.stageCount();
        this.stumps = cascade.maxNodesPerTree() == 1;
        this.stageThresholds = cascade.stageThresholds();
        this.stageTreeStart = cascade.stageTreeStart();
        this.treeNodeStart = cascade.treeNodeStart();
        this.treeLeafStart = cascade.treeLeafStart();
        this.leafValues = cascade.leafValues();

        int nodeCount = cascade.nodeFeature().length;
        nodes = new int[nodeCount * NODE_INTS];
        weights = new float[nodeCount * NODE_FLOATS];
        int[] rects = cascade.featureRects();
        float[] rectWeights = cascade.featureWeights();
        boolean[] tilted = cascade.featureTilted();
        for (int n = 0; n < nodeCount; n++) {
            int f = cascade.nodeFeature()[n];
            int o = n * NODE_INTS;
            for (int r = 0; r < HaarCascade.MAX_RECTS; r++) {
                int b = 12 * f + 4 * r;
                int x = rects[b];
                int y = rects[b + 1];
                int w = rects[b + 2];
                int h = rects[b + 3];
                int c = o + 4 * r;
                if (tilted[f]) {
                    // OpenCV's CV_TILTED_OFS corners, in the tilted half of the sums array
                    nodes[c] = tiltedStart + offset(x, y);
                    nodes[c + 1] = tiltedStart + offset(x - h, y + h);
                    nodes[c + 2] = tiltedStart + offset(x + w, y + w);
                    nodes[c + 3] = tiltedStart + offset(x + w - h, y + w + h);
                } else {
                    nodes[c] = offset(x, y);
                    nodes[c + 1] = offset(x + w, y);
                    nodes[c + 2] = offset(x, y + h);
                    nodes[c + 3] = offset(x + w, y + h);
                }
                weights[n * NODE_FLOATS + r] = rectWeights[3 * f + r];
            }
            nodes[o + THRESHOLD] = Float.floatToRawIntBits(cascade.nodeThreshold()[n]);
            if (stumps) {
                // a stump is node n of tree n, with leaves 2n and 2n+1
                nodes[o + LEFT] = Float.floatToRawIntBits(leafValues[2 * n]);
                nodes[o + RIGHT] = Float.floatToRawIntBits(leafValues[2 * n + 1]);
            } else {
                nodes[o + LEFT] = cascade.nodeLeft()[n];
                nodes[o + RIGHT] = cascade.nodeRight()[n];
            }
        }
        int ww = cascade.windowWidth();
        int wh = cascade.windowHeight();
        norm0 = offset(1, 1);
        norm1 = offset(ww - 1, 1);
        norm2 = offset(1, wh - 1);
        norm3 = offset(ww - 1, wh - 1);
        normArea = (double) (ww - 2) * (wh - 2);
    }

    private int offset(int x, int y) {
        return y * stride + x;
    }

    int stageCount() {
        return stageCount;
    }

    /**
     * Classifies the window whose top-left integral-image entry is {@code origin} (y * stride + x).
     *
     * @return {@link #stageCount()} when every stage accepts the window (a detection), otherwise the index of
     *     the stage that rejected it, or {@link #FLAT} for a window with too little contrast
     */
    int classify(IntegralImage image, int origin) {
        int[] squares = image.squares;
        int[] sums = image.sums;
        int p = origin;
        int s = sums[p + norm0] - sums[p + norm1] - sums[p + norm2] + sums[p + norm3];
        int q = squares[p + norm0] - squares[p + norm1] - squares[p + norm2] + squares[p + norm3];
        // area^2 * variance of the inner area; its square root normalises features for contrast
        double nf = normArea * q - (double) s * s;
        if (!(nf > 0)) {
            return FLAT;
        }
        float norm = (float) (1.0 / Math.sqrt(nf));
        if (normArea * norm >= FLAT_LIMIT) {
            return FLAT;
        }
        return stumps ? stumpStages(sums, p, norm) : treeStages(sums, p, norm);
    }

    private int stumpStages(int[] sums, int p, float norm) {
        int[] nodes = this.nodes;
        float[] weights = this.weights;
        int n = 0;
        for (int stage = 0; stage < stageCount; stage++) {
            double stageSum = 0;
            int end = stageTreeStart[stage + 1];
            for (; n < end; n++) {
                int o = n * NODE_INTS;
                float value = feature(sums, p, nodes, o, weights, n * NODE_FLOATS) * norm;
                stageSum += Float.intBitsToFloat(nodes[o + RIGHT - below(value, nodes[o + THRESHOLD])]);
            }
            if (stageSum < stageThresholds[stage]) {
                return stage;
            }
        }
        return stageCount;
    }

    private int treeStages(int[] sums, int p, float norm) {
        int[] nodes = this.nodes;
        float[] weights = this.weights;
        int tree = 0;
        for (int stage = 0; stage < stageCount; stage++) {
            double stageSum = 0;
            int treeEnd = stageTreeStart[stage + 1];
            for (; tree < treeEnd; tree++) {
                int root = treeNodeStart[tree];
                int child = 0;
                do {
                    int n = root + child;
                    int o = n * NODE_INTS;
                    float value = feature(sums, p, nodes, o, weights, n * NODE_FLOATS) * norm;
                    child = nodes[o + RIGHT - below(value, nodes[o + THRESHOLD])];
                } while (child > 0);
                stageSum += leafValues[treeLeafStart[tree] - child];
            }
            if (stageSum < stageThresholds[stage]) {
                return stage;
            }
        }
        return stageCount;
    }

    /**
     * 1 when {@code value < threshold}, else 0, without a branch: both are finite (the parser bounds weights
     * and the normalisation factor is at most 1) and the difference of two different floats is never zero, so
     * its sign bit is exactly the comparison. Picking the left or right
     * entry (LEFT = RIGHT - 1) with it instead of a conditional made the detector twice as fast: the choice is a
     * coin flip for the branch predictor, and a mispredicted branch costs more than the whole feature.
     */
    private static int below(float value, int thresholdBits) {
        return Float.floatToRawIntBits(value - Float.intBitsToFloat(thresholdBits)) >>> 31;
    }

    /** The weighted rectangle sum of the node at {@code o}, unnormalised, in OpenCV's float arithmetic. */
    private static float feature(int[] sums, int p, int[] nodes, int o, float[] weights, int wo) {
        float value = weights[wo] * (float) (sums[p + nodes[o]] - sums[p + nodes[o + 1]] - sums[p + nodes[o + 2]]
                + sums[p + nodes[o + 3]])
                + weights[wo + 1] * (float) (sums[p + nodes[o + 4]] - sums[p + nodes[o + 5]]
                        - sums[p + nodes[o + 6]] + sums[p + nodes[o + 7]]);
        // as OpenCV, skip an unused third rectangle: the pattern repeats for every window, so this branch
        // predicts well (measured faster than always adding the zero-weight term)
        float w2 = weights[wo + 2];
        if (w2 != 0f) {
            value += w2 * (float) (sums[p + nodes[o + 8]] - sums[p + nodes[o + 9]] - sums[p + nodes[o + 10]]
                    + sums[p + nodes[o + 11]]);
        }
        return value;
    }
}
