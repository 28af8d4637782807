package org.siamese4j.cli.commands;

import java.nio.file.Path;
import java.util.Locale;
import org.siamese4j.cli.Invocation;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.train.data.DatasetReader;
import org.siamese4j.train.data.ImageDataset;
import org.siamese4j.train.data.LoadedDataset;

/** Loading a class-per-folder dataset (folder or zip) through a model's crop and resize, with progress. */
final class TrainingData {
    private TrainingData() {
    }

    /** Images come back as pixel values (0..255) after the geometry; normalisation happens per batch. */
    static LoadedDataset load(Invocation inv, Path data, Preprocessing pre) {
        long t0 = System.nanoTime();
        inv.progress("reading " + data + " ...");
        int[] warnings = {0};
        LoadedDataset loaded;
        try (ImageDataset ds = DatasetReader.open(data)) {
            loaded = LoadedDataset.load(ds, img -> pre.geometry(img).pixels(), w -> {
                // a few warnings are useful; thousands are noise, the count says the rest
                if (warnings[0]++ < 10) {
                    inv.progress("warning: " + w);
                }
            });
        }
        inv.progress(String.format(Locale.ROOT, "loaded %d images of %d classes in %.1f s%s", loaded.imageCount(),
                loaded.classCount(), (System.nanoTime() - t0) / 1e9,
                loaded.skippedCount() > 0 ? " (" + loaded.skippedCount() + " unreadable images skipped)" : ""));
        return loaded;
    }

    /** Whether a data set with this mean pixel value is strokes on white (characters) rather than photos. */
    static boolean lightBackground(double meanPixel) {
        return meanPixel > 160;
    }

    /** The value of pixels a distortion moves in from outside: white for strokes on white, the mean grey for photos. */
    static float backgroundFill(double meanPixel) {
        return lightBackground(meanPixel) ? 255f : (float) meanPixel;
    }

    /** Mean pixel value (0..255) over up to 500 images: tells white-background sets (characters) from photos. */
    static double meanPixel(LoadedDataset d) {
        double sum = 0;
        long n = 0;
        int images = 0;
        for (LoadedDataset.LoadedClass c : d.classes()) {
            for (float[] img : c.images()) {
                for (float v : img) {
                    sum += v;
                }
                n += img.length;
                if (++images >= 500) {
                    return sum / n;
                }
            }
        }
        return n == 0 ? 128 : sum / n;
    }

    /** Mean and standard deviation of the network inputs (after inversion, in [0, 1]) over up to 500 images. */
    static double[] inputStatistics(LoadedDataset d, boolean invert) {
        double sum = 0;
        double sumSq = 0;
        long n = 0;
        int images = 0;
        outer:
        for (LoadedDataset.LoadedClass c : d.classes()) {
            for (float[] img : c.images()) {
                for (float v : img) {
                    double x = (invert ? 255 - v : v) / 255.0;
                    sum += x;
                    sumSq += x * x;
                }
                n += img.length;
                if (++images >= 500) {
                    break outer;
                }
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double var = n == 0 ? 1 : sumSq / n - mean * mean;
        return new double[] {mean, Math.sqrt(Math.max(var, 1e-6))};
    }
}
