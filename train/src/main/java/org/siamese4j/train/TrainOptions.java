package org.siamese4j.train;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.PairLoss;
import org.siamese4j.train.image.AffineAugmenter;
import org.siamese4j.train.image.PixelAugmenter;

/**
 * Everything that shapes a training run. The settings that decide the trajectory (seed, sampling,
 * optimizer) are stored in checkpoints, so {@code --resume} continues with them; the stopping settings
 * may change on resume.
 */
public final class TrainOptions {
    // trajectory
    public long seed = 1;
    public BatchSampler.Scheme scheme = BatchSampler.Scheme.CLASSES;
    public int pairsPerBatch = 64;
    public int classesPerBatch = 32;
    public int imagesPerClass = 2;
    public boolean withinGroup = true;
    /** Augmentation preset: koch, flip (koch plus horizontal flips), faces (milder, with flips) or none. */
    public String augmentation = "koch";
    /** Every range of the augmentation preset times this (1: the preset as it is). */
    public double augmentStrength = 1;
    /** Contrast and brightness jitter, and the chance of random erasing, after the preset (0, 0: none). */
    public PixelAugmenter.Params pixelAugment = PixelAugmenter.Params.NONE;
    /** Pixel value for areas an augmentation moves in from outside (white for Omniglot). */
    public float fill = 255f;
    public double learningRate = 0.05;
    public double l2 = 1e-4;
    public double momentum = 0.9;
    public double momentumRampEpochs = 2;
    public double decayPerEpoch = 0.99;
    /** Anneal the learning rate to 0 along half a cosine over this many steps (0: per-epoch decay instead). */
    public long cosineSteps = 0;
    /** The loss on the pair logits. */
    public PairLoss loss = PairLoss.BCE;
    public Initializer init = Initializer.HE;

    // stopping and bookkeeping
    public long maxSteps = Long.MAX_VALUE;
    public double maxEpochs = Double.POSITIVE_INFINITY;
    public Duration timeLimit = null;
    public int evalEvery = 500;
    public int checkpointEvery = 1000;
    /** Stop after this many evaluations without a new best (0 = never). */
    public int patience = 0;
    public int valWay = 20;
    public int valTrials = 1000;
    public boolean valWithinGroup = true;
    public int calibrationPairs = 2000;

    public Map<String, String> trajectory() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seed", Long.toString(seed));
        m.put("scheme", scheme.name().toLowerCase());
        m.put("pairs-per-batch", Integer.toString(pairsPerBatch));
        m.put("classes-per-batch", Integer.toString(classesPerBatch));
        m.put("images-per-class", Integer.toString(imagesPerClass));
        m.put("within-group", Boolean.toString(withinGroup));
        m.put("augment", augmentation);
        m.put("augment-strength", Double.toString(augmentStrength));
        m.put("augment-intensity", Double.toString(pixelAugment.intensity()));
        m.put("augment-erase", Double.toString(pixelAugment.eraseProbability()));
        m.put("fill", Float.toString(fill));
        m.put("lr", Double.toString(learningRate));
        m.put("l2", Double.toString(l2));
        m.put("momentum", Double.toString(momentum));
        m.put("init", init.name().toLowerCase());
        m.put("momentum-ramp-epochs", Double.toString(momentumRampEpochs));
        m.put("decay-per-epoch", Double.toString(decayPerEpoch));
        m.put("cosine-steps", Long.toString(cosineSteps));
        m.put("loss", loss.cliName());
        return m;
    }

    /** Restores the trajectory settings saved in a checkpoint. */
    public void applyTrajectory(Map<String, String> m) {
        try {
            seed = Long.parseLong(m.get("seed"));
            scheme = BatchSampler.Scheme.valueOf(m.get("scheme").toUpperCase());
            pairsPerBatch = Integer.parseInt(m.get("pairs-per-batch"));
            classesPerBatch = Integer.parseInt(m.get("classes-per-batch"));
            imagesPerClass = Integer.parseInt(m.get("images-per-class"));
            withinGroup = Boolean.parseBoolean(m.get("within-group"));
            augmentation = m.get("augment");
            // checkpoints written before the strength existed used the presets as they are
            augmentStrength = m.containsKey("augment-strength") ? Double.parseDouble(m.get("augment-strength")) : 1;
            augmentParams();
            // checkpoints written before pixel augmentation existed had none
            pixelAugment = new PixelAugmenter.Params(Double.parseDouble(m.getOrDefault("augment-intensity", "0")),
                    Double.parseDouble(m.getOrDefault("augment-erase", "0")));
            fill = Float.parseFloat(m.get("fill"));
            learningRate = Double.parseDouble(m.get("lr"));
            l2 = Double.parseDouble(m.get("l2"));
            momentum = Double.parseDouble(m.get("momentum"));
            init = Initializer.parse(m.get("init"));
            momentumRampEpochs = Double.parseDouble(m.get("momentum-ramp-epochs"));
            decayPerEpoch = Double.parseDouble(m.get("decay-per-epoch"));
            // checkpoints written before the cosine schedule existed use the per-epoch decay
            cosineSteps = m.containsKey("cosine-steps") ? Long.parseLong(m.get("cosine-steps")) : 0;
            loss = m.containsKey("loss") ? PairLoss.parse(m.get("loss")) : PairLoss.BCE;
        } catch (RuntimeException e) {
            throw new org.siamese4j.engine.BadInputException("checkpoint: invalid training settings (" + e.getMessage() + ")");
        }
    }

    /** The augmentation parameters of the preset at the chosen strength, or null for none. */
    public AffineAugmenter.Params augmentParams() {
        AffineAugmenter.Params p = augmentParams(augmentation);
        return p == null || augmentStrength == 1 ? p : p.scaled(augmentStrength);
    }

    /** The parameters of an augmentation preset by name (koch, flip, faces), or null for none. */
    public static AffineAugmenter.Params augmentParams(String augmentation) {
        switch (augmentation) {
            case "koch":
                return AffineAugmenter.Params.KOCH;
            case "flip":
                return AffineAugmenter.Params.KOCH.withHorizontalFlip(true);
            case "faces":
                return new AffineAugmenter.Params(8, 0.1, 0.9, 1.1, 3, 64, 0.5, true);
            case "none":
                return null;
            default:
                throw new IllegalArgumentException("unknown augmentation '" + augmentation + "' (use koch, flip, faces or none)");
        }
    }
}
