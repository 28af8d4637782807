package org.siamese4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Simulated gallery searches on labelled embeddings, the protocol of open-set identification (ISO/IEC 19795-1,
 * NIST FRVT): each enrollable person is enrolled with their first image; a gallery is N of them; every other
 * image searches it. A search by an enrolled person is <em>mated</em> (it should return that person), a search
 * by anybody else is <em>non-mated</em> (it should return nobody). The same simulation calibrates a model on
 * validation people ({@link #calibrate}) and measures it on test people ({@link #search}).
 *
 * <p>Scores are head logits, computed once for every image against every enrolment image, so a gallery of N
 * costs N look-ups per search.
 */
public final class GallerySearches {
    /** The head's logit for two embeddings in flat arrays ({@link SiameseModel#logit}, {@link SiameseNet#logit}). */
    @FunctionalInterface
    public interface Logit {
        float logit(float[] a, int aOffset, float[] b, int bOffset);
    }

    /** Gallery sizes tried by {@link #calibrate}, as far as the people allow. */
    static final int[] CALIBRATION_SIZES = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
    /** Non-mated searches aimed at per calibrated gallery size. */
    static final int CALIBRATION_SEARCHES = 20_000;
    /** At most this many scores held (images x enrolled people). */
    public static final long MAX_SCORES = 50_000_000L;

    private final int images;
    private final int[] identity;
    /** Column of each enrollable person in {@link #scores}, or -1. */
    private final int[] column;
    /** The enrolment image of each column. */
    private final int[] enrolImage;
    /** images x columns logits. */
    private final double[] scores;

    /**
     * The searches of one gallery size: the best non-mated logits, each mated search's mate score, and which
     * mated searches ranked their mate first.
     */
    public record Outcomes(int gallerySize, int galleries, double[] nonMatedBest, double[] matedScore, BitSet matedRankOne) {
        public int matedSearches() {
            return matedScore.length;
        }

        public int nonMatedSearches() {
            return nonMatedBest.length;
        }

        /** Mated searches whose mate scored above all other enrolled people. */
        public int rankOneCount() {
            return matedRankOne.cardinality();
        }

        /** Non-mated searches whose best logit is at or above {@code logit}: strangers named. */
        public int strangersNamed(double logit) {
            int n = 0;
            for (double s : nonMatedBest) {
                n += s >= logit ? 1 : 0;
            }
            return n;
        }

        /** Mated searches where the mate is not returned at rank 1 at or above {@code logit}. */
        public int matesMissed(double logit) {
            int missed = 0;
            for (int i = 0; i < matedScore.length; i++) {
                missed += matedRankOne.get(i) && matedScore[i] >= logit ? 0 : 1;
            }
            return missed;
        }

        public double rankOne() {
            return rate(rankOneCount(), matedSearches());
        }

        /** FPIR at {@code logit}. */
        public double fpir(double logit) {
            return rate(strangersNamed(logit), nonMatedSearches());
        }

        /** FNIR (at rank 1) at {@code logit}. */
        public double fnir(double logit) {
            return rate(matesMissed(logit), matedSearches());
        }

        private static double rate(int count, int n) {
            return n == 0 ? Double.NaN : (double) count / n;
        }

        /** The logit at which this test's own strangers are named in {@code fpir} of their searches. */
        public double logitAtFpir(double fpir) {
            double[] sorted = nonMatedBest.clone();
            Arrays.sort(sorted);
            return OpenSetCalibration.quantile(sorted, 1 - fpir);
        }
    }

    /**
     * @param embeddings images x dimension, image by image
     * @param identity each image's person (any ints); a person's first image, in order, is their enrolment image
     * @param enrolSingles whether people with one image may be enrolled (they can then never search as mates)
     * @throws IllegalArgumentException sizes disagree, fewer than 2 enrollable people, or too many scores
     */
    public GallerySearches(float[] embeddings, int dimension, int[] identity, boolean enrolSingles, Logit logit) {
        this.images = identity.length;
        if (dimension < 1 || embeddings.length != (long) images * dimension) {
            throw new IllegalArgumentException("expected " + images + " embeddings of " + dimension + " values");
        }
        this.identity = identity.clone();
        int maxId = 0;
        for (int id : identity) {
            if (id < 0) {
                throw new IllegalArgumentException("identities must be >= 0");
            }
            maxId = Math.max(maxId, id);
        }
        int[] count = new int[maxId + 1];
        int[] first = new int[maxId + 1];
        Arrays.fill(first, -1);
        for (int i = 0; i < images; i++) {
            count[identity[i]]++;
            if (first[identity[i]] < 0) {
                first[identity[i]] = i;
            }
        }
        column = new int[maxId + 1];
        Arrays.fill(column, -1);
        List<Integer> enrol = new ArrayList<>();
        for (int id = 0; id <= maxId; id++) {
            if (count[id] >= 2 || (enrolSingles && count[id] == 1)) {
                column[id] = enrol.size();
                enrol.add(first[id]);
            }
        }
        if (enrol.size() < 2) {
            throw new IllegalArgumentException("gallery searches need at least 2 people to enrol, got " + enrol.size());
        }
        if ((long) images * enrol.size() > MAX_SCORES) {
            throw new IllegalArgumentException(images + " images x " + enrol.size() + " people is more than "
                    + MAX_SCORES + " scores");
        }
        enrolImage = enrol.stream().mapToInt(Integer::intValue).toArray();
        int columns = enrolImage.length;
        scores = new double[images * columns];
        for (int i = 0; i < images; i++) {
            for (int c = 0; c < columns; c++) {
                scores[i * columns + c] = logit.logit(embeddings, i * dimension, embeddings, enrolImage[c] * dimension);
            }
        }
    }

    /** People who can be enrolled. */
    public int enrollable() {
        return enrolImage.length;
    }

    /**
     * Searches of galleries of {@code size} people: one gallery of everybody when {@code size} is
     * {@link #enrollable()}, else {@code galleries} random ones.
     */
    public Outcomes search(int size, int galleries, long seed) {
        int columns = enrolImage.length;
        if (size < 1 || size > columns) {
            throw new IllegalArgumentException("gallery size must be 1 to " + columns + ", got " + size);
        }
        int rounds = size == columns ? 1 : galleries;
        SplittableRandom random = new SplittableRandom(seed);
        int[] order = new int[columns];
        for (int c = 0; c < columns; c++) {
            order[c] = c;
        }
        boolean[] enrolled = new boolean[columns];
        int[] gallery = new int[size];
        DoubleList nonMated = new DoubleList();
        DoubleList mated = new DoubleList();
        BitSet rankOne = new BitSet();
        for (int r = 0; r < rounds; r++) {
            // a partial Fisher-Yates shuffle draws the gallery
            for (int k = 0; k < size; k++) {
                int j = k + random.nextInt(columns - k);
                int t = order[k];
                order[k] = order[j];
                order[j] = t;
                gallery[k] = order[k];
            }
            Arrays.fill(enrolled, false);
            for (int c : gallery) {
                enrolled[c] = true;
            }
            for (int i = 0; i < images; i++) {
                int mate = column[identity[i]];
                boolean isMated = mate >= 0 && enrolled[mate];
                if (isMated && enrolImage[mate] == i) {
                    continue; // the gallery's own image
                }
                int row = i * columns;
                double bestOther = Double.NEGATIVE_INFINITY;
                for (int c : gallery) {
                    if (c != mate || !isMated) {
                        bestOther = Math.max(bestOther, scores[row + c]);
                    }
                }
                if (isMated) {
                    double s = scores[row + mate];
                    rankOne.set(mated.size(), s > bestOther);
                    mated.add(s);
                } else {
                    nonMated.add(bestOther);
                }
            }
        }
        return new Outcomes(size, rounds, nonMated.toArray(), mated.toArray(), rankOne);
    }

    /**
     * Calibrates open-set thresholds on these (validation) people: for each gallery size of the grid that
     * leaves at least a quarter of the people (and 10) as strangers, enough random galleries for about
     * {@value #CALIBRATION_SEARCHES} non-mated searches.
     *
     * @throws IllegalArgumentException too few people for even a gallery of 1 with strangers
     */
    public OpenSetCalibration calibrate(long seed) {
        int people = enrolImage.length;
        int largest = people - Math.max(Math.min(10, people - 1), people / 4);
        List<Integer> sizes = new ArrayList<>();
        for (int n : CALIBRATION_SIZES) {
            if (n <= largest) {
                sizes.add(n);
            }
        }
        if (sizes.isEmpty()) {
            throw new IllegalArgumentException("too few people (" + people + ") to calibrate open-set thresholds");
        }
        int[] gallerySizes = new int[sizes.size()];
        long[] searches = new long[sizes.size()];
        double[][] tables = new double[sizes.size()][];
        for (int k = 0; k < gallerySizes.length; k++) {
            int n = sizes.get(k);
            // non-mated searches per gallery: the images of the people left out, about (people - n) / people of all
            double perGallery = Math.max(1.0, (double) images * (people - n) / people);
            int galleries = (int) Math.min(500, Math.max(1, Math.ceil(CALIBRATION_SEARCHES / perGallery)));
            Outcomes o = search(n, galleries, seed + 31L * n);
            gallerySizes[k] = n;
            searches[k] = o.nonMatedSearches();
            tables[k] = OpenSetCalibration.quantileTable(o.nonMatedBest(), OpenSetCalibration.QUANTILES);
        }
        return new OpenSetCalibration(people, gallerySizes, searches, tables);
    }

    /** A growable list of doubles, so the searches box nothing. */
    private static final class DoubleList {
        private double[] values = new double[1024];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
