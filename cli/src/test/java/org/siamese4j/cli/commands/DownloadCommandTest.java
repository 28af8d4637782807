package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.CommandRegistry;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Main;

/**
 * {@code download} against a local HTTP server that serves zips and tar.gz archives built here, under pins
 * computed here: good, corrupted, cut and stalled transfers, HTTP errors, a refused connection, mirrors, and
 * hostile archives.
 */
class DownloadCommandTest {
    private static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    private static HttpServer server;
    private static ExecutorService handlers;
    private static String base;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws IOException {
        FILES.put("images_background.zip", zip(Map.of("images_background/Latin/character01/0001_01.png", "png-1",
                "images_background/Latin/character02/0002_01.png", "png-2", "images_background/.DS_Store", "junk")));
        FILES.put("images_evaluation.zip", zip(Map.of("images_evaluation/Atlantean/character01/0003_01.png", "png-3")));
        FILES.put("escape.zip", zip(Map.of("fine/a.txt", "a", "../evil.txt", "escaped")));
        FILES.put("lfw-funneled.tgz", lfwTgz());
        FILES.put("pairs.txt", lfwPairs().getBytes(StandardCharsets.UTF_8));
        FILES.put("hostile.tgz", new TarBuilder().folder("lfw_funneled").file("lfw_funneled/A/A_0001.jpg", "jpeg")
                .symlink("lfw_funneled/B", "/etc").file("../evil.txt", "escaped").tgz());
        handlers = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", DownloadCommandTest::serve);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
        handlers.shutdownNow();
    }

    /**
     * /MODE/NAME: good serves the file; redirect points to /good/NAME; corrupt flips a byte; cut and stall send
     * half; missing is a 404; longer sends one byte more than the file, without announcing a length; announced
     * announces one byte more.
     */
    private static void serve(HttpExchange ex) throws IOException {
        String[] parts = ex.getRequestURI().getPath().split("/");
        String mode = parts[1];
        byte[] body = FILES.get(parts[parts.length - 1]);
        REQUESTS.computeIfAbsent(ex.getRequestURI().getPath(), k -> new AtomicInteger()).incrementAndGet();
        try (ex) {
            if (mode.equals("redirect")) {
                // as github.com/.../raw/master/... does, to raw.githubusercontent.com
                ex.getResponseHeaders().add("Location", "/good/" + parts[parts.length - 1]);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            if (body == null || mode.equals("missing")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (mode.equals("corrupt")) {
                body = body.clone();
                body[body.length / 2] ^= 0x5a;
            }
            if (mode.equals("longer")) {
                ex.sendResponseHeaders(200, 0); // chunked: the client learns the size only by reading
                ex.getResponseBody().write(java.util.Arrays.copyOf(body, body.length + 1));
                return;
            }
            if (mode.equals("announced")) {
                // a complete exchange of one byte more (newer JDKs' HttpServer drops an exchange left short)
                ex.sendResponseHeaders(200, body.length + 1);
                ex.getResponseBody().write(java.util.Arrays.copyOf(body, body.length + 1));
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            if (mode.equals("cut") || mode.equals("stall")) {
                out.write(body, 0, body.length / 2);
                out.flush();
                if (mode.equals("stall")) {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                // closing the exchange short of Content-Length drops the connection
                return;
            }
            out.write(body);
        }
    }

    private static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : new TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static PinnedFile pin(String name) {
        try {
            byte[] b = FILES.get(name);
            return new PinnedFile(name, b.length, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** 24 people with 3 images each, 64x64 JPEGs, in the funneled archive's layout. */
    private static final int PEOPLE = 24;

    private static String person(int i) {
        return "Person_" + (char) ('A' + i);
    }

    private static byte[] lfwTgz() throws IOException {
        TarBuilder tar = new TarBuilder().folder("lfw_funneled");
        for (int p = 0; p < PEOPLE; p++) {
            tar.folder("lfw_funneled/" + person(p));
            for (int i = 1; i <= 3; i++) {
                BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        img.getRaster().setSample(x, y, 0, (x * (p + 1) + y * i * 7 + (x ^ y) * p) & 0xff);
                    }
                }
                ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
                ImageIO.write(img, "jpg", jpeg);
                tar.file(String.format(Locale.ROOT, "lfw_funneled/%s/%s_%04d.jpg", person(p), person(p), i), jpeg.toByteArray());
            }
        }
        return tar.tgz();
    }

    /** View 2's format: 10 folds of one same and one different pair; fold 5 names people I, J and K. */
    private static String lfwPairs() {
        StringBuilder b = new StringBuilder("10\t1\n");
        for (int f = 0; f < 10; f++) {
            b.append(person(2 * f)).append("\t1\t2\n");
            b.append(person(2 * f + 1)).append("\t1\t").append(person(2 * f + 2)).append("\t3\n");
        }
        return b.toString();
    }

    /** Pinned by SHA-256 and a size bound, as the official LFW pins are. */
    private static PinnedFile bounded(String name, String... mirrors) {
        PinnedFile p = PinnedFile.upTo(name, 1L << 20, pin(name).sha256());
        for (String m : mirrors) {
            p = p.withMirror(URI.create(m));
        }
        return p;
    }

    private static CliResult downloadLfw(Dataset lfw, String... args) {
        return CliResult.inProcess(new CommandRegistry(new DownloadCommand(List.of(lfw))), args);
    }

    private static Dataset lfw(String home, List<PinnedFile> files) {
        return new Dataset("lfw", URI.create(home), files, DownloadCommand.LFW.nextStep());
    }

    private static CliResult download(String... args) {
        Dataset omniglot = new Dataset("omniglot", URI.create(base + "/unused/"),
                List.of(pin("images_background.zip"), pin("images_evaluation.zip")));
        Dataset hostile = new Dataset("hostile", URI.create(base + "/unused/"), List.of(pin("escape.zip")));
        return CliResult.inProcess(new CommandRegistry(new DownloadCommand(List.of(omniglot, hostile))), args);
    }

    private static int requests(String path) {
        AtomicInteger n = REQUESTS.get(path);
        return n == null ? 0 : n.get();
    }

    /** Everything in the folder except lock files (which WriteLock leaves by design). */
    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).sorted().toList();
        }
    }

    @Test
    void goodDownloadIsVerifiedAndNotRepeated() throws IOException {
        // exactly the pinned size: the download budget's limit is accepted
        Path dir = tmp.resolve("cache").resolve("omniglot");
        CliResult first = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/good/", "--json");
        assertEquals(ExitCode.OK, first.exitCode(), first.toString());
        first.assertNoStackTrace();
        assertEquals(List.of("images_background.zip", "images_evaluation.zip"), listing(dir));
        assertArrayEquals(FILES.get("images_background.zip"), Files.readAllBytes(dir.resolve("images_background.zip")));
        assertArrayEquals(FILES.get("images_evaluation.zip"), Files.readAllBytes(dir.resolve("images_evaluation.zip")));
        Map<String, Object> json = first.json();
        assertEquals("omniglot", json.get("dataset"));
        List<?> files = (List<?>) json.get("files");
        assertEquals(2, files.size());
        for (Object f : files) {
            Map<?, ?> m = (Map<?, ?>) f;
            assertEquals("downloaded", m.get("status"));
            assertEquals(pin((String) m.get("name")).sha256(), m.get("sha256"));
        }
        assertTrue(first.err().contains("SHA-256 verified"), first.err());
        int before = requests("/good/images_background.zip");
        assertEquals(1, before);

        CliResult second = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/good", "--json");
        assertEquals(ExitCode.OK, second.exitCode(), second.toString());
        assertEquals(before, requests("/good/images_background.zip"), "a verified file was downloaded again");
        for (Object f : (List<?>) second.json().get("files")) {
            assertEquals("present", ((Map<?, ?>) f).get("status"));
        }
    }

    @Test
    void redirectsAreFollowed() throws IOException {
        Path dir = tmp.resolve("d");
        CliResult r = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/redirect");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertArrayEquals(FILES.get("images_evaluation.zip"), Files.readAllBytes(dir.resolve("images_evaluation.zip")));
    }

    @Test
    void aFileThatDoesNotMatchItsPinIsReplaced() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        Files.writeString(dir.resolve("images_background.zip"), "truncated garbage");
        CliResult r = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/good");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertArrayEquals(FILES.get("images_background.zip"), Files.readAllBytes(dir.resolve("images_background.zip")));
        assertTrue(r.err().contains("does not match its pinned SHA-256"), r.err());
    }

    /** A download that fails its SHA-256 check is bad input (exit 2), like any other file that fails its checks. */
    @Test
    void corruptedDownloadIsBadInputAndLeavesNothing() throws IOException {
        Path dir = tmp.resolve("d");
        CliResult r = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/corrupt");
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertOneErrorLine(r, "images_background.zip: SHA-256 mismatch, expected " + pin("images_background.zip").sha256());
        assertEquals(List.of(), listing(dir));
    }

    /**
     * The download budget is the pinned size: exactly that many bytes are taken (the good download above), one byte
     * more, sent or announced, is refused as bad input before anything is kept.
     */
    @Test
    void oneByteMoreThanThePinnedSizeIsBadInputAndLeavesNothing() throws IOException {
        Path dir = tmp.resolve("d");
        long pinned = pin("images_background.zip").size();
        CliResult sent = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/longer");
        assertEquals(ExitCode.USAGE, sent.exitCode(), sent.toString());
        assertOneErrorLine(sent, "the server sends more than the pinned " + pinned + " bytes of images_background.zip");
        assertEquals(List.of(), listing(dir));
        CliResult announced = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/announced");
        assertEquals(ExitCode.USAGE, announced.exitCode(), announced.toString());
        assertOneErrorLine(announced, "the server announces " + (pinned + 1) + " bytes but the pinned images_background.zip has "
                + pinned);
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void connectionCutMidwayLeavesNothing() throws IOException {
        Path dir = tmp.resolve("d");
        CliResult r = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/cut");
        assertEquals(ExitCode.FAILED, r.exitCode(), r.toString());
        assertOneErrorLine(r, "cannot download " + base + "/cut/images_background.zip", "nothing was kept");
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void stalledTransferTimesOut() throws IOException {
        Path dir = tmp.resolve("d");
        long start = System.nanoTime();
        CliResult r = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/stall", "--timeout", "1");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(ExitCode.FAILED, r.exitCode(), r.toString());
        assertOneErrorLine(r, "no data for 1 s after");
        assertTrue(seconds < 10, "the stall was noticed only after " + seconds + " s");
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void httpErrorsAndRefusedConnectionsAreFailedRuns() throws IOException {
        Path dir = tmp.resolve("d");
        CliResult missing = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/missing");
        assertEquals(ExitCode.FAILED, missing.exitCode(), missing.toString());
        assertOneErrorLine(missing, "the server answered HTTP 404");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        CliResult offline = download("download", "omniglot", "--dir", dir.toString(), "--url-base",
                "http://127.0.0.1:" + closedPort + "/x", "--timeout", "5");
        assertEquals(ExitCode.FAILED, offline.exitCode(), offline.toString());
        assertOneErrorLine(offline, "cannot download http://127.0.0.1:" + closedPort + "/x/images_background.zip: cannot connect");
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void extractUnpacksOnceAndSkipsJunk() throws IOException {
        Path dir = tmp.resolve("d");
        CliResult r = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/good", "--extract", "--json");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals("png-1", Files.readString(dir.resolve("images_background/Latin/character01/0001_01.png")));
        assertEquals("png-3", Files.readString(dir.resolve("images_evaluation/Atlantean/character01/0003_01.png")));
        assertFalse(Files.exists(dir.resolve("images_background/.DS_Store")));
        assertEquals(List.of("images_background", "images_background.zip", "images_evaluation", "images_evaluation.zip"),
                listing(dir));
        List<?> extracted = (List<?>) r.json().get("extracted");
        assertEquals("extracted", ((Map<?, ?>) extracted.get(0)).get("status"));

        CliResult again = download("download", "omniglot", "--dir", dir.toString(), "--url-base", base + "/good", "--extract", "--json");
        assertEquals(ExitCode.OK, again.exitCode(), again.toString());
        assertEquals("present", ((Map<?, ?>) ((List<?>) again.json().get("extracted")).get(0)).get("status"));
        assertEquals(List.of("images_background", "images_background.zip", "images_evaluation", "images_evaluation.zip"),
                listing(dir));
    }

    @Test
    void archiveEntryEscapingTheFolderIsRefused() throws IOException {
        Path parent = Files.createDirectories(tmp.resolve("outer"));
        Path dir = parent.resolve("hostile");
        CliResult r = download("download", "hostile", "--dir", dir.toString(), "--url-base", base + "/good", "--extract");
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertTrue(r.messages().get(r.messages().size() - 1).contains("unsafe zip entry name '../evil.txt'"), r.toString());
        r.assertNoStackTrace();
        assertEquals(List.of("hostile"), listing(parent), "something was written outside the target folder");
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
        // the verified archive stays; nothing was extracted, and no staging folder is left
        assertEquals(List.of("escape.zip"), listing(dir));
    }

    @Test
    void lfwIsDownloadedExtractedAndTheNextStepTrainsOnIt() throws IOException {
        Path dir = tmp.resolve("cache").resolve("lfw");
        Dataset lfw = lfw(base + "/unused/", List.of(bounded("lfw-funneled.tgz"), bounded("pairs.txt")));
        int before = requests("/good/lfw-funneled.tgz");
        CliResult json = downloadLfw(lfw, "download", "lfw", "--dir", dir.toString(), "--url-base", base + "/good/",
                "--extract", "--json");
        assertEquals(ExitCode.OK, json.exitCode(), json.toString());
        json.assertNoStackTrace();
        assertEquals(List.of("lfw-funneled.tgz", "lfw_funneled", "pairs.txt"), listing(dir));
        assertArrayEquals(FILES.get("pairs.txt"), Files.readAllBytes(dir.resolve("pairs.txt")));
        List<?> files = (List<?>) json.json().get("files");
        Map<?, ?> archive = (Map<?, ?>) files.get(0);
        assertEquals(base + "/good/lfw-funneled.tgz", archive.get("url"));
        assertEquals((long) FILES.get("lfw-funneled.tgz").length, ((Number) archive.get("bytes")).longValue());
        assertEquals("downloaded", archive.get("status"));
        List<?> extracted = (List<?>) json.json().get("extracted");
        assertEquals(1, extracted.size(), "pairs.txt is not an archive");
        assertEquals(List.of("lfw_funneled"), ((Map<?, ?>) extracted.get(0)).get("folders"));
        assertEquals("extracted", ((Map<?, ?>) extracted.get(0)).get("status"));
        for (int p = 0; p < PEOPLE; p++) {
            try (Stream<Path> images = Files.list(dir.resolve("lfw_funneled").resolve(person(p)))) {
                assertEquals(3, images.count(), person(p));
            }
        }
        assertTrue(json.err().contains("unpacking lfw-funneled.tgz"), json.err());

        // again, for people: everything is there, and the next step is a train command on the folder
        CliResult again = downloadLfw(lfw, "download", "lfw", "--dir", dir.toString(), "--url-base", base + "/good/", "--extract");
        assertEquals(ExitCode.OK, again.exitCode(), again.toString());
        assertTrue(again.out().lines().anyMatch(l -> l.matches(" +lfw_funneled/ +already extracted")), again.out());
        assertEquals(before + 1, requests("/good/lfw-funneled.tgz"), "a verified file was downloaded again");
        String next = again.out().lines().filter(l -> l.startsWith("next: ")).findFirst().orElseThrow();
        Path abs = dir.toAbsolutePath();
        assertEquals("next: siamese train --data " + abs.resolve("lfw_funneled") + " --exclude-pairs " + abs.resolve("pairs.txt")
                + " --exclude-folds 5 --crop 0.25,0.25,0.5,0.5 --face-box 0.264,0.264,0.488,0.488 --size 48 --augment faces"
                + " --lr 0.2 --time-limit 55m --out runs/lfw", next);

        // the printed command, with a tiny network, a few steps and its own output folder, trains on what was unpacked
        List<String> args = new ArrayList<>(List.of(next.substring("next: siamese ".length()).split(" ")));
        int out = args.indexOf("--out");
        args.set(out + 1, tmp.resolve("runs").resolve("lfw").toString());
        args.addAll(List.of("--tower", TrainEvalCommandsTest.TOWER, "--steps", "2", "--eval-every", "2", "--way", "2",
                "--val-trials", "10", "--classes-per-batch", "4", "--no-test", "--threads", "2", "--json"));
        CliResult train = CliResult.inProcess(Main.commands(), args.toArray(new String[0]));
        assertEquals(ExitCode.OK, train.exitCode(), train.toString());
        Map<?, ?> data = (Map<?, ?>) train.json().get("data");
        assertEquals(3L, ((Number) data.get("test_classes")).longValue(), "fold 5 names three people: " + data);
        assertEquals((long) PEOPLE - 3, ((Number) data.get("train_classes")).longValue()
                + ((Number) data.get("validation_classes")).longValue(), data.toString());
    }

    @Test
    void lfwWithoutExtractSaysHowToGetTrainableData() {
        Path dir = tmp.resolve("lfw");
        Dataset lfw = lfw(base + "/good/", List.of(bounded("lfw-funneled.tgz"), bounded("pairs.txt")));
        CliResult r = downloadLfw(lfw, "download", "lfw", "--dir", dir.toString());
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.out().contains("next: run again with --extract to unpack, then: siamese train --data "), r.out());
        assertFalse(Files.exists(dir.resolve("lfw_funneled")));
    }

    @Test
    void aFailingHomeFallsBackToTheMirrorsAndAnUnreachableHostIsNotTriedAgain() throws IOException {
        Path dir = tmp.resolve("d");
        Dataset lfw = lfw(base + "/missing/", List.of(bounded("pairs.txt", base + "/cut/pairs.txt", base + "/good/pairs.txt")));
        CliResult r = downloadLfw(lfw, "download", "lfw", "--dir", dir.toString(), "--json");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(base + "/good/pairs.txt", ((Map<?, ?>) ((List<?>) r.json().get("files")).get(0)).get("url"));
        assertArrayEquals(FILES.get("pairs.txt"), Files.readAllBytes(dir.resolve("pairs.txt")));
        assertTrue(r.err().contains("the server answered HTTP 404; trying the next source"), r.err());
        assertTrue(r.err().contains("cannot download " + base + "/cut/pairs.txt"), r.err());

        // --url-base names the only source
        CliResult only = downloadLfw(lfw, "download", "lfw", "--dir", tmp.resolve("e").toString(), "--url-base", base + "/missing");
        assertEquals(ExitCode.FAILED, only.exitCode(), only.toString());
        assertOneErrorLine(only, "the server answered HTTP 404");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String home = "http://127.0.0.1:" + closedPort + "/lfw/";
        Dataset offlineHome = lfw(home, List.of(bounded("lfw-funneled.tgz", base + "/good/lfw-funneled.tgz"),
                bounded("pairs.txt", base + "/good/pairs.txt")));
        CliResult fallback = downloadLfw(offlineHome, "download", "lfw", "--dir", tmp.resolve("f").toString(), "--timeout", "5");
        assertEquals(ExitCode.OK, fallback.exitCode(), fallback.toString());
        assertEquals(1, fallback.err().lines().filter(l -> l.contains("downloading " + home)).count(),
                "the unreachable home was tried again: " + fallback.err());
        assertEquals(List.of("lfw-funneled.tgz", "pairs.txt"), listing(tmp.resolve("f")));
    }

    @Test
    void lfwWithTheWrongSha256OrTooLargeIsBadInputThatKeepsNothing() throws IOException {
        Path dir = tmp.resolve("d");
        PinnedFile wrong = PinnedFile.upTo("lfw-funneled.tgz", 1L << 20, "00".repeat(32));
        CliResult r = downloadLfw(lfw(base + "/unused/", List.of(wrong)), "download", "lfw", "--dir", dir.toString(),
                "--url-base", base + "/good", "--extract");
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertOneErrorLine(r, "lfw-funneled.tgz: SHA-256 mismatch, expected " + "00".repeat(32), "nothing was kept");
        assertEquals(List.of(), listing(dir));

        // the home and its mirror both serve another file: the mismatch is what is reported
        PinnedFile mirrored = wrong.withMirror(URI.create(base + "/missing/lfw-funneled.tgz"));
        CliResult both = downloadLfw(lfw(base + "/good/", List.of(mirrored)), "download", "lfw", "--dir", dir.toString());
        assertEquals(ExitCode.USAGE, both.exitCode(), both.toString());
        assertTrue(both.messages().get(both.messages().size() - 1).contains("SHA-256 mismatch"), both.toString());
        both.assertNoStackTrace();

        // more than the bound: refused as announced, before the body is read
        long size = FILES.get("lfw-funneled.tgz").length;
        PinnedFile small = PinnedFile.upTo("lfw-funneled.tgz", size - 1, pin("lfw-funneled.tgz").sha256());
        CliResult large = downloadLfw(lfw(base + "/good/", List.of(small)), "download", "lfw", "--dir", dir.toString());
        assertEquals(ExitCode.USAGE, large.exitCode(), large.toString());
        assertOneErrorLine(large, "the server announces " + size + " bytes, more than the " + (size - 1) + " allowed");
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void hostileTarIsRefusedAndNothingIsWrittenOutside() throws IOException {
        Path parent = Files.createDirectories(tmp.resolve("outer"));
        Path dir = parent.resolve("lfw");
        CliResult r = downloadLfw(lfw(base + "/good/", List.of(bounded("hostile.tgz"))), "download", "lfw", "--dir", dir.toString(),
                "--extract");
        assertEquals(ExitCode.USAGE, r.exitCode(), r.toString());
        assertTrue(r.messages().get(r.messages().size() - 1).contains("tar entry 'lfw_funneled/B' is a symbolic link"), r.toString());
        r.assertNoStackTrace();
        assertEquals(List.of("lfw"), listing(parent), "something was written outside the target folder");
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
        // the verified archive stays; nothing was extracted, and no staging folder is left
        assertEquals(List.of("hostile.tgz"), listing(dir));
    }

    @Test
    void helpListsLfwWithItsSourceAndLicence() {
        CliResult r = CliResult.inProcess(Main.commands(), "download", "--help");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        for (String s : List.of("(omniglot, lfw)", "lfw: Labeled Faces in the Wild, University of Massachusetts, Amherst",
                "http://vis-www.cs.umass.edu/lfw/", "figshare", "research use", "Huang", "2007", "siamese download lfw --extract")) {
            assertTrue(r.out().contains(s), "'" + s + "' missing from:\n" + r.out());
        }
        CliResult overview = CliResult.inProcess(Main.commands(), "--help");
        assertTrue(overview.out().contains("download a dataset (omniglot, lfw)"), overview.out());
    }

    @Test
    void officialLfwPinsAreScikitLearns() {
        Dataset lfw = DownloadCommand.LFW;
        assertEquals("http://vis-www.cs.umass.edu/lfw/", lfw.baseUrl().toString());
        Map<String, String> sha = new TreeMap<>();
        Map<String, List<String>> mirrors = new TreeMap<>();
        for (PinnedFile f : lfw.files()) {
            sha.put(f.name(), f.sha256());
            mirrors.put(f.name(), f.mirrors().stream().map(URI::toString).toList());
            assertFalse(f.sizePinned(), f.name());
        }
        assertEquals(Map.of(
                "lfw-funneled.tgz", "b47c8422c8cded889dc5a13418c4bc2abbda121092b3533a83306f90d900100a",
                "pairs.txt", "ea42330c62c92989f9d7c03237ed5d591365e89b3e649747777b70e692dc1592",
                "pairsDevTrain.txt", "1d454dada7dfeca0e7eab6f65dc4e97a6312d44cf142207be28d688be92aabfa",
                "pairsDevTest.txt", "7cb06600ea8b2814ac26e946201cdb304296262aad67d046a16a7ec85d0ff87c"), sha);
        assertEquals(Map.of(
                "lfw-funneled.tgz", List.of("https://ndownloader.figshare.com/files/5976015"),
                "pairs.txt", List.of("https://ndownloader.figshare.com/files/5976006"),
                "pairsDevTrain.txt", List.of("https://ndownloader.figshare.com/files/5976012"),
                "pairsDevTest.txt", List.of("https://ndownloader.figshare.com/files/5976009")), mirrors);
        assertEquals("lfw-funneled.tgz", lfw.files().get(0).name());
        assertTrue(lfw.files().get(0).maxSize() >= 250_000_000L, "the archive is about 243 MB");
        String quoted = lfw.nextStep().apply(Path.of("/data/my lfw"));
        assertTrue(quoted.startsWith("siamese train --data '/data/my lfw/lfw_funneled' --exclude-pairs '/data/my lfw/pairs.txt'"),
                quoted);
    }

    @Test
    void shellWordsAreQuotedOnlyWhenNeeded() {
        assertEquals("/a/b-c_d.e/f", DownloadCommand.shellWord("/a/b-c_d.e/f"));
        assertEquals("'/a b'", DownloadCommand.shellWord("/a b"));
        assertEquals("'it'\\''s'", DownloadCommand.shellWord("it's"));
        assertEquals("''", DownloadCommand.shellWord(""));
    }

    @Test
    void cacheFolderFollowsXdgCacheHome() {
        assertEquals(Path.of("/x/cache/siamese4j/omniglot"),
                DownloadCommand.cacheDir("omniglot", Map.of("XDG_CACHE_HOME", "/x/cache"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/siamese4j/omniglot"),
                DownloadCommand.cacheDir("omniglot", Map.of("XDG_CACHE_HOME", "relative/ignored"), "/home/u"));
        assertEquals(Path.of("/home/u/.cache/siamese4j/omniglot"), DownloadCommand.cacheDir("omniglot", Map.of(), "/home/u"));
    }

    @Test
    void officialPinsAreWellFormed() {
        assertEquals(List.of("images_background.zip", "images_evaluation.zip"),
                DownloadCommand.OMNIGLOT.files().stream().map(PinnedFile::name).toList());
        assertEquals("https://raw.githubusercontent.com/brendenlake/omniglot/master/python/",
                DownloadCommand.OMNIGLOT.baseUrl().toString());
    }

    private static void assertOneErrorLine(CliResult r, String... fragments) {
        List<String> errors = r.messages().stream().filter(l -> !l.startsWith("siamese: downloading ")
                && !l.matches("siamese: \\S+: \\d+% .*")).toList();
        assertEquals(1, errors.size(), r.toString());
        for (String f : fragments) {
            assertTrue(errors.get(0).contains(f), "'" + f + "' missing: " + r);
        }
        r.assertNoStackTrace();
    }
}
