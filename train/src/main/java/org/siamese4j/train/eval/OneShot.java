package org.siamese4j.train.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Proportions;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

/**
 * N-way one-shot trials: a query image and one support image from each of N classes (the query's class
 * among them, with another of its images); the pick is the most similar support. Trials are drawn
 * from a seed, optionally with all N classes from one group (Omniglot's within-alphabet task).
 */
public final class OneShot {
    private OneShot() {
    }

    /** One trial; images are (class index, image index) into the dataset. supportClasses[answer] is the query's class. */
    public record Trial(int queryClass, int queryImage, int[] supportClasses, int[] supportImages, int answer) {
    }

    /** Similarity of two dataset images; larger means more alike. */
    @FunctionalInterface
    public interface Scorer {
        double similarity(int classA, int imageA, int classB, int imageB);

        /** The mean of several scorers' similarities (an ensemble of models over the same dataset indices). */
        static Scorer mean(List<? extends Scorer> scorers) {
            if (scorers.isEmpty()) {
                throw new IllegalArgumentException("no scorers to average");
            }
            if (scorers.size() == 1) {
                return scorers.get(0);
            }
            Scorer[] all = scorers.toArray(new Scorer[0]);
            return (classA, imageA, classB, imageB) -> {
                double sum = 0;
                for (Scorer s : all) {
                    sum += s.similarity(classA, imageA, classB, imageB);
                }
                return sum / all.length;
            };
        }
    }

    /** Accuracy with a 95% Wilson confidence interval. */
    public record Result(int way, int trials, int correct, double accuracy, double ci95Low, double ci95High) {
        public String format() {
            return String.format("%d-way one-shot: %.2f%% (95%% CI %.2f-%.2f%%) over %d trials", way, 100 * accuracy,
                    100 * ci95Low, 100 * ci95High, trials);
        }
    }

    public static List<Trial> trials(LoadedDataset data, int way, int count, boolean withinGroup, long seed) {
        if (way < 2) {
            throw new BadInputException("--way must be at least 2, got " + way);
        }
        if (count < 1) {
            throw new BadInputException("--trials must be positive, got " + count);
        }
        List<LoadedClass> classes = data.classes();
        // candidate pools: every group with enough classes of 2+ images, or all classes as one pool
        Map<String, List<Integer>> pools = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).size() >= 2) {
                pools.computeIfAbsent(withinGroup ? classes.get(i).group() : "", g -> new ArrayList<>()).add(i);
            }
        }
        pools.values().removeIf(p -> p.size() < way);
        if (pools.isEmpty()) {
            long usable = classes.stream().filter(c -> c.size() >= 2).count();
            throw new BadInputException(withinGroup
                    ? "no group (alphabet) has " + way + " classes with 2+ images; use a smaller --way or drop --within-group"
                    : "--way " + way + " needs " + way + " classes with 2+ images, the data has " + usable);
        }
        List<List<Integer>> poolList = new ArrayList<>(pools.values());
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Trial> out = new ArrayList<>(count);
        for (int t = 0; t < count; t++) {
            List<Integer> pool = poolList.get(rnd.nextInt(poolList.size()));
            int[] pick = distinct(rnd, pool.size(), way);
            int[] supportClasses = new int[way];
            int[] supportImages = new int[way];
            for (int k = 0; k < way; k++) {
                supportClasses[k] = pool.get(pick[k]);
                supportImages[k] = rnd.nextInt(classes.get(supportClasses[k]).size());
            }
            int answer = rnd.nextInt(way);
            int qc = supportClasses[answer];
            int qi = rnd.nextInt(classes.get(qc).size() - 1);
            if (qi >= supportImages[answer]) {
                qi++;
            }
            out.add(new Trial(qc, qi, supportClasses, supportImages, answer));
        }
        return out;
    }

    /** Scores every trial; ties go to the first support (counted as wrong unless it is the answer). */
    public static Result evaluate(List<Trial> trials, Scorer scorer) {
        int correct = 0;
        int way = trials.isEmpty() ? 0 : trials.get(0).supportClasses().length;
        for (Trial t : trials) {
            if (pick(t, scorer) == t.answer()) {
                correct++;
            }
        }
        return result(way, trials.size(), correct);
    }

    /** The index of the most similar support. */
    public static int pick(Trial t, Scorer scorer) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < t.supportClasses().length; k++) {
            double s = scorer.similarity(t.queryClass(), t.queryImage(), t.supportClasses()[k], t.supportImages()[k]);
            if (s > bestScore) {
                bestScore = s;
                best = k;
            }
        }
        return best;
    }

    public static Result result(int way, int trials, int correct) {
        double[] ci = wilson(correct, trials);
        return new Result(way, trials, correct, trials == 0 ? 0 : (double) correct / trials, ci[0], ci[1]);
    }

    /** 95% Wilson score interval for a binomial proportion ({@link Proportions#wilson95}). */
    public static double[] wilson(int successes, int n) {
        return Proportions.wilson95(successes, n);
    }

    private static int[] distinct(SplittableRandom rnd, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        return java.util.Arrays.copyOf(all, k);
    }
}
