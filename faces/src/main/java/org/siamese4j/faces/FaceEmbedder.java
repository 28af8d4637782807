package org.siamese4j.faces;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.image.GrayImage;

/**
 * Embeds faces the one way every face path does (enrolment, identification, annotation, evaluation): finds
 * the face in an image ({@link FaceDetector#detectPortrait}, which also finds the face of a tight crop; the
 * only one, the largest of several, or the whole image when there is none, see {@link FaceChoice}), crops it where the model expects it ({@link FaceCropper}) and runs the tower on
 * batches of crops, so memory stays bounded whatever the number of images.
 */
public final class FaceEmbedder {
    /** Crops embedded per tower pass: large enough to amortise a pass, small enough to bound memory. */
    public static final int BATCH = 32;

    /** A face found in an image and its embedding; {@code warning} says when the choice was not clear-cut. */
    public record Face(String image, Box box, float[] embedding, Optional<String> warning) {
    }

    private final SiameseModel model;
    private final FaceCropper cropper;
    private final FaceDetector detector;

    /** @param detector null to use every image whole (images that are already face crops) */
    public FaceEmbedder(SiameseModel model, FaceDetector detector) {
        this.model = Objects.requireNonNull(model, "model");
        this.cropper = FaceCropper.forModel(model);
        this.detector = detector;
    }

    public SiameseModel model() {
        return model;
    }

    /** The detector, or null when images are used whole. */
    public FaceDetector detector() {
        return detector;
    }

    /** One face per image file, in order; files are read a batch at a time. */
    public List<Face> embedFiles(List<Path> images) {
        List<Face> faces = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += BATCH) {
            List<Path> chunk = images.subList(from, Math.min(images.size(), from + BATCH));
            List<GrayImage> decoded = new ArrayList<>(chunk.size());
            List<String> names = new ArrayList<>(chunk.size());
            for (Path path : chunk) {
                decoded.add(ImageLoader.load(path));
                names.add(path.toString());
            }
            faces.addAll(embedImages(decoded, names));
        }
        return faces;
    }

    /** One face per image (each should show one person), in order; {@code names} name them in warnings. */
    public List<Face> embedImages(List<GrayImage> images, List<String> names) {
        if (images.size() != names.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + names.size() + " names");
        }
        List<Face> faces = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += BATCH) {
            int to = Math.min(images.size(), from + BATCH);
            List<float[]> inputs = new ArrayList<>(to - from);
            List<FaceChoice> choices = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                GrayImage image = images.get(i);
                FaceChoice choice = detector == null
                        ? new FaceChoice(new Box(0, 0, image.width(), image.height()), 1)
                        : FaceChoice.of(detector.detectPortrait(image), image.width(), image.height());
                inputs.add(cropper.input(image, choice.box()));
                choices.add(choice);
            }
            float[][] embeddings = embed(inputs);
            for (int i = from; i < to; i++) {
                FaceChoice choice = choices.get(i - from);
                faces.add(new Face(names.get(i), choice.box(), embeddings[i - from], choice.warning(names.get(i))));
            }
        }
        return faces;
    }

    /** Embeddings of the faces at {@code boxes} in one photo, in order. */
    public float[][] embedFaces(GrayImage photo, List<Box> boxes) {
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
