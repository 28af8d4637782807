package org.siamese4j.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.siamese4j.cli.Invocation;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.faces.FaceCropper;
import org.siamese4j.faces.FaceDetector;
import org.siamese4j.faces.FaceFraming;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.train.data.DataSources;
import org.siamese4j.train.data.DatasetReader;
import org.siamese4j.train.data.ImageDataset;
import org.siamese4j.train.data.LoadedDataset;

/**
 * Loading class-per-folder datasets (folders or zips; one or several sources) through a model's crop and resize,
 * or through the face detector's framing, with progress.
 */
final class TrainingData {
    private TrainingData() {
    }

    /**
     * The datasets a command reads, and how the model's recorded class names read in them: {@code label} is
     * null when the names match as recorded, or the label under which a multi-source run named the one source
     * given here (its classes were {@code label/name}).
     */
    record Sources(List<Path> paths, String label) {
        Sources {
            paths = List.copyOf(paths);
            if (paths.isEmpty()) {
                throw new IllegalArgumentException("no data sources");
            }
        }

        static Sources of(List<Path> paths) {
            return new Sources(paths, null);
        }

        /** The given sources as seen by a model trained on {@code recordedData} (its "data" metadata). */
        static Sources forModel(List<Path> given, String recordedData) {
            List<Path> recorded = recordedData == null ? List.of() : DataSources.parse(recordedData);
            if (given.size() != 1 || recorded.size() < 2) {
                return new Sources(given, null);
            }
            List<String> labels = DataSources.labels(recorded);
            for (int i = 0; i < recorded.size(); i++) {
                if (FilePaths.sameFile(recorded.get(i), given.get(0))
                        || labels.get(i).equals(DataSources.label(given.get(0)))) {
                    return new Sources(given, labels.get(i));
                }
            }
            return new Sources(given, null);
        }

        @Override
        public String toString() {
            return paths.size() == 1 ? paths.get(0).toString() : paths.toString();
        }
    }

    /** Images come back as pixel values (0..255) after the geometry; normalisation happens per batch. */
    static LoadedDataset load(Invocation inv, Path data, Preprocessing pre) {
        return load(inv, Sources.of(List.of(data)), pre);
    }

    /** The same for one or several sources (several: classes named {@code label/class}). */
    static LoadedDataset load(Invocation inv, Sources data, Preprocessing pre) {
        return load(inv, data, image -> LoadedDataset.PreparedImage.of(pre.geometry(image).pixels()));
    }

    /**
     * The faces of every image, framed as the face commands frame faces in photos (pixel values 0..255 at the
     * input size); images with no face or several are left out and counted.
     */
    static LoadedDataset loadFaces(Invocation inv, Sources data, FaceFraming framing) {
        return load(inv, data, image -> {
            FaceFraming.Framed f = framing.frame(image);
            return f.framed() ? LoadedDataset.PreparedImage.of(f.face().pixels())
                    : LoadedDataset.PreparedImage.leftOut(f.leftOutBecause());
        });
    }

    /**
     * The data as the model's training saw it: framed by the face detector if it was trained with --detect
     * (its crop placed around each detection by its face box), else through its crop.
     */
    static LoadedDataset loadAsTrained(Invocation inv, Sources data, ModelFile.Loaded model) {
        if (!Boolean.parseBoolean(model.metadata().getOrDefault(TrainCommand.DETECT_KEY, "false"))) {
            return load(inv, data, model.preprocessing());
        }
        return loadFaces(inv, data, new FaceFraming(FaceDetector.standard(), cropper(model)));
    }

    /**
     * For evaluation: every image framed by {@code detector} as the face commands frame a face, and where it
     * finds no face or several, through the model's own crop (an aligned image keeps its image; nothing is
     * left out, so pairs and trials stay those of the protocol). Says how many fell back.
     */
    static LoadedDataset loadDetected(Invocation inv, Sources data, ModelFile.Loaded model, FaceDetector detector) {
        FaceFraming framing = new FaceFraming(detector, cropper(model));
        Preprocessing geometry = model.preprocessing().withNormalization(false, 0, 1);
        java.util.concurrent.atomic.AtomicInteger fellBack = new java.util.concurrent.atomic.AtomicInteger();
        LoadedDataset loaded = load(inv, data, image -> {
            FaceFraming.Framed f = framing.frame(image);
            if (f.framed()) {
                return LoadedDataset.PreparedImage.of(f.face().pixels());
            }
            fellBack.incrementAndGet();
            return LoadedDataset.PreparedImage.of(geometry.geometry(image).pixels());
        });
        inv.progress(String.format(Locale.ROOT, "faces framed by the detector in %d of %d images; the model's crop for"
                + " the %d with no face or several", loaded.imageCount() - fellBack.get(), loaded.imageCount(), fellBack.get()));
        return loaded;
    }

    /** The model's crop around a detection: its preprocessing (geometry only) and its face box, LFW's by default. */
    private static FaceCropper cropper(ModelFile.Loaded model) {
        return FaceCropper.forModel(model.preprocessing().withNormalization(false, 0, 1), model.metadata(), model.sha256());
    }

    private static LoadedDataset load(Invocation inv, Sources data, Function<GrayImage, LoadedDataset.PreparedImage> preparer) {
        List<Path> paths = data.paths();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                // before any slow reading: a typo in the third source fails at once
                throw new BadInputException(path + ": no such file or folder");
            }
        }
        List<LoadedDataset> parts = new ArrayList<>(paths.size());
        for (Path path : paths) {
            parts.add(loadOne(inv, path, preparer));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<String> labels = DataSources.labels(paths);
        Map<String, Integer> shared = DataSources.sharedNames(parts);
        if (!shared.isEmpty()) {
            inv.progress(String.format(Locale.ROOT, "%d class names occur in more than one source (e.g. '%s'); kept apart"
                    + " as different classes", shared.size(), shared.keySet().iterator().next()));
        }
        LoadedDataset all = LoadedDataset.combine(labels, parts);
        inv.progress(String.format(Locale.ROOT, "%d sources, classes named %s: %d images of %d classes",
                paths.size(), labels.stream().map(l -> l + "/...").collect(Collectors.joining(", ")),
                all.imageCount(), all.classCount()));
        return all;
    }

    private static LoadedDataset loadOne(Invocation inv, Path path, Function<GrayImage, LoadedDataset.PreparedImage> preparer) {
        long t0 = System.nanoTime();
        inv.progress("reading " + path + " ...");
        int[] warnings = {0};
        LoadedDataset loaded;
        try (ImageDataset ds = DatasetReader.open(path)) {
            loaded = LoadedDataset.loadPrepared(ds, preparer, w -> {
                // a few warnings are useful; thousands are noise, the count says the rest
                if (warnings[0]++ < 10) {
                    inv.progress("warning: " + w);
                }
            });
        }
        StringBuilder notes = new StringBuilder();
        if (loaded.skippedCount() > 0) {
            notes.append(loaded.skippedCount()).append(" unreadable images skipped");
        }
        loaded.leftOutCounts().forEach((reason, n) -> notes.append(notes.length() > 0 ? ", " : "")
                .append(n).append(" left out: ").append(reason));
        inv.progress(String.format(Locale.ROOT, "loaded %d images of %d classes in %.1f s%s", loaded.imageCount(),
                loaded.classCount(), (System.nanoTime() - t0) / 1e9, notes.length() > 0 ? " (" + notes + ")" : ""));
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
