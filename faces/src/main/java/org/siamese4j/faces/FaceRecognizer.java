package org.siamese4j.faces;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.model.image.GrayImage;

/**
 * The face-recognition API: finds the faces in a photo, embeds each one as the model saw faces in training,
 * searches the gallery, and names each face or calls it {@value #UNKNOWN} by a {@link MatchRule} (by default,
 * strangers named in at most 1 % of searches of a gallery of this size).
 *
 * <pre>{@code
 * SiameseModel model = BuiltInFaceModel.load();
 * Gallery gallery = Gallery.load(Path.of("team.gallery"));
 * FaceRecognizer faces = FaceRecognizer.open(model, gallery);
 * for (FaceRecognizer.Identified face : faces.identifyAll(ImageLoader.load(Path.of("group.jpg")), 3)) {
 *     System.out.println(face.box() + " " + face.name());
 * }
 * }</pre>
 *
 * Enrolment ({@link #enrol}) adds to the gallery in memory; saving it is the caller's ({@link Gallery#save}).
 * Not thread-safe while enrolling; searches go through the model, whose calls are serialised.
 */
public final class FaceRecognizer {
    /** What a face is called when no enrolled person passes the rule. */
    public static final String UNKNOWN = "unknown";

    /**
     * One face and its answer: {@code name} is the best match's name, or {@value #UNKNOWN} when
     * {@code unknown}; {@code top} holds the best matches, best first (at least the best).
     */
    public record Identified(Box box, String name, boolean unknown, Gallery.Match best, List<Gallery.Match> top,
                             Optional<String> warning) {
    }

    private final FaceEmbedder embedder;
    private final Gallery gallery;
    private final MatchRule rule;

    /**
     * @throws org.siamese4j.engine.BadInputException the gallery was made with another model
     */
    public FaceRecognizer(FaceEmbedder embedder, Gallery gallery, MatchRule rule) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.gallery = Objects.requireNonNull(gallery, "gallery");
        this.rule = Objects.requireNonNull(rule, "rule");
        gallery.checkModel(embedder.model());
    }

    /** A recognizer with the built-in face detector and the default rule (FPIR 1 %). */
    public static FaceRecognizer open(SiameseModel model, Gallery gallery) {
        return new FaceRecognizer(new FaceEmbedder(model, FaceDetector.standard()), gallery, MatchRule.defaults());
    }

    /** The same recognizer deciding by another rule. */
    public FaceRecognizer withRule(MatchRule other) {
        return new FaceRecognizer(embedder, gallery, other);
    }

    public SiameseModel model() {
        return embedder.model();
    }

    public Gallery gallery() {
        return gallery;
    }

    public FaceEmbedder embedder() {
        return embedder;
    }

    /** The rule resolved for the gallery as it is now. */
    public MatchRule.Decision decision() {
        return rule.resolve(embedder.model(), gallery.size());
    }

    /**
     * Every face the detector finds in a photo, left to right, each identified.
     *
     * @throws IllegalStateException this recognizer uses images whole (no detector)
     * @throws org.siamese4j.engine.BadInputException the gallery is empty
     */
    public List<Identified> identifyAll(GrayImage photo, int topK) {
        if (embedder.detector() == null) {
            throw new IllegalStateException("identifyAll needs a face detector");
        }
        gallery.checkReady(embedder.model());
        List<Box> boxes = embedder.detector().detect(photo);
        float[][] embeddings = embedder.embedFaces(photo, boxes);
        MatchRule.Decision decision = decision();
        List<Identified> out = new ArrayList<>(boxes.size());
        for (int f = 0; f < boxes.size(); f++) {
            out.add(answer(boxes.get(f), embeddings[f], topK, decision, Optional.empty()));
        }
        return out;
    }

    /** The one face of each image file (see {@link FaceEmbedder}), identified; files are read in batches. */
    public List<Identified> identifyFiles(List<Path> images, int topK) {
        gallery.checkReady(embedder.model());
        MatchRule.Decision decision = decision();
        List<Identified> out = new ArrayList<>(images.size());
        for (FaceEmbedder.Face face : embedder.embedFiles(images)) {
            out.add(answer(face.box(), face.embedding(), topK, decision, face.warning()));
        }
        return out;
    }

    /** The one face of an image, identified. */
    public Identified identify(GrayImage image, String name, int topK) {
        gallery.checkReady(embedder.model());
        FaceEmbedder.Face face = embedder.embedImages(List.of(image), List.of(name)).get(0);
        return answer(face.box(), face.embedding(), topK, decision(), face.warning());
    }

    /**
     * Enrols (or re-enrols) a person with the face of each photo; returns the warnings about faces that
     * were not clear-cut (none found, or several).
     */
    public List<String> enrol(String name, List<GrayImage> photos, List<String> sources) {
        Gallery.checkName(name);
        List<FaceEmbedder.Face> faces = embedder.embedImages(photos, sources);
        List<float[]> embeddings = new ArrayList<>(faces.size());
        List<String> warnings = new ArrayList<>();
        for (FaceEmbedder.Face f : faces) {
            embeddings.add(f.embedding());
            f.warning().ifPresent(warnings::add);
        }
        gallery.put(name, embeddings, sources);
        return warnings;
    }

    private Identified answer(Box box, float[] embedding, int topK, MatchRule.Decision decision, Optional<String> warning) {
        List<Gallery.Match> top = gallery.identify(embedder.model(), embedding, Math.max(1, topK));
        Gallery.Match best = top.get(0);
        boolean unknown = !decision.accepts(best);
        return new Identified(box, unknown ? UNKNOWN : best.name(), unknown, best, top, warning);
    }
}
