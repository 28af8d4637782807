package org.siamese4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;
import org.siamese4j.train.eval.EmbeddingTable;
import org.siamese4j.train.eval.Verification;

/**
 * Chooses the decision threshold on p(same) after training: the equal-error-rate point on balanced
 * same/different pairs of the validation classes (never the test classes).
 */
public final class Calibration {
    private Calibration() {
    }

    public static double eerThreshold(SiameseNet net, Preprocessing pre, LoadedDataset validation, int pairs,
                                      boolean withinGroup, long seed) {
        List<LoadedClass> classes = validation.classes();
        List<Integer> usable = new ArrayList<>();
        Map<String, List<Integer>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).size() >= 2) {
                usable.add(i);
                byGroup.computeIfAbsent(classes.get(i).group(), g -> new ArrayList<>()).add(i);
            }
        }
        if (usable.size() < 2 || pairs < 2) {
            return 0.5;
        }
        EmbeddingTable table = new EmbeddingTable(net, pre, validation);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] scores = new double[pairs];
        boolean[] same = new boolean[pairs];
        for (int p = 0; p < pairs; p++) {
            int c1 = usable.get(rnd.nextInt(usable.size()));
            int n1 = classes.get(c1).size();
            int i1 = rnd.nextInt(n1);
            same[p] = p % 2 == 0;
            int c2;
            int i2;
            if (same[p]) {
                c2 = c1;
                i2 = (i1 + 1 + rnd.nextInt(n1 - 1)) % n1;
            } else {
                List<Integer> mates = withinGroup ? byGroup.get(classes.get(c1).group()) : usable;
                if (mates.size() < 2) {
                    mates = usable;
                }
                do {
                    c2 = mates.get(rnd.nextInt(mates.size()));
                } while (c2 == c1);
                i2 = rnd.nextInt(classes.get(c2).size());
            }
            scores[p] = SiameseNet.sigmoid(table.similarity(c1, i1, c2, i2));
        }
        double t = Verification.eer(scores, same).threshold();
        return Math.min(1, Math.max(0, t));
    }
}
