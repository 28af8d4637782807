package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.CommandRegistry;
import org.siamese4j.cli.ExitCode;

/**
 * {@code download} against a local HTTP server that serves zips built here, under pins computed here: good,
 * corrupted, cut and stalled transfers, HTTP errors, a refused connection, and hostile archives.
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
                ex.sendResponseHeaders(200, body.length + 1);
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
