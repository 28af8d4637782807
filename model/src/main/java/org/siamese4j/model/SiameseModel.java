package org.siamese4j.model;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.image.GrayImage;

/**
 * The embedding API for applications: load a model file, embed images (one tower pass each), score
 * cached embeddings with the head alone, and compare two images. Calls on one instance are serialised;
 * for parallel inference give each thread its own {@link #forThread()} instance (weights are shared).
 */
public final class SiameseModel {
    private final SiameseNet net;
    private final Preprocessing preprocessing;
    private final double threshold;
    private final Map<String, String> metadata;
    private final String sha256;
    private final Optional<OpenSetCalibration> openSet;

    private SiameseModel(SiameseNet net, Preprocessing preprocessing, double threshold, Map<String, String> metadata, String sha256,
                         Optional<OpenSetCalibration> openSet) {
        this.net = net;
        this.preprocessing = preprocessing;
        this.threshold = threshold;
        this.metadata = Map.copyOf(metadata);
        this.sha256 = sha256;
        this.openSet = openSet;
    }

    /** Loads a model file with the default kernels (SIMD when available, all cores). */
    public static SiameseModel load(Path path) {
        return load(path, Backend.kernels());
    }

    public static SiameseModel load(Path path, Kernels kernels) {
        return of(ModelFile.load(path, kernels));
    }

    /** Reads a model from memory (e.g. a resource); {@code name} is used in messages. */
    public static SiameseModel load(byte[] data, String name, Kernels kernels) {
        return of(ModelFile.load(data, name, kernels));
    }

    /** The model of a file already read. */
    public static SiameseModel of(ModelFile.Loaded l) {
        return new SiameseModel(l.net(), l.preprocessing(), l.threshold(), l.metadata(), l.sha256(), l.openSet());
    }

    /** Wraps an in-memory network (for example right after training). */
    public static SiameseModel of(SiameseNet net, Preprocessing preprocessing, double threshold) {
        return new SiameseModel(net, preprocessing, threshold, Map.of(), "", Optional.empty());
    }

    /** Another instance on the same weights, for another thread. */
    public SiameseModel forThread() {
        return new SiameseModel(net.sharingWeights(), preprocessing, threshold, metadata, sha256, openSet);
    }

    /** The tower output for one image, after the model's own preprocessing. */
    public synchronized float[] embed(GrayImage image) {
        return net.embed(preprocessing.apply(image), 1);
    }

    /** Embeddings of several images, one batch through the tower. Returns n x embeddingSize(). */
    public synchronized float[] embedAll(GrayImage... images) {
        int size = net.inputSize();
        float[] batch = new float[images.length * size];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(preprocessing.apply(images[i]), 0, batch, i * size, size);
        }
        return net.embed(batch, images.length);
    }

    /**
     * Embeddings of {@code n} network inputs that the caller has already preprocessed (n x the input size,
     * normalised as {@link Preprocessing#normalize} does): no crop, resize or normalisation here. For
     * callers that place the crop themselves, such as face crops taken around a detection box in a photo
     * rather than at the dataset's fixed fractions. Returns n x embeddingSize().
     */
    public synchronized float[] embedPreprocessed(float[] inputs, int n) {
        return net.embed(inputs, n);
    }

    /** p(same) from two cached embeddings: the head only, no tower pass. */
    public float score(float[] a, float[] b) {
        return score(a, 0, b, 0);
    }

    public float score(float[] a, int aOff, float[] b, int bOff) {
        return (float) SiameseNet.sigmoid(logit(a, aOff, b, bOff));
    }

    /** The head's logit of p(same) from two cached embeddings (for averaging over models, where logits add). */
    public float logit(float[] a, int aOff, float[] b, int bOff) {
        if (a.length - aOff < embeddingSize() || b.length - bOff < embeddingSize()) {
            throw new IllegalArgumentException("embeddings must have " + embeddingSize() + " values");
        }
        return net.logit(a, aOff, b, bOff);
    }

    /** p(same) for two images. */
    public float similarity(GrayImage a, GrayImage b) {
        float[] e = embedAll(a, b);
        return net.score(e, 0, e, embeddingSize());
    }

    /** The decision: same when p(same) >= the calibrated threshold. */
    public boolean same(float probability) {
        return probability >= threshold;
    }

    /** The equal-error threshold of one comparison, calibrated on validation pairs. */
    public double threshold() {
        return threshold;
    }

    /** What keeps gallery searches' false-positive identification rate at a target, when the model has it. */
    public Optional<OpenSetCalibration> openSetCalibration() {
        return openSet;
    }

    public int embeddingSize() {
        return net.embeddingSize();
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public Architecture architecture() {
        return net.architecture();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** SHA-256 of the model file: its identity, recorded by galleries. */
    public String sha256() {
        return sha256;
    }

    public SiameseNet net() {
        return net;
    }
}
