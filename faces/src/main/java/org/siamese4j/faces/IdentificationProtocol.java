package org.siamese4j.faces;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.model.GallerySearches;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;

/**
 * The face app's protocol on a folder of people ({@link EnrolmentFolder}): enrol the first K images of each
 * person, identify every other image, and count how many are named right, named wrong, or called unknown by
 * a {@link MatchRule}; and the same people as an open-set benchmark ({@link #searches}).
 *
 * <p>Images are embedded as the face commands embed them (detected and cropped by a {@link FaceEmbedder}),
 * or, for images already in the model's training frame (aligned datasets), through the model's own crop.
 */
public final class IdentificationProtocol {
    /** How the protocol turns image files into embeddings. */
    @FunctionalInterface
    public interface Embedding {
        List<float[]> embed(List<Path> images);

        /** As the face commands do: detect, choose the face, crop it where the model expects. */
        static Embedding detected(FaceEmbedder embedder, Consumer<String> warnings) {
            return images -> {
                List<float[]> out = new ArrayList<>(images.size());
                for (FaceEmbedder.Face f : embedder.embedFiles(images)) {
                    f.warning().ifPresent(warnings);
                    out.add(f.embedding());
                }
                return out;
            };
        }

        /** Images already framed like the training images: the model's own crop. */
        static Embedding trainingFrame(SiameseModel model) {
            return images -> {
                List<float[]> out = new ArrayList<>(images.size());
                for (Path p : images) {
                    out.add(model.embed(ImageLoader.load(p)));
                }
                return out;
            };
        }
    }

    /** The counts under one rule; {@code rankOne} counts queries whose best match is right, whatever the rule. */
    public record Result(int people, int enrolledPerPerson, int queries, int right, int wrong, int unknown, int rankOne,
                         MatchRule.Decision decision) {
    }

    /** Each query's best match and true name, for scoring under any rule. */
    public record Outcome(SiameseModel model, int people, int enrolledPerPerson, List<Gallery.Match> best, List<String> truth) {
        /** The counts when {@code rule} decides who is unknown. */
        public Result score(MatchRule rule) {
            MatchRule.Decision decision = rule.resolve(model, people);
            int right = 0;
            int wrong = 0;
            int unknown = 0;
            int rankOne = 0;
            for (int i = 0; i < best.size(); i++) {
                boolean correctName = best.get(i).name().equals(truth.get(i));
                rankOne += correctName ? 1 : 0;
                if (!decision.accepts(best.get(i))) {
                    unknown++;
                } else if (correctName) {
                    right++;
                } else {
                    wrong++;
                }
            }
            return new Result(people, enrolledPerPerson, best.size(), right, wrong, unknown, rankOne, decision);
        }
    }

    private IdentificationProtocol() {
    }

    /**
     * Enrols the first {@code k} images of each person and searches the gallery with every other image.
     *
     * @param warn receives a line for each person with nothing left to identify
     * @throws BadInputException nothing is left to identify
     */
    public static Outcome run(SiameseModel model, Embedding embedding, List<EnrolmentFolder.Person> people, int k,
                              Consumer<String> warn) {
        Gallery gallery = Gallery.create(model.sha256(), model.embeddingSize());
        List<Path> queries = new ArrayList<>();
        List<String> truth = new ArrayList<>();
        for (EnrolmentFolder.Person p : people) {
            int enrolled = Math.min(k, p.images().size());
            if (p.images().size() <= k) {
                warn.accept(p.name() + " has " + p.images().size() + " images, none left to identify after enrolling " + k);
            }
            List<Path> enrol = p.images().subList(0, enrolled);
            List<String> sources = enrol.stream().map(x -> x.getFileName().toString()).toList();
            gallery.put(p.name(), embedding.embed(enrol), sources);
            for (Path q : p.images().subList(enrolled, p.images().size())) {
                queries.add(q);
                truth.add(p.name());
            }
        }
        if (queries.isEmpty()) {
            throw new BadInputException("nothing left to identify after enrolling " + k + " per person");
        }
        List<Gallery.Match> best = new ArrayList<>(queries.size());
        for (float[] q : embedding.embed(queries)) {
            best.add(gallery.identify(model, q, 1).get(0));
        }
        return new Outcome(model, people.size(), k, best, truth);
    }

    /**
     * Every image of every person embedded once, as simulated gallery searches: each person with two or more
     * images is enrolled with their first, the others search; people with one image are strangers only.
     */
    public static GallerySearches searches(SiameseModel model, Embedding embedding, List<EnrolmentFolder.Person> people) {
        List<Path> images = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < people.size(); p++) {
            for (Path image : people.get(p).images()) {
                images.add(image);
                ids.add(p);
            }
        }
        List<float[]> embedded = embedding.embed(images);
        int d = model.embeddingSize();
        float[] flat = new float[embedded.size() * d];
        for (int i = 0; i < embedded.size(); i++) {
            System.arraycopy(embedded.get(i), 0, flat, i * d, d);
        }
        try {
            return new GallerySearches(flat, d, ids.stream().mapToInt(Integer::intValue).toArray(), false, model::logit);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("open-set benchmark: " + e.getMessage());
        }
    }
}
