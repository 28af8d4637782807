package org.siamese4j.cli.commands;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.Positionals;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.faces.Box;

/**
 * {@code siamese identify}: who is in each face image, from a gallery. One tower pass per image; the
 * gallery's embeddings are cached, so each enrolled embedding costs only a head evaluation.
 */
public final class IdentifyCommand implements Command {
    static final Option<Integer> TOP = Option.value("top", "K", ValueParser.positiveInt(1000),
            "also list the K most likely people with their p(same)");

    /** What a face is called when nobody in the gallery is likely enough. */
    static final String UNKNOWN = "unknown";

    @Override
    public String name() {
        return "identify";
    }

    @Override
    public String summary() {
        return "name the person in each face image, from a gallery";
    }

    @Override
    public String details() {
        return """
                For each IMAGE (a face image; the face is found as 'enroll' finds it, or with --no-detect the
                whole image is used) prints the most likely enrolled person and p(same), or 'unknown' when p(same) is below
                the model's calibrated threshold, or --threshold P: that threshold balances false accepts and
                false rejects of one comparison, and a gallery search makes one per person, so raise it to
                name fewer strangers. A person enrolled with several images scores their best.
                With --top K the K most likely people are listed too.

                Exit code: 0 for any answers, including unknown; 2 for bad input (missing or unreadable
                images, a missing or empty gallery, a gallery made with another model).
                JSON: {results: [{image, name, p, unknown, face: {x,y,w,h}, top: [{name, p}]}], threshold}
                (name is "unknown" when unknown is true; top holds the K best, or the best without --top)

                examples:
                  siamese identify --model faces.s4j --gallery team.gallery who.jpg
                  siamese identify --model faces.s4j --gallery team.gallery --top 3 --json a.jpg b.jpg""";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(FaceEmbedder.MODEL, FaceEmbedder.GALLERY, TOP, FaceEmbedder.THRESHOLD, FaceEmbedder.NO_DETECT));
        options.addAll(FaceDetection.OPTIONS);
        return options;
    }

    @Override
    public Positionals positionals() {
        return Positionals.atLeast(1, "IMAGE");
    }

    @Override
    public int run(Invocation inv) {
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < inv.positionals().size(); i++) {
            images.add(inv.positional(i, ValueParser.path()));
        }
        FaceEmbedder.requireFiles(images);
        Gallery gallery = FaceEmbedder.loadGallery(inv.get(FaceEmbedder.GALLERY));
        SiameseModel model = SiameseModel.load(inv.get(FaceEmbedder.MODEL), inv.kernels());
        gallery.checkReady(model);
        FaceEmbedder embedder = new FaceEmbedder(model, FaceEmbedder.detectorFor(inv));
        int k = inv.has(TOP) ? inv.get(TOP) : 1;
        double threshold = FaceEmbedder.threshold(inv, model);

        List<Json.Obj> results = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (FaceEmbedder.Face face : embedder.embedImages(images)) {
            face.warning().ifPresent(w -> {
                warnings.add(w);
                inv.progress("warning: " + w);
            });
            List<Gallery.Match> top = gallery.identify(model, face.embedding(), k);
            Gallery.Match best = top.get(0);
            boolean unknown = best.probability() < threshold;
            List<Json.Obj> topJson = new ArrayList<>();
            for (Gallery.Match m : top) {
                topJson.add(Json.object().put("name", m.name()).put("p", m.probability()));
            }
            results.add(Json.object()
                    .put("image", face.image().toString())
                    .put("name", unknown ? UNKNOWN : best.name())
                    .put("p", best.probability())
                    .put("unknown", unknown)
                    .put("face", box(face.box()))
                    .put("top", topJson));
            if (!inv.json()) {
                print(inv, face.image(), unknown, top);
            }
        }
        if (inv.json()) {
            inv.printJson(Json.object()
                    .put("results", results)
                    .put("threshold", threshold)
                    .put("warnings", warnings));
        } else {
            inv.out().printf(Locale.ROOT, "threshold %.4f (a lower p(same) is unknown)%n", threshold);
        }
        return ExitCode.OK;
    }

    private static void print(Invocation inv, Path image, boolean unknown, List<Gallery.Match> top) {
        Gallery.Match best = top.get(0);
        String answer = unknown
                ? String.format(Locale.ROOT, "%s %.4f (closest: %s)", UNKNOWN, best.probability(), best.name())
                : String.format(Locale.ROOT, "%s %.4f", best.name(), best.probability());
        inv.out().println(image + ": " + answer);
        if (inv.has(TOP)) {
            for (int r = 0; r < top.size(); r++) {
                Gallery.Match m = top.get(r);
                inv.out().printf(Locale.ROOT, "  %d. %.4f  %s (best image %s)%n", r + 1, m.probability(), m.name(), m.source());
            }
        }
    }

    static Json.Obj box(Box b) {
        return Json.object().put("x", b.x()).put("y", b.y()).put("w", b.w()).put("h", b.h());
    }
}
