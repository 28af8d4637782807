package org.siamese4j.train;

import java.util.ArrayList;
import java.util.List;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

/**
 * More training classes for characters: each class rotated by 90, 180 and 270 degrees becomes a class
 * of its own (a rotated character is a different character), as in Santoro et al. and Vinyals et al.
 * Rotated copies of a group form their own group, so within-group negatives stay within one rotation of
 * one alphabet. Only for square images; applied to training classes only, never to validation or test.
 */
public final class RotatedClasses {
    private RotatedClasses() {
    }

    public static LoadedDataset expand(LoadedDataset train, int size) {
        List<LoadedClass> out = new ArrayList<>(train.classes());
        for (int quarter = 1; quarter <= 3; quarter++) {
            String suffix = "@rot" + (90 * quarter);
            for (LoadedClass c : train.classes()) {
                List<float[]> images = new ArrayList<>(c.size());
                for (float[] img : c.images()) {
                    if (img.length != size * size) {
                        throw new IllegalArgumentException("rotated classes need square " + size + "x" + size + " images");
                    }
                    images.add(rotate(img, size, quarter));
                }
                out.add(new LoadedClass(c.name() + suffix, c.group().isEmpty() ? "" : c.group() + suffix, c.imageNames(), images));
            }
        }
        return LoadedDataset.of(out);
    }

    /** Rotates a square image by quarter * 90 degrees counter-clockwise. */
    static float[] rotate(float[] img, int n, int quarter) {
        float[] r = new float[img.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int sx;
                int sy;
                switch (quarter & 3) {
                    case 1:
                        sx = n - 1 - y;
                        sy = x;
                        break;
                    case 2:
                        sx = n - 1 - x;
                        sy = n - 1 - y;
                        break;
                    case 3:
                        sx = y;
                        sy = n - 1 - x;
                        break;
                    default:
                        sx = x;
                        sy = y;
                }
                r[y * n + x] = img[sy * n + sx];
            }
        }
        return r;
    }
}
