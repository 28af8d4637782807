package org.siamese4j.cli.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.Positionals;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.io.WriteLock;

/**
 * {@code siamese download}: fetches a dataset's archives into the cache, verifying pinned SHA-256s.
 *
 * <p>Omniglot's pins: SHA-256 and sizes of {@code images_background.zip} (9,464,212 bytes) and
 * {@code images_evaluation.zip} (6,462,886 bytes) from the official repository of Lake et al.
 * (github.com/brendenlake/omniglot, folder python/), as pinned by tensorflow-datasets
 * (url_checksums/omniglot.txt, which also gives the sizes) and, independently, by torchvision's prototype
 * Omniglot dataset. (torchvision's classic Omniglot pins MD5s for the same URLs instead:
 * 68d2efa1b9178cc56df9314c21c6e718 and 6b91aef0f799c5bb55b94e3f2daec811.)
 *
 * <p>LFW's pins: the SHA-256s of {@code lfw-funneled.tgz}, {@code pairs.txt}, {@code pairsDevTrain.txt} and
 * {@code pairsDevTest.txt} as scikit-learn pins them (sklearn/datasets/_lfw.py: FUNNELED_ARCHIVE and
 * TARGETS), for its copies of the files on figshare (ndownloader.figshare.com/files/5976015, 5976006,
 * 5976012, 5976009), which it documents as copies of http://vis-www.cs.umass.edu/lfw/NAME. The files are
 * tried at that home first and at scikit-learn's copies when the home fails (it is often unreachable). That
 * the two hold the same bytes rests on torchvision's LFW datasets, which pin MD5s of the home's files
 * (lfw-funneled.tgz 1b42dfed7d15c9b2dd63d5e5840c86ad, pairs.txt 9f1ba174e4e1c508ff7cdf10ac338a7d), and on
 * third-party scripts that report the same MD5s for the figshare copies; the pins decide either way. No
 * authoritative source gives the sizes, so they are bounded, not pinned (third-party scripts and a
 * torchvision download log report 243,346,528 bytes for lfw-funneled.tgz and 155,335 for pairs.txt).
 */
public final class DownloadCommand implements Command {
    static final Dataset OMNIGLOT = new Dataset("omniglot",
            URI.create("https://raw.githubusercontent.com/brendenlake/omniglot/master/python/"),
            List.of(new PinnedFile("images_background.zip", 9_464_212L,
                            "ad41ab679c8b5d90b271ef46be6987cc81211774a695c29dcc5367b2b26ee640"),
                    new PinnedFile("images_evaluation.zip", 6_462_886L,
                            "1f61a8f3366785b057fc117d9228e78a16e3d976c8953b2a10fcc74cf0609cee")));

    /** The folder of the funneled images that {@code lfw-funneled.tgz} unpacks to. */
    static final String LFW_IMAGES = "lfw_funneled";

    static final Dataset LFW = new Dataset("lfw", URI.create("http://vis-www.cs.umass.edu/lfw/"),
            List.of(PinnedFile.upTo("lfw-funneled.tgz", 300L << 20,
                                    "b47c8422c8cded889dc5a13418c4bc2abbda121092b3533a83306f90d900100a")
                            .withMirror(URI.create("https://ndownloader.figshare.com/files/5976015")),
                    PinnedFile.upTo("pairs.txt", 1L << 20,
                                    "ea42330c62c92989f9d7c03237ed5d591365e89b3e649747777b70e692dc1592")
                            .withMirror(URI.create("https://ndownloader.figshare.com/files/5976006")),
                    PinnedFile.upTo("pairsDevTrain.txt", 1L << 20,
                                    "1d454dada7dfeca0e7eab6f65dc4e97a6312d44cf142207be28d688be92aabfa")
                            .withMirror(URI.create("https://ndownloader.figshare.com/files/5976012")),
                    PinnedFile.upTo("pairsDevTest.txt", 1L << 20,
                                    "7cb06600ea8b2814ac26e946201cdb304296262aad67d046a16a7ec85d0ff87c")
                            .withMirror(URI.create("https://ndownloader.figshare.com/files/5976009"))),
            DownloadCommand::lfwTrainCommand);

    static final Option<Path> DIR = Option.value("dir", "DIR", ValueParser.path(),
            "where to put the files (default: $XDG_CACHE_HOME/siamese4j/DATASET, else ~/.cache/siamese4j/DATASET)");
    static final Option<URI> URL_BASE = Option.value("url-base", "URL", ValueParser.httpUrl(),
            "fetch the files from this folder URL instead (a mirror); the pins still apply");
    static final Option<Boolean> EXTRACT = Option.flag("extract", "also unpack the archives into DIR (once)");
    static final Option<Integer> TIMEOUT = Option.value("timeout", "SECONDS", ValueParser.intRange(1, 3600),
            "give up when connecting, or the data stalls, for this long").defaultValue(60);

    private final Map<String, Dataset> datasets = new LinkedHashMap<>();

    public DownloadCommand() {
        this(List.of(OMNIGLOT, LFW));
    }

    /** With other datasets or pins: for tests, which serve their own files. */
    DownloadCommand(List<Dataset> datasets) {
        for (Dataset d : datasets) {
            this.datasets.put(d.name(), d);
        }
    }

    /**
     * The default cache folder of a dataset: {@code $XDG_CACHE_HOME/siamese4j/NAME} when that variable holds
     * an absolute path (as the XDG spec requires), else {@code ~/.cache/siamese4j/NAME}. Other commands use it
     * to find downloaded data.
     */
    public static Path cacheDir(String dataset) {
        return cacheDir(dataset, System.getenv(), System.getProperty("user.home"));
    }

    static Path cacheDir(String dataset, Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            try {
                Path p = Path.of(xdg);
                if (p.isAbsolute()) {
                    return p.resolve("siamese4j").resolve(dataset);
                }
            } catch (InvalidPathException e) {
                // not a usable path: fall back to the home folder
            }
        }
        return Path.of(userHome, ".cache", "siamese4j", dataset);
    }

    /**
     * The README's LFW training run on the unpacked funneled images: fold 5 of View 2's {@code pairs.txt}
     * held out as the test people, the middle half of the 250x250 frame.
     */
    static String lfwTrainCommand(Path dir) {
        return "siamese train --data " + shellWord(dir.resolve(LFW_IMAGES).toString())
                + " --exclude-pairs " + shellWord(dir.resolve("pairs.txt").toString()) + " --exclude-folds 5"
                + " --crop 0.25,0.25,0.5,0.5 --face-box 0.264,0.264,0.488,0.488 --size 48 --augment faces --lr 0.2"
                + " --time-limit 55m --out runs/lfw";
    }

    /** A word for a POSIX shell: as it is when it needs no quoting, else in single quotes. */
    static String shellWord(String s) {
        return !s.isEmpty() && s.matches("[A-Za-z0-9_./:@%+=,~-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public String name() {
        return "download";
    }

    @Override
    public String summary() {
        return "download a dataset (omniglot, lfw) into the cache, verifying pinned SHA-256s";
    }

    @Override
    public String details() {
        return """
                omniglot: images_background.zip (30 alphabets, for training) and images_evaluation.zip
                (20 alphabets, for one-shot tests) from the repository of Lake et al.,
                https://raw.githubusercontent.com/brendenlake/omniglot/master/python/ (MIT licence).

                lfw: Labeled Faces in the Wild, University of Massachusetts, Amherst: lfw-funneled.tgz
                (13,233 funneled 250x250 face images of 5,749 people; --extract gives lfw_funneled/<Person>/
                <Person>_0001.jpg, which train --data reads), pairs.txt (View 2: 10 folds of 300 same and 300
                different pairs, for --exclude-pairs and eval --pairs), pairsDevTrain.txt and pairsDevTest.txt
                (View 1), from http://vis-www.cs.umass.edu/lfw/, else from scikit-learn's copies on
                ndownloader.figshare.com (SHA-256s as scikit-learn pins them; sizes bounded, not pinned).
                For research use; the images are of real people, collected from the web. Cite: G. B. Huang,
                M. Ramesh, T. Berg, E. Learned-Miller, Labeled Faces in the Wild: A Database for Studying
                Face Recognition in Unconstrained Environments, UMass Amherst Technical Report 07-49, 2007.

                Each file must match its pinned SHA-256, and its pinned size or size bound, before it is kept:
                it is written to a hidden temp file in DIR and renamed into place only once verified, so DIR
                never holds a partial or corrupted file. Files already present with the right hash are not
                downloaded again. When a file's home fails, its mirrors are tried (not with --url-base).
                --extract unpacks each archive (.zip, .tgz) into DIR, unless its folders are there already:
                only files and folders, refusing links, entries that would escape DIR, and archives past
                their size budgets; nothing is written until the archive's names are checked.

                Exit code: 0 when every file is present and verified; 1 when a download cannot complete
                (offline, HTTP error, connection cut, stalled: running it again may help); 2 for bad input,
                which includes a download that fails its checks (a size or SHA-256 that does not match its
                pin: a corrupted or different file), a hostile archive, bad usage and an unwritable DIR.
                JSON: {dataset, dir, files: [{name, url, bytes, sha256, status}], extracted: [{archive,
                       folders, status}]}  (status: downloaded, present, extracted)

                examples:
                  siamese download omniglot
                  siamese download omniglot --dir data/omniglot --extract
                  siamese download lfw --extract""";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(DIR, URL_BASE, EXTRACT, TIMEOUT);
    }

    @Override
    public Positionals positionals() {
        return Positionals.exactly("DATASET");
    }

    @Override
    public boolean usesKernels() {
        return false;
    }

    @Override
    public int run(Invocation inv) {
        String name = inv.positional(0, ValueParser.oneOf(datasets.keySet().toArray(new String[0])));
        Dataset dataset = datasets.get(name);
        Path dir = inv.has(DIR) ? inv.get(DIR) : cacheDir(dataset.name());
        createFolder(dir);
        URI base = inv.has(URL_BASE) ? inv.get(URL_BASE) : dataset.baseUrl();
        Downloader downloader = new Downloader(Duration.ofSeconds(inv.get(TIMEOUT)), inv::progress);

        List<Json.Obj> files = new ArrayList<>();
        List<Json.Obj> extracted = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        boolean allExtracted = true;
        for (PinnedFile pin : dataset.files()) {
            List<URI> urls = new ArrayList<>();
            urls.add(URI.create(base.toString().replaceAll("/+$", "") + "/" + pin.name()));
            if (!inv.has(URL_BASE)) {
                urls.addAll(pin.mirrors());
            }
            Path target = dir.resolve(pin.name());
            // one writer per archive, across processes; the archive and its extraction happen under it
            try (WriteLock lock = WriteLock.acquire(target)) {
                Downloader.Fetched fetched = downloader.fetch(urls, pin, target);
                boolean downloaded = fetched.outcome() == Downloader.Outcome.DOWNLOADED;
                long bytes = Downloader.size(target);
                files.add(Json.object().put("name", pin.name())
                        .put("url", (downloaded ? fetched.url() : urls.get(0)).toString()).put("bytes", bytes)
                        .put("sha256", pin.sha256()).put("status", downloaded ? "downloaded" : "present"));
                lines.add(String.format(Locale.ROOT, "  %-24s %10s  %s, SHA-256 verified", pin.name(),
                        Bytes.format(bytes), downloaded ? "downloaded" : "already present"));
                if (!ArchiveExtraction.isArchive(pin.name())) {
                    continue;
                }
                if (inv.get(EXTRACT)) {
                    ArchiveExtraction.Result r = ArchiveExtraction.extractOnce(target, dir, inv::progress);
                    extracted.add(Json.object().put("archive", pin.name()).put("folders", r.topLevel())
                            .put("status", r.extracted() ? "extracted" : "present"));
                    lines.add(String.format(Locale.ROOT, "  %-24s %s", String.join(", ", r.topLevel()) + "/",
                            r.extracted() ? "extracted" : "already extracted"));
                } else {
                    allExtracted = false;
                }
            }
        }
        if (inv.json()) {
            inv.printJson(Json.object().put("dataset", dataset.name()).put("dir", dir.toAbsolutePath().toString())
                    .put("files", files).put("extracted", extracted));
        } else {
            PrintStream out = inv.out();
            out.println(dataset.name() + " in " + dir.toAbsolutePath());
            lines.forEach(out::println);
            if (dataset.nextStep() != null) {
                String next = dataset.nextStep().apply(dir.toAbsolutePath());
                out.println(allExtracted ? "next: " + next : "next: run again with --extract to unpack, then: " + next);
            }
        }
        return ExitCode.OK;
    }

    private static void createFolder(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException(dir + ": exists and is not a folder");
        } catch (IOException | SecurityException e) {
            throw new BadInputException(dir + ": cannot create the folder (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
    }
}
