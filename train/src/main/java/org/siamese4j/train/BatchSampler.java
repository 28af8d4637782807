package org.siamese4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.PairBatch;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;
import org.siamese4j.train.image.AffineAugmenter;
import org.siamese4j.train.image.PixelAugmenter;

/**
 * Draws training batches. Every batch is a pure function of (seed, step), so a resumed run draws exactly
 * what an uninterrupted one would, and the next batch can be prepared in the background.
 *
 * <p>Two schemes:
 * <ul>
 *   <li>{@code pairs} (Koch et al.): B pairs, half same-class and half different-class, over 2B images;</li>
 *   <li>{@code classes}: P classes x K images, and every pair among them is scored by the head (the towers
 *       dominate the cost, so the extra pairs are almost free). Positives and negatives each carry half of
 *       the loss.</li>
 * </ul>
 * Different-class partners come from the same group (alphabet) when {@code withinGroup} is set, as in
 * Koch's and Lake's within-alphabet tasks. Images are augmented (pixel values 0..255), then normalised.
 */
public final class BatchSampler {
    /** A prepared batch: normalised images and the pairs to score. */
    public static final class Batch {
        float[] images = new float[0];
        int count;
        final PairBatch pairs = new PairBatch();
        long step;

        public float[] images() {
            return images;
        }

        public int count() {
            return count;
        }

        public PairBatch pairs() {
            return pairs;
        }
    }

    public enum Scheme { PAIRS, CLASSES }

    private final Scheme scheme;
    private final int pairsPerBatch;
    private final int classesPerBatch;
    private final int imagesPerClass;
    private final boolean withinGroup;
    private final long seed;
    private final Preprocessing preprocessing;
    private final AffineAugmenter augmenter;
    private final PixelAugmenter pixelAugmenter;
    private final float fill;
    private final List<LoadedClass> usable;
    private final Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
    private final List<String> groups;
    private final int[] groupOf;
    private final int imageSize;

    public BatchSampler(LoadedDataset data, Preprocessing preprocessing, Scheme scheme, int pairsPerBatch,
                        int classesPerBatch, int imagesPerClass, boolean withinGroup, AffineAugmenter.Params augment,
                        PixelAugmenter.Params pixelAugment, float fill, long seed) {
        this.scheme = scheme;
        this.pairsPerBatch = pairsPerBatch;
        this.classesPerBatch = classesPerBatch;
        this.imagesPerClass = imagesPerClass;
        this.withinGroup = withinGroup;
        this.seed = seed;
        this.preprocessing = preprocessing;
        this.fill = fill;
        this.imageSize = preprocessing.width() * preprocessing.height();
        this.augmenter = augment == null ? null : new AffineAugmenter(augment, preprocessing.width(), preprocessing.height());
        this.pixelAugmenter = pixelAugment == null || pixelAugment.isIdentity() ? null
                : new PixelAugmenter(pixelAugment, preprocessing.width(), preprocessing.height());
        this.usable = new ArrayList<>();
        for (LoadedClass c : data.classes()) {
            if (c.size() >= 2) {
                usable.add(c);
            }
        }
        if (usable.size() < 2) {
            throw new BadInputException("training needs at least 2 classes with 2 or more images each, found " + usable.size());
        }
        groupOf = new int[usable.size()];
        for (int i = 0; i < usable.size(); i++) {
            byGroup.computeIfAbsent(usable.get(i).group(), g -> new ArrayList<>()).add(i);
        }
        groups = new ArrayList<>(byGroup.keySet());
        for (int i = 0; i < usable.size(); i++) {
            groupOf[i] = groups.indexOf(usable.get(i).group());
        }
        if (scheme == Scheme.PAIRS && pairsPerBatch < 2) {
            throw new BadInputException("--batch must be at least 2 pairs");
        }
        if (scheme == Scheme.CLASSES && (classesPerBatch < 2 || imagesPerClass < 2)) {
            throw new BadInputException("a class batch needs at least 2 classes of at least 2 images");
        }
    }

    /** Images per batch (tower passes per step). */
    public int imagesPerBatch() {
        return scheme == Scheme.PAIRS ? 2 * pairsPerBatch : classesPerBatch * imagesPerClass;
    }

    /** Images in the usable training classes: an epoch is that many tower passes. */
    public long datasetImages() {
        long n = 0;
        for (LoadedClass c : usable) {
            n += c.size();
        }
        return n;
    }

    public Scheme scheme() {
        return scheme;
    }

    /** Fills {@code batch} with the batch of {@code step}. */
    public void fill(long step, Batch batch) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, step));
        int n = imagesPerBatch();
        if (batch.images.length < n * imageSize) {
            batch.images = new float[n * imageSize];
        }
        batch.count = n;
        batch.step = step;
        batch.pairs.clear();
        if (scheme == Scheme.PAIRS) {
            fillPairs(rnd, batch);
        } else {
            fillClasses(rnd, batch);
        }
    }

    private void fillPairs(SplittableRandom rnd, Batch batch) {
        int b = pairsPerBatch;
        for (int i = 0; i < b; i++) {
            boolean same = i < b / 2 + (b % 2);
            int c1 = rnd.nextInt(usable.size());
            LoadedClass first = usable.get(c1);
            int i1 = rnd.nextInt(first.size());
            put(batch, i, first.images().get(i1), rnd);
            if (same) {
                int i2 = rnd.nextInt(first.size() - 1);
                if (i2 >= i1) {
                    i2++;
                }
                put(batch, b + i, first.images().get(i2), rnd);
            } else {
                LoadedClass second = usable.get(otherClass(c1, rnd));
                put(batch, b + i, second.images().get(rnd.nextInt(second.size())), rnd);
            }
            batch.pairs.add(i, b + i, same, 1f);
        }
    }

    private int otherClass(int c1, SplittableRandom rnd) {
        if (withinGroup) {
            List<Integer> mates = byGroup.get(usable.get(c1).group());
            if (mates.size() >= 2) {
                int k = rnd.nextInt(mates.size() - 1);
                int pick = mates.get(k);
                return pick == c1 ? mates.get(mates.size() - 1) : pick;
            }
        }
        int c2 = rnd.nextInt(usable.size() - 1);
        return c2 >= c1 ? c2 + 1 : c2;
    }

    private void fillClasses(SplittableRandom rnd, Batch batch) {
        int[] chosen = chooseClasses(rnd);
        int slot = 0;
        int[] classOfSlot = new int[chosen.length * imagesPerClass];
        for (int ci = 0; ci < chosen.length; ci++) {
            LoadedClass c = usable.get(chosen[ci]);
            int[] picks = distinct(rnd, c.size(), Math.min(imagesPerClass, c.size()));
            for (int k = 0; k < imagesPerClass; k++) {
                // a class with fewer images than K repeats some (their augmentations still differ)
                put(batch, slot, c.images().get(picks[k % picks.length]), rnd);
                classOfSlot[slot++] = ci;
            }
        }
        int n = slot;
        int positives = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (classOfSlot[i] == classOfSlot[j]) {
                    positives++;
                }
            }
        }
        int negatives = n * (n - 1) / 2 - positives;
        float wp = 0.5f / positives;
        float wn = 0.5f / negatives;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                boolean same = classOfSlot[i] == classOfSlot[j];
                batch.pairs.add(i, j, same, same ? wp : wn);
            }
        }
    }

    /** P distinct classes; within-group batches take them from as few groups as possible (hard negatives). */
    private int[] chooseClasses(SplittableRandom rnd) {
        int p = Math.min(classesPerBatch, usable.size());
        if (!withinGroup || groups.size() < 2) {
            return distinct(rnd, usable.size(), p);
        }
        int[] out = new int[p];
        boolean[] taken = new boolean[usable.size()];
        int filled = 0;
        int[] groupOrder = distinct(rnd, groups.size(), groups.size());
        for (int gi = 0; gi < groupOrder.length && filled < p; gi++) {
            List<Integer> members = byGroup.get(groups.get(groupOrder[gi]));
            // half a batch from one group at most, so every batch mixes easy and hard negatives
            int want = Math.min(members.size(), Math.min(p - filled, Math.max(2, p / 2)));
            int[] picks = distinct(rnd, members.size(), want);
            for (int k = 0; k < want; k++) {
                int c = members.get(picks[k]);
                if (!taken[c]) {
                    taken[c] = true;
                    out[filled++] = c;
                }
            }
        }
        return filled == p ? out : Arrays.copyOf(out, filled);
    }

    private void put(Batch batch, int slot, float[] pixels, SplittableRandom rnd) {
        int at = slot * imageSize;
        if (augmenter != null) {
            augmenter.augment(pixels, scratch(), fill, rnd);
            System.arraycopy(scratch, 0, batch.images, at, imageSize);
        } else {
            System.arraycopy(pixels, 0, batch.images, at, imageSize);
        }
        if (pixelAugmenter != null) {
            pixelAugmenter.augment(batch.images, at, rnd);
        }
        preprocessing.normalize(batch.images, at, imageSize);
    }

    private float[] scratch;

    private float[] scratch() {
        if (scratch == null) {
            scratch = new float[imageSize];
        }
        return scratch;
    }

    /** k distinct values from [0, n), in random order (partial Fisher-Yates). */
    static int[] distinct(SplittableRandom rnd, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }

    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
