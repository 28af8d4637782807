package org.siamese4j.train;

import java.util.ArrayList;
import java.util.List;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

/**
 * More training classes for characters: each class rotated by 90, 180 and 270 degrees becomes a class
 * of its own (a rotated character is a different character), as in Santoro et al. and Vinyals et al.;
 * with mirrors, each class (and each rotation) mirrored left to right as well, the 8 symmetries of the
 * square. Transformed copies of a group form their own group, so within-group negatives stay within one
 * transform of one alphabet. Only for square images; applied to training classes only, never to
 * validation or test.
 */
public final class RotatedClasses {
    private RotatedClasses() {
    }

    /** The classes and their rotations by 90, 180 and 270 degrees. */
    public static LoadedDataset expand(LoadedDataset train, int size) {
        return expand(train, size, true, false);
    }

    /**
     * The classes, with their rotations when {@code rotations}, and all of those mirrored left to right
     * when {@code mirrors}: 4, 2 or 8 classes for each.
     */
    public static LoadedDataset expand(LoadedDataset train, int size, boolean rotations, boolean mirrors) {
        List<LoadedClass> out = new ArrayList<>(train.classes());
        for (int mirrored = 0; mirrored <= (mirrors ? 1 : 0); mirrored++) {
            for (int quarter = 0; quarter <= (rotations ? 3 : 0); quarter++) {
                if (mirrored == 0 && quarter == 0) {
                    continue;
                }
                String suffix = (quarter == 0 ? "" : "@rot" + (90 * quarter)) + (mirrored == 1 ? "@mirror" : "");
                for (LoadedClass c : train.classes()) {
                    List<float[]> images = new ArrayList<>(c.size());
                    for (float[] img : c.images()) {
                        if (img.length != size * size) {
                            throw new IllegalArgumentException("rotated or mirrored classes need square " + size + "x" + size
                                    + " images");
                        }
                        float[] turned = rotate(img, size, quarter);
                        images.add(mirrored == 1 ? mirror(turned, size) : turned);
                    }
                    out.add(new LoadedClass(c.name() + suffix, c.group().isEmpty() ? "" : c.group() + suffix, c.imageNames(),
                            images));
                }
            }
        }
        return LoadedDataset.of(out);
    }

    /** Mirrors a square image left to right. */
    static float[] mirror(float[] img, int n) {
        float[] r = new float[img.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                r[y * n + x] = img[y * n + n - 1 - x];
            }
        }
        return r;
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
