package org.siamese4j.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.siamese4j.cli.RunFailedException;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.io.AtomicFile;

/**
 * Downloads pinned files over HTTP(S). The body streams into a temp file in the target's folder through
 * {@link AtomicFile}; only after the size and SHA-256 match the pin is it renamed into place, so the target
 * is either absent, the old file, or the complete verified one. A file whose size is not pinned may not
 * exceed the pin's maximum. A target that already matches its pin is not downloaded again. Callers
 * serialise writers of one target with a {@code WriteLock}.
 *
 * <p>A file may come from several URLs (its home, then mirrors): they are tried in order until one gives
 * the pinned file, and a host that could not be connected to is not tried again for later files while
 * other URLs remain. Each failure but the last is reported as progress.
 *
 * <p>The project's exit-code rule: input that arrives but fails its checks is bad input, and input that does
 * not arrive is a failed run. So when every URL fails and one of them sent a body whose size or SHA-256 does
 * not match the pin (announced, sent, or hashed), that mismatch is a {@link BadInputException} (exit code 2),
 * like any other file that fails its checks; otherwise the last network failure (offline, refused, HTTP
 * errors, a connection cut midway, no data for the timeout) is a {@link RunFailedException} (exit code 1),
 * and running the command again may help. A folder that cannot be written is a {@link BadInputException}.
 */
final class Downloader {
    enum Outcome { DOWNLOADED, PRESENT }

    /** What {@link #fetch} did, and where the file came from (null when it was present). */
    record Fetched(Outcome outcome, URI url) {
    }

    /**
     * The server sent something other than the pinned file: a hash mismatch, or the wrong size. Another URL is
     * tried; when none gives the file, it is reported as bad input.
     */
    static final class WrongFile extends RunFailedException {
        WrongFile(String message) {
            super(message);
        }
    }

    /** No connection could be made to the host (refused, unresolvable, connect timeout). */
    static final class Unreachable extends RunFailedException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final HttpClient client;
    private final Duration timeout;
    private final Consumer<String> progress;
    /** scheme://host:port of servers that could not be connected to in this run. */
    private final Set<String> unreachable = new HashSet<>();

    /**
     * @param timeout  for connecting, for the response headers, and the longest pause in the body
     * @param progress receives one-line progress reports
     */
    Downloader(Duration timeout, Consumer<String> progress) {
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL) // github.com/.../raw/... redirects to raw.githubusercontent.com
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * Makes {@code target} the pinned file, downloading it from the first of {@code urls} that gives it,
     * unless it is already there.
     */
    Fetched fetch(List<URI> urls, PinnedFile pin, Path target) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("no URL for " + pin.name());
        }
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            if (matches(target, pin)) {
                return new Fetched(Outcome.PRESENT, null);
            }
            progress.accept(target + " does not match its pinned SHA-256; downloading it again");
        } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(target + ": exists but is not a regular file; move it away first");
        }
        RunFailedException wrongFile = null;
        RunFailedException last = null;
        for (int i = 0; i < urls.size(); i++) {
            URI url = urls.get(i);
            boolean more = i < urls.size() - 1;
            if (more && unreachable.contains(origin(url))) {
                continue;
            }
            progress.accept("downloading " + url + " (" + (pin.sizePinned() ? Bytes.format(pin.size())
                    : "size not pinned, at most " + Bytes.format(pin.maxSize())) + ")");
            try {
                AtomicFile.write(target, sink -> {
                    // network failures inside are RunFailedExceptions; an IOException here is the disk's
                    download(url, pin, sink.asOutputStream());
                });
                progress.accept(pin.name() + ": " + Bytes.format(size(target)) + ", SHA-256 verified");
                return new Fetched(Outcome.DOWNLOADED, url);
            } catch (RunFailedException e) {
                if (e instanceof Unreachable) {
                    unreachable.add(origin(url));
                }
                if (e instanceof WrongFile && wrongFile == null) {
                    wrongFile = e;
                }
                last = e;
                if (more) {
                    progress.accept(e.getMessage() + "; trying the next source");
                }
            }
        }
        if (wrongFile != null) {
            throw new BadInputException(wrongFile.getMessage(), wrongFile);
        }
        throw last;
    }

    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getAuthority();
    }

    /** True when the file has the pinned size (or is within the maximum) and the pinned SHA-256. */
    static boolean matches(Path file, PinnedFile pin) {
        try {
            long size = Files.size(file);
            boolean sizeOk = pin.sizePinned() ? size == pin.size() : size <= pin.maxSize();
            return sizeOk && sha256(file).equals(pin.sha256());
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = newSha256();
        byte[] buf = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private void download(URI url, PinnedFile pin, OutputStream out) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("User-Agent", "siamese4j")
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            String message = "cannot download " + url + ": " + networkReason(url, e);
            throw unreachable(e) ? new Unreachable(message, e) : new RunFailedException(message, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunFailedException("download of " + url + " was interrupted", e);
        }
        InputStream in = response.body();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "siamese-download-watchdog");
            t.setDaemon(true);
            return t;
        });
        try {
            if (response.statusCode() != 200) {
                throw new RunFailedException("cannot download " + url + ": the server answered HTTP " + response.statusCode());
            }
            OptionalLong announced = response.headers().firstValueAsLong("Content-Length");
            if (announced.isPresent() && pin.sizePinned() && announced.getAsLong() != pin.size()) {
                throw new WrongFile("cannot download " + url + ": the server announces " + announced.getAsLong()
                        + " bytes but the pinned " + pin.name() + " has " + pin.size() + "; nothing was kept");
            }
            if (announced.isPresent() && announced.getAsLong() > pin.maxSize()) {
                throw new WrongFile("cannot download " + url + ": the server announces " + announced.getAsLong()
                        + " bytes, more than the " + pin.maxSize() + " allowed for " + pin.name() + "; nothing was kept");
            }
            // what the transfer should come to: the pinned size, else what the server announces (-1: unknown)
            long expected = pin.sizePinned() ? pin.size() : announced.orElse(-1);
            // HttpClient has no read timeout for a body that stalls: close the stream when nothing arrives
            AtomicLong lastData = new AtomicLong(System.nanoTime());
            AtomicBoolean stalled = new AtomicBoolean();
            long period = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
            watchdog.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastData.get() > timeout.toNanos() && stalled.compareAndSet(false, true)) {
                    closeQuietly(in);
                }
            }, period, period, TimeUnit.MILLISECONDS);

            MessageDigest md = newSha256();
            byte[] buf = new byte[BUFFER_BYTES];
            long total = 0;
            int reportedQuarter = 0;
            long lastReport = System.nanoTime();
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw interrupted(url, expected, total, stalled.get(), e);
                }
                if (n < 0) {
                    break;
                }
                lastData.set(System.nanoTime());
                total += n;
                if (total > pin.maxSize()) {
                    throw new WrongFile("cannot download " + url + ": the server sends more than the "
                            + (pin.sizePinned() ? "pinned " + pin.size() + " bytes of " : pin.maxSize() + " bytes allowed for ")
                            + pin.name() + "; nothing was kept");
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                int quarter = expected > 0 ? (int) (4 * Math.min(total, expected) / expected) : 0;
                if (quarter > reportedQuarter && quarter < 4 || System.nanoTime() - lastReport > PROGRESS_INTERVAL_NANOS) {
                    reportedQuarter = Math.max(reportedQuarter, quarter);
                    lastReport = System.nanoTime();
                    progress.accept(expected > 0
                            ? String.format(Locale.ROOT, "%s: %d%% (%s of %s)", pin.name(), 100 * Math.min(total, expected) / expected,
                                    Bytes.format(total), Bytes.format(expected))
                            : String.format(Locale.ROOT, "%s: %s so far", pin.name(), Bytes.format(total)));
                }
            }
            if (stalled.get() || expected >= 0 && total != expected) {
                throw interrupted(url, expected, total, stalled.get(), null);
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(pin.sha256())) {
                throw new WrongFile(pin.name() + ": SHA-256 mismatch, expected " + pin.sha256() + " but the download from "
                        + url + " has " + got + " (corrupted in transit, or a different file); nothing was kept");
            }
        } finally {
            watchdog.shutdownNow();
            closeQuietly(in);
        }
    }

    private RunFailedException interrupted(URI url, long expected, long received, boolean stalled, IOException cause) {
        String why = stalled ? "no data for " + timeout.toSeconds() + " s"
                : "the connection ended" + (cause == null ? "" : " (" + reason(cause) + ")");
        return new RunFailedException("cannot download " + url + ": " + why + " after " + received
                + (expected >= 0 ? " of " + expected : "") + " bytes; nothing was kept, run the command again to retry", cause);
    }

    /** Whether a failure to get a response means no connection could be made at all. */
    private static boolean unreachable(IOException e) {
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException || t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** A person's explanation of a failure to get a response. */
    private String networkReason(URI url, IOException e) {
        String host = url.getHost();
        if (e instanceof HttpConnectTimeoutException) {
            return "cannot connect to " + host + " within " + timeout.toSeconds() + " s (offline, or a firewall?)";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer from " + host + " within " + timeout.toSeconds() + " s";
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "cannot resolve " + host + " (offline?)";
            }
            if (t instanceof SSLException) {
                return "secure connection to " + host + " failed (" + reason(t) + ")";
            }
        }
        if (e instanceof ConnectException) {
            return "cannot connect to " + host + (url.getPort() > 0 ? ":" + url.getPort() : "") + " (offline, or the server refuses connections)";
        }
        return reason(e);
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
        return text.replaceAll("\\s+", " ");
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // closing only releases the connection; the outcome is already decided
        }
    }
}
