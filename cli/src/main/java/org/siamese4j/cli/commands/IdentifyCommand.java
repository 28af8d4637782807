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
import org.siamese4j.faces.FaceEmbedder;
import org.siamese4j.faces.FaceRecognizer;
import org.siamese4j.faces.MatchRule;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;

/**
 * {@code siamese identify}: who is in each face image, from a gallery ({@link FaceRecognizer#identifyFiles}).
 */
public final class IdentifyCommand implements Command {
    static final Option<Integer> TOP = Option.value("top", "K", ValueParser.positiveInt(1000),
            "also list the K most likely people with their p(same)");

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
                whole image is used) prints the most likely enrolled person and p(same), or 'unknown'.
                Who counts as unknown: by default, whatever keeps strangers (people not enrolled) named in at
                most 1 % of searches of a gallery of this size, from the model's open-set calibration
                (--fpir P to choose another rate); --threshold P sets a fixed p(same) instead. A model
                without an open-set calibration falls back to its equal-error threshold, and says so. The
                rule used is printed. A person enrolled with several images scores their best.
                With --top K the K most likely people are listed too. Without --model the built-in face
                model is used.

                Exit code: 0 for any answers, including unknown; 2 for bad input (missing or unreadable
                images, a missing or empty gallery, a gallery made with another model).
                JSON: {results: [{image, name, p, unknown, face: {x,y,w,h}, top: [{name, p}]}], threshold, rule}
                (name is "unknown" when unknown is true; top holds the K best, or the best without --top)

                examples:
                  siamese identify --gallery team.gallery who.jpg
                  siamese identify --gallery team.gallery --top 3 --fpir 0.001 --json a.jpg b.jpg""";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(FaceOptions.MODEL, FaceOptions.GALLERY, TOP, FaceOptions.FPIR,
                FaceOptions.THRESHOLD, FaceOptions.NO_DETECT));
        options.addAll(FaceOptions.DETECTOR);
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
        FaceOptions.requireFiles(images);
        MatchRule rule = FaceOptions.rule(inv);
        Gallery gallery = FaceOptions.loadGallery(inv.get(FaceOptions.GALLERY));
        SiameseModel model = FaceOptions.model(inv);
        gallery.checkReady(model);
        FaceRecognizer recognizer = new FaceRecognizer(new FaceEmbedder(model, FaceOptions.detectorUnlessNoDetect(inv)),
                gallery, rule);
        MatchRule.Decision decision = recognizer.decision();
        int k = inv.has(TOP) ? inv.get(TOP) : 1;

        List<Json.Obj> results = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (FaceRecognizer.Identified face : recognizer.identifyFiles(images, k)) {
            face.warning().ifPresent(w -> {
                warnings.add(w);
                inv.progress("warning: " + w);
            });
            List<Json.Obj> top = new ArrayList<>();
            for (Gallery.Match m : face.top()) {
                top.add(Json.object().put("name", m.name()).put("p", m.probability()));
            }
            results.add(Json.object()
                    .put("image", images.get(results.size()).toString())
                    .put("name", face.name())
                    .put("p", face.best().probability())
                    .put("unknown", face.unknown())
                    .put("face", FaceOptions.json(face.box()))
                    .put("top", top));
            if (!inv.json()) {
                print(inv, images.get(results.size() - 1), face);
            }
        }
        if (decision.fellBack()) {
            inv.progress("warning: " + decision.rule());
        }
        if (inv.json()) {
            inv.printJson(Json.object()
                    .put("results", results)
                    .put("threshold", decision.probability())
                    .put("rule", decision.rule())
                    .put("warnings", warnings));
        } else {
            inv.out().println("rule: " + decision.rule());
        }
        return ExitCode.OK;
    }

    private static void print(Invocation inv, Path image, FaceRecognizer.Identified face) {
        Gallery.Match best = face.best();
        String answer = face.unknown()
                ? String.format(Locale.ROOT, "%s %.4f (closest: %s)", FaceRecognizer.UNKNOWN, best.probability(), best.name())
                : String.format(Locale.ROOT, "%s %.4f", best.name(), best.probability());
        inv.out().println(image + ": " + answer);
        if (inv.has(TOP)) {
            for (int r = 0; r < face.top().size(); r++) {
                Gallery.Match m = face.top().get(r);
                inv.out().printf(Locale.ROOT, "  %d. %.4f  %s (best image %s)%n", r + 1, m.probability(), m.name(), m.source());
            }
        }
    }
}
