package org.siamese4j.train.eval;

import java.util.List;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.image.GrayImage;

/** Scores every query image against every gallery image (larger = more alike). */
@FunctionalInterface
public interface Matcher {
    double[][] similarities(List<GrayImage> queries, List<GrayImage> gallery);

    /** The mean of several matchers' similarities (an ensemble of models, each with its own preprocessing). */
    static Matcher mean(List<Matcher> matchers) {
        if (matchers.isEmpty()) {
            throw new IllegalArgumentException("no matchers to average");
        }
        if (matchers.size() == 1) {
            return matchers.get(0);
        }
        return (queries, gallery) -> {
            double[][] sum = new double[queries.size()][gallery.size()];
            for (Matcher m : matchers) {
                double[][] s = m.similarities(queries, gallery);
                for (int i = 0; i < sum.length; i++) {
                    for (int j = 0; j < sum[i].length; j++) {
                        sum[i][j] += s[i][j] / matchers.size();
                    }
                }
            }
            return sum;
        };
    }

    /** The Siamese model: one tower pass per image, then the head's logit on every pair of embeddings. */
    static Matcher of(SiameseModel model) {
        return (queries, gallery) -> {
            float[] q = model.embedAll(queries.toArray(new GrayImage[0]));
            float[] g = model.embedAll(gallery.toArray(new GrayImage[0]));
            int d = model.embeddingSize();
            double[][] s = new double[queries.size()][gallery.size()];
            for (int i = 0; i < queries.size(); i++) {
                for (int j = 0; j < gallery.size(); j++) {
                    s[i][j] = model.logit(q, i * d, g, j * d);
                }
            }
            return s;
        };
    }

    /** Nearest neighbour on raw pixels after the model's crop and resize. */
    static Matcher pixels(Preprocessing pre) {
        return (queries, gallery) -> {
            double[][] s = new double[queries.size()][gallery.size()];
            float[][] g = new float[gallery.size()][];
            for (int j = 0; j < gallery.size(); j++) {
                g[j] = pre.geometry(gallery.get(j)).pixels();
            }
            for (int i = 0; i < queries.size(); i++) {
                float[] q = pre.geometry(queries.get(i)).pixels();
                for (int j = 0; j < gallery.size(); j++) {
                    s[i][j] = -Baselines.squaredDistance(q, g[j]);
                }
            }
            return s;
        };
    }
}
