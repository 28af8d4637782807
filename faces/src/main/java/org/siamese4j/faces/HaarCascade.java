package org.siamese4j.faces;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A boosted cascade of Haar-feature decision trees, as trained by OpenCV's traincascade and stored in its
 * XML format (see {@link CascadeParser}). Immutable; every instance has passed the parser's checks, so the
 * detector can index the flat arrays below without bounds checks of its own.
 *
 * <p>Layout (all flat arrays, the way OpenCV's CascadeClassifierImpl::Data holds them): stage {@code s} owns
 * trees {@code [stageTreeStart[s], stageTreeStart[s+1])}; tree {@code t} owns nodes
 * {@code [treeNodeStart[t], treeNodeStart[t+1])} and leaves from {@code treeLeafStart[t]}. A node's
 * left/right child is a node index relative to its tree when positive, and leaf {@code -child} of its tree
 * when zero or negative. Feature {@code f} has up to three rectangles {@code (x, y, w, h)} at
 * {@code featureRects[12f + 4r]} with weight {@code featureWeights[3f + r]}; unused rectangles have weight 0.
 */
public final class HaarCascade {
    /**
     * OpenCV subtracts this from every stage threshold when it loads a cascade, so that float rounding in the
     * stage sum cannot reject a window the training accepted; we do the same to match its decisions.
     */
    static final float STAGE_THRESHOLD_EPS = 1e-5f;

    /** OpenCV's RECT_NUM: a Haar feature has at most three weighted rectangles. */
    static final int MAX_RECTS = 3;

    private final String source;
    private final int windowWidth;
    private final int windowHeight;
    private final float[] stageThresholds;
    private final int[] stageTreeStart;
    private final int[] treeNodeStart;
    private final int[] treeLeafStart;
    private final int[] nodeLeft;
    private final int[] nodeRight;
    private final int[] nodeFeature;
    private final float[] nodeThreshold;
    private final float[] leafValues;
    private final int[] featureRects;
    private final float[] featureWeights;
    private final boolean[] featureTilted;
    private final boolean hasTiltedFeatures;
    private final int maxNodesPerTree;

    /**
     * Takes ownership of the arrays, which {@link CascadeParser} has validated. {@code stageThresholds} are the
     * file's values; the OpenCV epsilon is subtracted here.
     */
    HaarCascade(String source, int windowWidth, int windowHeight, float[] stageThresholds, int[] stageTreeStart,
            int[] treeNodeStart, int[] treeLeafStart, int[] nodeLeft, int[] nodeRight, int[] nodeFeature,
            float[] nodeThreshold, float[] leafValues, int[] featureRects, float[] featureWeights,
            boolean[] featureTilted) {
        this.source = source;
        this.windowWidth = windowWidth;
        this.windowHeight = windowHeight;
        this.stageThresholds = new float[stageThresholds.length];
        for (int s = 0; s < stageThresholds.length; s++) {
            this.stageThresholds[s] = stageThresholds[s] - STAGE_THRESHOLD_EPS;
        }
        this.stageTreeStart = stageTreeStart;
        this.treeNodeStart = treeNodeStart;
        this.treeLeafStart = treeLeafStart;
        this.nodeLeft = nodeLeft;
        this.nodeRight = nodeRight;
        this.nodeFeature = nodeFeature;
        this.nodeThreshold = nodeThreshold;
        this.leafValues = leafValues;
        this.featureRects = featureRects;
        this.featureWeights = featureWeights;
        this.featureTilted = featureTilted;
        boolean tilted = false;
        for (boolean t : featureTilted) {
            tilted |= t;
        }
        this.hasTiltedFeatures = tilted;
        int maxNodes = 0;
        for (int t = 0; t + 1 < treeNodeStart.length; t++) {
            maxNodes = Math.max(maxNodes, treeNodeStart[t + 1] - treeNodeStart[t]);
        }
        this.maxNodesPerTree = maxNodes;
    }

    /** Parses an OpenCV cascade XML file; see {@link CascadeParser#parse(Path)}. */
    public static HaarCascade load(Path file) {
        return CascadeParser.parse(file);
    }

    /** File name of OpenCV's frontal-face cascade, which ships with this module. */
    public static final String BUILT_IN_FILE = "haarcascade_frontalface_default.xml";

    /**
     * OpenCV's frontal-face cascade (Intel License Agreement, in the resource
     * {@code haarcascade_frontalface_default.LICENSE.txt} beside it), parsed once and shared.
     */
    public static HaarCascade builtIn() {
        return BuiltIn.CASCADE;
    }

    /** Parsed on first use only: commands that detect nothing never pay for the 0.9 MB of XML. */
    private static final class BuiltIn {
        static final HaarCascade CASCADE = read();

        private static HaarCascade read() {
            try (InputStream in = HaarCascade.class.getResourceAsStream(BUILT_IN_FILE)) {
                if (in == null) {
                    throw new IllegalStateException("the built-in cascade " + BUILT_IN_FILE + " is missing from the jar");
                }
                return CascadeParser.parse(in.readNBytes((int) CascadeParser.MAX_FILE_BYTES), "built-in " + BUILT_IN_FILE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the built-in cascade " + BUILT_IN_FILE, e);
            }
        }
    }

    /** Where the cascade was read from, for messages. */
    public String source() {
        return source;
    }

    /** Width of the detection window the cascade was trained on (24 for frontalface_default). */
    public int windowWidth() {
        return windowWidth;
    }

    /** Height of the detection window the cascade was trained on. */
    public int windowHeight() {
        return windowHeight;
    }

    public int stageCount() {
        return stageThresholds.length;
    }

    /** Number of weak classifiers (trees) over all stages. */
    public int treeCount() {
        return treeNodeStart.length - 1;
    }

    public int featureCount() {
        return featureTilted.length;
    }

    /** Whether any feature is a 45-degree rotated one, which needs the tilted integral image. */
    public boolean hasTiltedFeatures() {
        return hasTiltedFeatures;
    }

    /** 1 when every weak classifier is a stump, as in OpenCV's stock Haar cascades. */
    public int maxNodesPerTree() {
        return maxNodesPerTree;
    }

    /** Stage thresholds with OpenCV's load-time epsilon already subtracted. */
    float[] stageThresholds() {
        return stageThresholds;
    }

    int[] stageTreeStart() {
        return stageTreeStart;
    }

    int[] treeNodeStart() {
        return treeNodeStart;
    }

    int[] treeLeafStart() {
        return treeLeafStart;
    }

    int[] nodeLeft() {
        return nodeLeft;
    }

    int[] nodeRight() {
        return nodeRight;
    }

    int[] nodeFeature() {
        return nodeFeature;
    }

    float[] nodeThreshold() {
        return nodeThreshold;
    }

    float[] leafValues() {
        return leafValues;
    }

    int[] featureRects() {
        return featureRects;
    }

    float[] featureWeights() {
        return featureWeights;
    }

    boolean[] featureTilted() {
        return featureTilted;
    }

    @Override
    public String toString() {
        return "HaarCascade[" + windowWidth + "x" + windowHeight + ", " + stageCount() + " stages, " + treeCount()
                + " trees, " + featureCount() + " features" + (hasTiltedFeatures ? ", tilted" : "") + ", from "
                + source + "]";
    }
}
