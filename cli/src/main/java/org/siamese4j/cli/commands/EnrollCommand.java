package org.siamese4j.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.Positionals;
import org.siamese4j.cli.UsageException;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.faces.EnrolmentFolder;
import org.siamese4j.faces.FaceEmbedder;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.model.io.WriteLock;

/**
 * {@code siamese enroll}: adds people to a gallery, or replaces what it holds for them, one embedding per
 * image. The gallery is locked for the whole read-modify-write, so two enrolments never lose each other's
 * people, and it is only written when every image was read: a failed run leaves it as it was.
 */
public final class EnrollCommand implements Command {
    static final Option<Path> DIR = Option.value("dir", "DIR", ValueParser.path(),
            "enrol a folder: every Name.jpg (one person each) and every 'Person Name' folder of images");
    static final Option<Integer> PER_PERSON = Option.value("per-person", "K", ValueParser.positiveInt(Gallery.MAX_EMBEDDINGS_PER_PERSON),
            "with --dir: images to use from each person's folder, first in natural order").defaultValue(1);

    @Override
    public String name() {
        return "enroll";
    }

    @Override
    public String summary() {
        return "add or update people in a face gallery, from face images";
    }

    @Override
    public String details() {
        return """
                Enrols NAME with one embedding per IMAGE, or with --dir every person in a folder: each file
                Name.jpg is a person named by the file (names may contain spaces), and each folder
                'Person Name/' is a person with its first image (or its first K with --per-person K).
                A person already in the gallery is replaced. The gallery is created when it does not exist;
                it remembers the model, and enrolling with another model is refused (embeddings of two
                models cannot be compared), as is a name given twice.

                In each image the face detector looks for the face: one face is used as found; of several,
                the largest is used, with a warning; with none, the whole image is taken to be the face
                (as for images that are already face crops), with a warning; --no-detect skips the detector
                and uses every image whole. The face is cropped where the model expects it (without --model,
                the built-in face model's; without --cascade, the built-in cascade finds faces). Images are
                read by content (JPEG, PNG, PGM/PPM, BMP, GIF), so PNG data in a .jpg file works.

                Exit code: 0 enrolled; 2 for bad input (missing or unreadable images, a name given twice, an
                invalid name, another model's gallery, a gallery being written by another process).
                JSON: {gallery, people, enrolled: [{name, images, replaced}], warnings}

                examples:
                  siamese enroll --gallery team.gallery "Ada Lovelace" ada1.jpg ada2.jpg
                  siamese enroll --gallery team.gallery --dir seed-photos/database
                  siamese enroll --model faces.s4j --gallery team.gallery --dir seed-photos/eval --per-person 5""";
    }

    @Override
    public List<Option<?>> options() {
        List<Option<?>> options = new ArrayList<>(List.of(FaceOptions.MODEL, FaceOptions.GALLERY, DIR, PER_PERSON,
                FaceOptions.NO_DETECT));
        options.addAll(FaceOptions.DETECTOR);
        return options;
    }

    @Override
    public Positionals positionals() {
        return new Positionals(List.of("NAME", "IMAGE"), 0, Integer.MAX_VALUE);
    }

    @Override
    public int run(Invocation inv) {
        List<String> warnings = new ArrayList<>();
        List<EnrolmentFolder.Person> people = plan(inv, warnings);
        List<Path> allImages = people.stream().flatMap(p -> p.images().stream()).toList();
        FaceOptions.requireFiles(allImages);

        Path galleryPath = inv.get(FaceOptions.GALLERY);
        try (WriteLock lock = WriteLock.acquire(galleryPath)) {
            Gallery existing = Files.exists(galleryPath) ? Gallery.load(galleryPath) : null;
            SiameseModel model = FaceOptions.model(inv);
            Gallery gallery;
            if (existing != null) {
                existing.checkModel(model); // refused before any image is embedded
                gallery = existing;
            } else {
                gallery = Gallery.create(model.sha256(), model.embeddingSize());
            }
            FaceEmbedder embedder = new FaceEmbedder(model, FaceOptions.detectorUnlessNoDetect(inv));
            List<FaceEmbedder.Face> faces = embedder.embedFiles(allImages);
            List<Json.Obj> enrolled = new ArrayList<>();
            int next = 0;
            for (EnrolmentFolder.Person person : people) {
                List<float[]> embeddings = new ArrayList<>();
                List<String> sources = new ArrayList<>();
                for (Path image : person.images()) {
                    FaceEmbedder.Face face = faces.get(next++);
                    face.warning().ifPresent(warnings::add);
                    embeddings.add(face.embedding());
                    sources.add(sourceName(inv, image));
                }
                boolean replaced = gallery.put(person.name(), embeddings, sources);
                enrolled.add(Json.object().put("name", person.name()).put("images", sources).put("replaced", replaced));
            }
            gallery.save(galleryPath, lock);
            for (String w : warnings) {
                inv.progress("warning: " + w);
            }
            if (inv.json()) {
                inv.printJson(Json.object()
                        .put("gallery", galleryPath.toString())
                        .put("people", gallery.size())
                        .put("enrolled", enrolled)
                        .put("warnings", warnings));
            } else {
                for (Json.Obj e : enrolled) {
                    boolean replaced = (Boolean) e.get("replaced");
                    int images = ((List<?>) e.get("images")).size();
                    inv.out().println((replaced ? "updated  " : "enrolled ") + e.get("name") + " (" + count(images, "image") + ")");
                }
                inv.out().println("gallery " + galleryPath + ": " + count(gallery.size(), "person") + ", "
                        + count(gallery.embeddingCount(), "embedding"));
            }
        }
        return ExitCode.OK;
    }

    /** Who to enrol with which images, from --dir or from NAME IMAGE...; names are checked here. */
    private static List<EnrolmentFolder.Person> plan(Invocation inv, List<String> warnings) {
        List<String> args = inv.positionals();
        Path dir = inv.get(DIR);
        if (dir != null) {
            if (!args.isEmpty()) {
                throw new UsageException("give either --dir DIR or NAME IMAGE..., not both");
            }
            EnrolmentFolder.Plan plan = EnrolmentFolder.scan(dir, inv.get(PER_PERSON));
            warnings.addAll(plan.warnings());
            return plan.people();
        }
        if (inv.has(PER_PERSON)) {
            throw new UsageException("--per-person applies to --dir only; with NAME IMAGE... every image is used");
        }
        if (args.size() < 2) {
            throw new UsageException(args.isEmpty() ? "expected NAME IMAGE... or --dir DIR"
                    : "expected at least one IMAGE after the name '" + args.get(0) + "'");
        }
        String name = args.get(0);
        Gallery.checkName(name);
        List<Path> images = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            images.add(inv.positional(i, ValueParser.path()));
        }
        return List.of(new EnrolmentFolder.Person(name, images, name));
    }

    /** The name recorded for an image: relative to --dir when enrolling a folder, else as given. */
    private static String sourceName(Invocation inv, Path image) {
        Path dir = inv.get(DIR);
        return (dir != null ? dir.relativize(image) : image).toString();
    }

    static String count(int n, String noun) {
        String plural = noun.equals("person") ? "people" : noun + "s";
        return n + " " + (n == 1 ? noun : plural);
    }
}
