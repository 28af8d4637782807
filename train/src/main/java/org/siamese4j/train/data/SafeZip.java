package org.siamese4j.train.data;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.siamese4j.engine.BadInputException;

/**
 * Reads zip archives that may be hostile: dataset archives and downloads. Entries come from the central
 * directory (java.util.zip.ZipFile). On opening, every entry name is checked: names that would escape a
 * target folder ({@code ../x}, {@code /x}, {@code C:\x}, backslash variants) and duplicate names refuse
 * the whole archive; directories, {@code __MACOSX/} and dot-files are skipped. Budgets ({@link Limits})
 * are enforced while inflating, on the bytes actually produced rather than the sizes the headers claim,
 * so a zip bomb stops early. Every problem is a {@link BadInputException} naming the archive.
 *
 * <p>An open SafeZip is safe to read from several threads at once.
 */
public final class SafeZip implements Closeable {

    /** Default: at most this many entries. */
    public static final int MAX_ENTRIES = 200_000;
    /** Default: at most this many uncompressed bytes per entry (64 MiB). */
    public static final long MAX_ENTRY_BYTES = 64L * 1024 * 1024;
    /** Default: at most this many uncompressed bytes read through one SafeZip (4 GiB). */
    public static final long MAX_TOTAL_BYTES = 4L * 1024 * 1024 * 1024;
    /** Default: an entry may not inflate to more than this many times its compressed size... */
    public static final double MAX_RATIO = 100.0;
    /** ...once it has produced more than this many bytes (small files legitimately compress well). */
    public static final long RATIO_GRACE_BYTES = 1024L * 1024;

    /**
     * Budgets for one archive.
     *
     * @param maxEntries      the most entries the central directory may list
     * @param maxEntryBytes   the most bytes one entry may inflate to
     * @param maxTotalBytes   the most bytes all reads through one SafeZip may inflate to, together
     * @param maxRatio        the largest inflated/compressed size ratio of one entry...
     * @param ratioGraceBytes ...checked once the entry has inflated to more than this
     */
    public record Limits(int maxEntries, long maxEntryBytes, long maxTotalBytes, double maxRatio,
            long ratioGraceBytes) {
        public static final Limits DEFAULT =
                new Limits(MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, MAX_RATIO, RATIO_GRACE_BYTES);

        public Limits {
            if (maxEntries <= 0 || maxEntryBytes <= 0 || maxTotalBytes <= 0 || !(maxRatio >= 1)
                    || ratioGraceBytes < 0) {
                throw new IllegalArgumentException("zip limits must be positive (ratio >= 1): " + maxEntries + ", "
                        + maxEntryBytes + ", " + maxTotalBytes + ", " + maxRatio + ", " + ratioGraceBytes);
            }
        }
    }

    private final Path path;
    private final Limits limits;
    private final ZipFile zip;
    /** Kept file entries by normalised name. */
    private final Map<String, ZipEntry> entries;
    private final List<String> names;
    private final AtomicLong totalBytes = new AtomicLong();
    private volatile boolean closed;

    private SafeZip(Path path, Limits limits, ZipFile zip, Map<String, ZipEntry> entries) {
        this.path = path;
        this.limits = limits;
        this.zip = zip;
        this.entries = entries;
        List<String> sorted = new ArrayList<>(entries.keySet());
        Collections.sort(sorted);
        this.names = Collections.unmodifiableList(sorted);
    }

    /** Opens an archive with the {@link Limits#DEFAULT default limits}. */
    public static SafeZip open(Path zipFile) {
        return open(zipFile, Limits.DEFAULT);
    }

    /** Opens an archive and checks its central directory (entry count, names, duplicates). */
    public static SafeZip open(Path zipFile, Limits limits) {
        String label = zipFile.toString();
        if (!Files.exists(zipFile)) {
            throw new BadInputException(label + ": no such file");
        }
        if (!Files.isRegularFile(zipFile)) {
            throw new BadInputException(label + ": not a regular file (expected a zip archive)");
        }
        ZipFile zf;
        try {
            zf = new ZipFile(zipFile.toFile());
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(label + ": not a readable zip archive (" + oneLine(e) + ")", e);
        }
        try {
            return new SafeZip(zipFile, limits, zf, scan(zf, label, limits));
        } catch (RuntimeException e) {
            closeQuietly(zf);
            throw e;
        }
    }

    /** True if the file starts with a zip signature (local file header or empty-archive record). */
    public static boolean isZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K'
                    && ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The archive this reads. */
    public Path path() {
        return path;
    }

    /** Normalised names of the file entries (skipped entries excluded), sorted. */
    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** "archive!/entry", how an entry is named in messages. */
    public String displayName(String name) {
        return path + "!/" + name;
    }

    /** Inflates one entry, enforcing the budgets on the bytes actually produced. */
    public byte[] read(String name) {
        ZipEntry entry = entryOrFail(name);
        long declared = entry.getSize();
        int initial = declared > 0 && declared <= limits.maxEntryBytes() ? (int) Math.min(declared, 1 << 20) : 8192;
        ByteArrayOutputStream out = new ByteArrayOutputStream(initial);
        copy(name, entry, out);
        return out.toByteArray();
    }

    /** Extracts all file entries into {@code targetDir} with the default limits; see the other overload. */
    public static void extract(Path zipFile, Path targetDir) {
        extract(zipFile, targetDir, Limits.DEFAULT);
    }

    /**
     * Extracts all file entries into {@code targetDir} (created if missing). Each file is written under a
     * temporary dot-name beside its target and renamed when complete. Existing files are never
     * overwritten. On any failure everything this call created is removed again, so no partial result
     * is left behind.
     */
    public static void extract(Path zipFile, Path targetDir, Limits limits) {
        try (SafeZip z = open(zipFile, limits)) {
            z.extractTo(targetDir);
        }
    }

    private void extractTo(Path targetDir) {
        List<Path> created = new ArrayList<>();
        Path temp = null;
        try {
            createDirectories(targetDir.toAbsolutePath().normalize(), created);
            Path root = targetDir.toRealPath();
            for (String name : names) {
                Path target = root.resolve(name).normalize();
                Path parent = target.getParent();
                if (!target.startsWith(root) || parent == null) {
                    throw new BadInputException(path + ": entry '" + BadInputException.printable(name) + "' escapes the target folder");
                }
                createDirectories(parent, created);
                // a symbolic link already inside the target must not lead the write elsewhere
                if (!parent.toRealPath().startsWith(root)) {
                    throw new BadInputException(path + ": entry '" + BadInputException.printable(name)
                            + "' would be written outside " + root + " through a symbolic link");
                }
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BadInputException(path + ": cannot extract '" + BadInputException.printable(name) + "': " + target
                            + " already exists");
                }
                temp = Files.createTempFile(parent, ".siamese4j-", ".part");
                try (OutputStream out = Files.newOutputStream(temp)) {
                    copy(name, entryOrFail(name), out);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
                created.add(target);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            for (int i = created.size() - 1; i >= 0; i--) {
                deleteQuietly(created.get(i));
            }
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException(path + ": extracting to " + targetDir + " failed (" + oneLine(e) + ")", e);
        }
    }

    /** Creates missing folders from the top down, recording each one created. */
    private static void createDirectories(Path dir, List<Path> created) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createDirectories(parent, created);
        }
        try {
            Files.createDirectory(dir);
            created.add(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(zip);
    }

    // ---------------------------------------------------------------- inflating under budget

    private ZipEntry entryOrFail(String name) {
        if (closed) {
            throw new IllegalStateException("zip archive " + path + " is closed");
        }
        ZipEntry entry = entries.get(name);
        if (entry == null) {
            throw new BadInputException(path + ": no entry '" + BadInputException.printable(name) + "'");
        }
        if (entry.getSize() > limits.maxEntryBytes()) {
            throw new BadInputException(displayName(name) + ": entry too large (" + entry.getSize()
                    + " bytes; limit " + limits.maxEntryBytes() + ")");
        }
        return entry;
    }

    private void copy(String name, ZipEntry entry, OutputStream out) {
        long compressed = Math.max(1, entry.getCompressedSize());
        long produced = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = zip.getInputStream(entry)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                produced += n;
                if (produced > limits.maxEntryBytes()) {
                    throw new BadInputException(displayName(name) + ": entry inflates past "
                            + limits.maxEntryBytes() + " bytes (zip bomb?)");
                }
                if (produced > limits.ratioGraceBytes() && produced > limits.maxRatio() * compressed) {
                    throw new BadInputException(displayName(name) + ": entry inflates to more than "
                            + limits.maxRatio() + " times its compressed size of " + compressed + " bytes (zip bomb?)");
                }
                if (totalBytes.addAndGet(n) > limits.maxTotalBytes()) {
                    throw new BadInputException(path + ": archive inflates past " + limits.maxTotalBytes()
                            + " bytes in total (zip bomb?)");
                }
                out.write(buf, 0, n);
            }
        } catch (BadInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (closed) {
                throw new IllegalStateException("zip archive " + path + " was closed while reading", e);
            }
            throw new BadInputException(displayName(name) + ": corrupt zip entry (" + oneLine(e) + ")", e);
        }
    }

    // ---------------------------------------------------------------- central directory checks

    private static Map<String, ZipEntry> scan(ZipFile zf, String label, Limits limits) {
        if (zf.size() > limits.maxEntries()) {
            throw new BadInputException(label + ": too many zip entries (" + zf.size() + "; limit "
                    + limits.maxEntries() + ")");
        }
        Map<String, ZipEntry> kept = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Set<String> folders = new HashSet<>();
        int count = 0;
        try {
            Enumeration<? extends ZipEntry> en = zf.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (++count > limits.maxEntries()) {
                    throw new BadInputException(label + ": too many zip entries (limit " + limits.maxEntries() + ")");
                }
                String raw = e.getName();
                String name = normalize(raw, label);
                boolean directory = e.isDirectory() || raw.endsWith("\\");
                if (!seen.add((directory ? "d:" : "f:") + name)) {
                    throw new BadInputException(label + ": duplicate zip entry '" + BadInputException.printable(name) + "'");
                }
                if (directory || name.isEmpty() || skipped(name)) {
                    continue;
                }
                kept.put(name, e);
                for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                    folders.add(name.substring(0, slash));
                }
            }
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            // ZipFile reports malformed names and headers lazily, as unchecked exceptions
            throw new BadInputException(label + ": corrupt zip central directory (" + oneLine(e) + ")", e);
        }
        for (String folder : folders) {
            if (kept.containsKey(folder)) {
                throw new BadInputException(label + ": zip entry '" + BadInputException.printable(folder) + "' is both a file and a folder");
            }
        }
        return kept;
    }

    /**
     * Normalises an entry name to forward slashes without empty or "." segments, refusing names that
     * could escape a target folder.
     */
    static String normalize(String raw, String label) {
        if (raw.indexOf('\0') >= 0) {
            throw unsafe(label, raw, "contains a NUL character");
        }
        String s = raw.replace('\\', '/');
        if (s.startsWith("/")) {
            throw unsafe(label, raw, "is an absolute path");
        }
        if (s.length() >= 2 && s.charAt(1) == ':' && Character.isLetter(s.charAt(0))) {
            throw unsafe(label, raw, "has a drive letter");
        }
        StringBuilder out = new StringBuilder(s.length());
        for (String segment : s.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw unsafe(label, raw, "contains '..'");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.toString();
    }

    /** macOS resource forks and dot-files (.DS_Store, ._x, .git/...) are not data. */
    private static boolean skipped(String name) {
        if (name.equals("__MACOSX") || name.startsWith("__MACOSX/")) {
            return true;
        }
        for (String segment : name.split("/")) {
            if (segment.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static BadInputException unsafe(String label, String raw, String why) {
        return new BadInputException(label + ": unsafe zip entry name '" + BadInputException.printable(raw) + "' (" + why + ")");
    }

    /** A throwable's message as one short line; file-system errors say what went wrong, not just where. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            m = "no such file: " + m;
        } else if (e instanceof AccessDeniedException) {
            m = "permission denied: " + m;
        } else if (e instanceof FileSystemException fse && fse.getReason() == null) {
            m = e.getClass().getSimpleName() + ": " + m;
        }
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    private static void closeQuietly(ZipFile zf) {
        try {
            zf.close();
        } catch (IOException ignored) {
            // nothing to do: the archive was only read
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a non-empty folder someone else wrote into is left alone
        }
    }
}
