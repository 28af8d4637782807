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
 */
public final class DownloadCommand implements Command {
    static final Dataset OMNIGLOT = new Dataset("omniglot",
            URI.create("https://raw.githubusercontent.com/brendenlake/omniglot/master/python/"),
            List.of(new PinnedFile("images_background.zip", 9_464_212L,
                            "ad41ab679c8b5d90b271ef46be6987cc81211774a695c29dcc5367b2b26ee640"),
                    new PinnedFile("images_evaluation.zip", 6_462_886L,
                            "1f61a8f3366785b057fc117d9228e78a16e3d976c8953b2a10fcc74cf0609cee")));

    static final Option<Path> DIR = Option.value("dir", "DIR", ValueParser.path(),
            "where to put the files (default: $XDG_CACHE_HOME/siamese4j/DATASET, else ~/.cache/siamese4j/DATASET)");
    static final Option<URI> URL_BASE = Option.value("url-base", "URL", ValueParser.httpUrl(),
            "fetch the files from this folder URL instead (a mirror); the pins still apply");
    static final Option<Boolean> EXTRACT = Option.flag("extract", "also unpack the archives into DIR (once)");
    static final Option<Integer> TIMEOUT = Option.value("timeout", "SECONDS", ValueParser.intRange(1, 3600),
            "give up when connecting, or the data stalls, for this long").defaultValue(60);

    private final Map<String, Dataset> datasets = new LinkedHashMap<>();

    public DownloadCommand() {
        this(List.of(OMNIGLOT));
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

    @Override
    public String name() {
        return "download";
    }

    @Override
    public String summary() {
        return "download a dataset (omniglot) into the cache, verifying pinned SHA-256s";
    }

    @Override
    public String details() {
        return """
                omniglot: images_background.zip (30 alphabets, for training) and images_evaluation.zip
                (20 alphabets, for one-shot tests) from the repository of Lake et al.,
                https://raw.githubusercontent.com/brendenlake/omniglot/master/python/

                Each file must match its pinned size and SHA-256 before it is kept: it is written to a
                hidden temp file in DIR and renamed into place only once verified, so DIR never holds a
                partial or corrupted archive. Files already present with the right hash are not downloaded
                again. --extract unpacks each archive into DIR (refusing entries that would escape it),
                unless its folders are there already.

                Exit code: 0 when every file is present and verified; 1 when a download cannot complete
                (offline, HTTP error, connection cut, stalled: running it again may help); 2 for bad input,
                which includes a download that fails its checks (a size or SHA-256 that does not match its
                pin: a corrupted or different file), a hostile archive, bad usage and an unwritable DIR.
                JSON: {dataset, dir, files: [{name, url, bytes, sha256, status}], extracted: [{archive,
                       folders, status}]}  (status: downloaded, present, extracted)

                examples:
                  siamese download omniglot
                  siamese download omniglot --dir data/omniglot --extract""";
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
        for (PinnedFile pin : dataset.files()) {
            URI url = URI.create(base.toString().replaceAll("/+$", "") + "/" + pin.name());
            Path target = dir.resolve(pin.name());
            // one writer per archive, across processes; the archive and its extraction happen under it
            try (WriteLock lock = WriteLock.acquire(target)) {
                Downloader.Outcome outcome = downloader.fetch(url, pin, target);
                String status = outcome == Downloader.Outcome.DOWNLOADED ? "downloaded" : "present";
                files.add(Json.object().put("name", pin.name()).put("url", url.toString()).put("bytes", pin.size())
                        .put("sha256", pin.sha256()).put("status", status));
                lines.add(String.format(Locale.ROOT, "  %-24s %10s  %s, SHA-256 verified", pin.name(),
                        Bytes.format(pin.size()), outcome == Downloader.Outcome.DOWNLOADED ? "downloaded" : "already present"));
                if (inv.get(EXTRACT)) {
                    ZipExtraction.Result r = ZipExtraction.extractOnce(target, dir);
                    extracted.add(Json.object().put("archive", pin.name()).put("folders", r.topLevel())
                            .put("status", r.extracted() ? "extracted" : "present"));
                    lines.add(String.format(Locale.ROOT, "  %-24s %s", String.join(", ", r.topLevel()) + "/",
                            r.extracted() ? "extracted" : "already extracted"));
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
