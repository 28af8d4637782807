package org.siamese4j.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.faces.Box;
import org.siamese4j.faces.FaceChoice;
import org.siamese4j.faces.FaceCropper;
import org.siamese4j.faces.FaceDetector;
import org.siamese4j.image.ImageLoader;

/**
 * Embeds faces for the gallery commands: finds the face in each image (the only one, the largest of
 * several, or the whole image when there is none, see {@link FaceChoice}), crops it where the model expects
 * it ({@link FaceCropper}) and runs the tower on batches of crops.
 */
final class FaceEmbedder {
    static final Option<Path> MODEL = Option.value("model", "FILE", ValueParser.path(), "the face model file").required();
    static final Option<Path> GALLERY = Option.value("gallery", "FILE", ValueParser.path(),
            "the gallery file of enrolled people (e.g. faces.gallery)").required();
    static final Option<Double> THRESHOLD = Option.value("threshold", "P", ValueParser.probability(),
            "call a face unknown below this p(same), instead of the model's calibrated threshold (higher: fewer"
                    + " strangers named, more enrolled people missed)");
    static final Option<Boolean> NO_DETECT = Option.flag("no-detect",
            "skip the face detector: every image is already a face crop, used whole");

    /** Crops embedded per tower pass: large enough to amortise a pass, small enough to bound memory. */
    private static final int BATCH = 32;

    /** The decision threshold: --threshold when given, else the model's calibrated one. */
    static double threshold(Invocation inv, SiameseModel model) {
        Double given = inv.get(THRESHOLD);
        return given != null ? given : model.threshold();
    }

    /** A face found in an image and its embedding. */
    record Face(Path image, Box box, float[] embedding, Optional<String> warning) {
    }

    private final SiameseModel model;
    private final FaceCropper cropper;
    private final FaceDetector detector;

    /** @param detector null to use every image whole */
    FaceEmbedder(SiameseModel model, FaceDetector detector) {
        this.model = Objects.requireNonNull(model, "model");
        this.cropper = FaceCropper.forModel(model);
        this.detector = detector;
    }

    /** The detector the command line asks for: none with {@code --no-detect}, else the cascade's. */
    static FaceDetector detectorFor(Invocation inv) {
        if (inv.get(NO_DETECT)) {
            return null;
        }
        return FaceDetection.open(inv, "or pass --no-detect when the images are already face crops").detector();
    }

    /** Checks that every image is a readable file before any slow work, so a typo fails at once. */
    static void requireFiles(List<Path> images) {
        for (Path p : images) {
            if (Files.isDirectory(p)) {
                throw new BadInputException(p + ": is a directory, not an image file");
            }
            if (!Files.exists(p)) {
                throw new BadInputException(p + ": no such file");
            }
            if (!Files.isRegularFile(p)) {
                throw new BadInputException(p + ": not a regular file");
            }
        }
    }

    /** Opens an existing gallery; a missing one is a hint to enrol first. */
    static Gallery loadGallery(Path path) {
        if (!Files.exists(path)) {
            throw new BadInputException(path + ": no such gallery; create it with siamese enroll");
        }
        return Gallery.load(path);
    }

    /** One face per image, in order. Images are read a batch at a time, so memory does not grow with their number. */
    List<Face> embedImages(List<Path> images) {
        List<Face> faces = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += BATCH) {
            List<Path> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
            List<float[]> inputs = new ArrayList<>(chunk.size());
            List<Box> boxes = new ArrayList<>(chunk.size());
            List<Optional<String>> warnings = new ArrayList<>(chunk.size());
            for (Path path : chunk) {
                GrayImage image = ImageLoader.load(path);
                Box box = new Box(0, 0, image.width(), image.height());
                Optional<String> warning = Optional.empty();
                if (detector != null) {
                    FaceChoice choice = FaceChoice.of(detector.detect(image), image.width(), image.height());
                    box = choice.box();
                    warning = choice.warning(path.toString());
                }
                inputs.add(cropper.input(image, box));
                boxes.add(box);
                warnings.add(warning);
            }
            float[][] embeddings = embed(inputs);
            for (int i = 0; i < chunk.size(); i++) {
                faces.add(new Face(chunk.get(i), boxes.get(i), embeddings[i], warnings.get(i)));
            }
        }
        return faces;
    }

    /** Embeddings of the faces at {@code boxes} in one photo, in order. */
    float[][] embedFaces(GrayImage photo, List<Box> boxes) {
        List<float[]> inputs = new ArrayList<>(boxes.size());
        for (Box box : boxes) {
            inputs.add(cropper.input(photo, box));
        }
        return embed(inputs);
    }

    /** Tower outputs of network inputs, {@value #BATCH} per pass. */
    private float[][] embed(List<float[]> inputs) {
        int size = model.net().inputSize();
        int d = model.embeddingSize();
        float[][] out = new float[inputs.size()][];
        for (int from = 0; from < inputs.size(); from += BATCH) {
            int n = Math.min(BATCH, inputs.size() - from);
            float[] batch = new float[n * size];
            for (int i = 0; i < n; i++) {
                System.arraycopy(inputs.get(from + i), 0, batch, i * size, size);
            }
            float[] embeddings = model.embedPreprocessed(batch, n);
            for (int i = 0; i < n; i++) {
                out[from + i] = Arrays.copyOfRange(embeddings, i * d, (i + 1) * d);
            }
        }
        return out;
    }
}
