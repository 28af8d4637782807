package org.siamese4j.cli.commands;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.Positionals;
import org.siamese4j.cli.UsageException;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.faces.FaceAnnotator;
import org.siamese4j.faces.FaceEmbedder;
import org.siamese4j.faces.FaceRecognizer;
import org.siamese4j.faces.MatchRule;
import org.siamese4j.image.ImageLoader;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;

/**
 * {@code siamese annotate}: finds the faces in photos, identifies each against a gallery, and writes a
 * copy of each photo with every face boxed and labelled with the name (or "unknown") and p(same).
 */
public final class AnnotateCommand implements Command {
    static final Option<Path> OUT = Option.value("out", "FILE.png", ValueParser.path(),
            "the annotated copy of the one PHOTO (PNG)");
    static final Option<Path> OUT_DIR = Option.value("out-dir", "DIR", ValueParser.path(),
            "folder for annotated copies of several photos, each NAME.png after its photo (created if missing)");

    @Override
    public String name() {
        return "annotate";
    }

    @Override
    public String summary() {
        return "box and name the faces in photos, written as annotated PNG copies";
    }

    @Override
    public String details() {
        return """
                Detects the faces in each PHOTO (JPEG, baseline or progressive, PNG, PGM, ...), crops each one
                where the model expects a face, identifies it against the gallery, and draws on a colour copy
                a box and a label per face: "Name 0.93" (green) for a match, "unknown 0.31" (orange) when
                nobody passes the rule: by default the one that names strangers in at most 1 % of searches of
                a gallery of this size (--fpir P for another rate, --threshold P for a fixed p(same); see
                'siamese identify --help'). The copy is written as PNG, atomically:
                to --out for one photo, or into --out-dir as NAME.png per photo. A photo is never
                overwritten: an output path that is one of the input photos is refused.

                Without --model the built-in face model is used, without --cascade the built-in cascade.

                Exit code: 0 written (also when a photo has no face); 2 for bad input (missing or unreadable
                photos or files, an invalid cascade, an empty gallery or another model's gallery, an output
                that would overwrite a photo).
                JSON: {photos: [{path, out, faces: [{x, y, w, h, name, p, unknown}]}], threshold, rule}

                examples:
                  siamese annotate --gallery team.gallery --out annotated.png group.jpg
                  siamese annotate --gallery team.gallery --out-dir annotated/ *.jpg""";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(FaceOptions.MODEL, FaceOptions.GALLERY, FaceOptions.FPIR,
                FaceOptions.THRESHOLD, OUT, OUT_DIR));
        options.addAll(FaceOptions.DETECTOR);
        return options;
    }

    @Override
    public Positionals positionals() {
        return Positionals.atLeast(1, "PHOTO");
    }

    @Override
    public int run(Invocation inv) {
        List<Path> photos = new ArrayList<>();
        for (int i = 0; i < inv.positionals().size(); i++) {
            photos.add(inv.positional(i, ValueParser.path()));
        }
        List<Path> outputs = outputs(inv, photos);
        FaceOptions.requireFiles(photos);
        MatchRule rule = FaceOptions.rule(inv);
        Gallery gallery = FaceOptions.loadGallery(inv.get(FaceOptions.GALLERY));
        SiameseModel model = FaceOptions.model(inv);
        gallery.checkReady(model);
        FaceRecognizer recognizer = new FaceRecognizer(new FaceEmbedder(model, FaceOptions.detector(inv)), gallery, rule);
        MatchRule.Decision decision = recognizer.decision();
        if (inv.has(OUT_DIR)) {
            createFolder(inv.get(OUT_DIR));
        }

        List<Json.Obj> results = new ArrayList<>();
        boolean labelsDrawn = true;
        for (int i = 0; i < photos.size(); i++) {
            Path photo = photos.get(i);
            Path out = outputs.get(i);
            ImageLoader.GrayAndColour decoded = ImageLoader.decodeGrayAndColour(ImageLoader.readFile(photo), photo.toString());
            List<FaceRecognizer.Identified> identified = recognizer.identifyAll(decoded.gray(), 1);
            BufferedImage color = decoded.colour();
            List<Json.Obj> faces = new ArrayList<>();
            List<FaceAnnotator.Face> drawn = new ArrayList<>();
            for (FaceRecognizer.Identified face : identified) {
                drawn.add(new FaceAnnotator.Face(face.box(), face.name(), face.best().probability(), face.unknown()));
                faces.add(FaceOptions.json(face.box()).put("name", face.name()).put("p", face.best().probability())
                        .put("unknown", face.unknown()));
            }
            labelsDrawn &= FaceAnnotator.draw(color, drawn);
            FaceAnnotator.writePng(color, out);
            if (identified.isEmpty()) {
                inv.progress("warning: " + photo + ": no faces found; written unchanged");
            }
            results.add(Json.object().put("path", photo.toString()).put("out", out.toString()).put("faces", faces));
            if (!inv.json()) {
                StringBuilder line = new StringBuilder(photo + " -> " + out + ": " + EnrollCommand.count(identified.size(), "face"));
                for (int f = 0; f < drawn.size(); f++) {
                    line.append(f == 0 ? ": " : ", ").append(drawn.get(f).label());
                }
                inv.out().println(line);
            }
        }
        if (!labelsDrawn) {
            inv.progress("warning: no usable font in this Java runtime: faces are boxed but not labelled");
        }
        if (decision.fellBack()) {
            inv.progress("warning: " + decision.rule());
        }
        if (inv.json()) {
            inv.printJson(Json.object().put("photos", results).put("threshold", decision.probability())
                    .put("rule", decision.rule()));
        } else {
            inv.out().println("rule: " + decision.rule());
        }
        return ExitCode.OK;
    }

    /**
     * The output file of each photo, checked before any work: exactly one of --out and --out-dir, PNG names,
     * no photo overwritten, no two photos written to the same file.
     */
    private static List<Path> outputs(Invocation inv, List<Path> photos) {
        Path out = inv.get(OUT);
        Path outDir = inv.get(OUT_DIR);
        if ((out == null) == (outDir == null)) {
            throw new UsageException("give --out FILE.png for one photo or --out-dir DIR for several (exactly one of them)");
        }
        List<Path> outputs = new ArrayList<>();
        if (out != null) {
            if (photos.size() != 1) {
                throw new UsageException("--out takes exactly one PHOTO, got " + photos.size() + "; use --out-dir DIR for several");
            }
            if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                throw new UsageException("--out: the annotated copy is a PNG image, so its name must end in .png, got '" + out + "'");
            }
            outputs.add(out);
        } else {
            for (Path photo : photos) {
                String name = photo.getFileName().toString();
                int dot = name.lastIndexOf('.');
                outputs.add(outDir.resolve((dot > 0 ? name.substring(0, dot) : name) + ".png"));
            }
        }
        Map<Path, Path> claimed = new HashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            Path target = outputs.get(i);
            for (Path photo : photos) {
                if (FilePaths.sameFile(target, photo)) {
                    throw new BadInputException(target + ": is one of the input photos; refusing to overwrite it");
                }
            }
            Path earlier = claimed.putIfAbsent(target.toAbsolutePath().normalize(), photos.get(i));
            if (earlier != null) {
                throw new BadInputException("photos " + earlier + " and " + photos.get(i) + " would both be written to "
                        + target + "; rename one or annotate them separately");
            }
        }
        return outputs;
    }

    private static void createFolder(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot create the output folder (" + e.getMessage() + ")", e);
        }
    }
}
