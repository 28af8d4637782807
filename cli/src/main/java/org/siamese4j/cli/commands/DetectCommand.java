package org.siamese4j.cli.commands;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.Positionals;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.faces.Box;
import org.siamese4j.faces.FaceDetector;
import org.siamese4j.image.ImageLoader;

/** {@code siamese detect}: the face boxes in photos, from the Haar-cascade detector alone (no model). */
public final class DetectCommand implements Command {

    @Override
    public String name() {
        return "detect";
    }

    @Override
    public String summary() {
        return "find the faces in photos and print their boxes";
    }

    @Override
    public String details() {
        return """
                Runs the Viola-Jones face detector (OpenCV's Haar cascade, same boxes as OpenCV's
                detectMultiScale) over each PHOTO and prints the face boxes in pixels, left to right:
                x, y (top left corner), w, h. No model is needed.

                Without --cascade it uses OpenCV's haarcascade_frontalface_default.xml, which ships inside
                the jar (Intel License Agreement, see the README). Colour photos are converted to gray with
                OpenCV's own weights, by the same code every command reads images with.

                Exit code: 0 (also when a photo has no face); 2 for bad input (a missing or unreadable photo,
                a missing or invalid cascade file).
                JSON: {photos: [{path, boxes: [{x, y, w, h}]}], cascade, options: {scale_factor,
                min_neighbors, min_size}}

                examples:
                  siamese detect group.jpg
                  siamese detect --cascade haarcascade_frontalface_default.xml --min-neighbors 4 --json *.jpg""";
    }

    @Override
    public List<Option<?>> options() {
        return FaceOptions.DETECTOR;
    }

    @Override
    public Positionals positionals() {
        return Positionals.atLeast(1, "PHOTO");
    }

    @Override
    public boolean usesKernels() {
        return false;
    }

    @Override
    public int run(Invocation inv) {
        List<Path> photos = new ArrayList<>();
        for (int i = 0; i < inv.positionals().size(); i++) {
            photos.add(inv.positional(i, ValueParser.path()));
        }
        FaceOptions.requireFiles(photos);
        FaceDetector detector = FaceOptions.detector(inv);
        List<Json.Obj> results = new ArrayList<>();
        for (Path photo : photos) {
            List<Box> boxes = detector.detect(ImageLoader.load(photo));
            List<Json.Obj> boxJson = new ArrayList<>();
            boxes.forEach(b -> boxJson.add(FaceOptions.json(b)));
            results.add(Json.object().put("path", photo.toString()).put("boxes", boxJson));
            if (!inv.json()) {
                inv.out().println(photo + ": " + EnrollCommand.count(boxes.size(), "face"));
                for (Box b : boxes) {
                    inv.out().println("  x " + b.x() + "  y " + b.y() + "  w " + b.w() + "  h " + b.h());
                }
            }
        }
        if (inv.json()) {
            inv.printJson(Json.object()
                    .put("photos", results)
                    .put("cascade", detector.cascade().source())
                    .put("options", FaceOptions.json(detector.options())));
        }
        return ExitCode.OK;
    }
}
