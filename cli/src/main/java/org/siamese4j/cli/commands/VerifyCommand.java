package org.siamese4j.cli.commands;

import java.nio.file.Path;
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
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.image.ImageLoader;

/** {@code siamese verify}: p(same) for two images and the decision at the model's calibrated threshold. */
public final class VerifyCommand implements Command {
    static final Option<Path> MODEL = Option.value("model", "FILE", ValueParser.path(), "the model file").required();

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "say whether two images show the same character or person, with p(same)";
    }

    @Override
    public String details() {
        return """
                Loads both images (PNG, JPEG, GIF, BMP, PGM/PPM/PBM; recognised by content, not by name),
                applies the model's own preprocessing, and prints p(same) from the Siamese network, the
                decision (same when p(same) >= the model's calibrated threshold) and the threshold.
                The two paths may be the same file.

                Exit code: 0 for either decision; 2 when a file is missing or is not a readable image or model.
                JSON: {p_same, same, threshold, model_sha256, image_a, image_b}

                examples:
                  siamese verify --model omniglot.s4j a.png b.png
                  siamese verify --model faces.s4j --json alice1.jpg alice2.jpg""";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(MODEL);
    }

    @Override
    public Positionals positionals() {
        return Positionals.exactly("IMG_A", "IMG_B");
    }

    @Override
    public int run(Invocation inv) {
        Path pathA = inv.positional(0, ValueParser.path());
        Path pathB = inv.positional(1, ValueParser.path());
        // images first: a bad image is found in milliseconds, a large model takes a while to load
        GrayImage a = ImageLoader.load(pathA);
        GrayImage b = ImageLoader.load(pathB);
        SiameseModel model = SiameseModel.load(inv.get(MODEL), inv.kernels());
        float p = model.similarity(a, b);
        boolean same = model.same(p);
        if (inv.json()) {
            inv.printJson(Json.object()
                    .put("p_same", p)
                    .put("same", same)
                    .put("threshold", model.threshold())
                    .put("model_sha256", model.sha256())
                    .put("image_a", pathA.toString())
                    .put("image_b", pathB.toString()));
        } else {
            inv.out().printf(Locale.ROOT, "p(same)    %.4f%n", p);
            inv.out().printf(Locale.ROOT, "decision   %s%n", same ? "same" : "different");
            inv.out().printf(Locale.ROOT, "threshold  %.4f%n", model.threshold());
        }
        return ExitCode.OK;
    }
}
