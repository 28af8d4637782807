package org.siamese4j.cli.commands;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.siamese4j.engine.BadInputException;

/**
 * Reads gzip-compressed tar archives ({@code .tgz}, {@code .tar.gz}) that may be hostile, with the JDK only:
 * {@link GZIPInputStream} and a small reader of ustar, GNU and pax headers.
 *
 * <p>Only regular files and folders are accepted. Symbolic and hard links, devices, FIFOs, sparse and
 * multi-volume entries refuse the whole archive, as do names that are absolute, hold {@code ..}, a
 * backslash or a drive letter, a file that appears twice, and a name that is both a file and a folder.
 * {@code ./} segments are dropped; dot-files and {@code __MACOSX} are skipped (after their names are
 * checked), as {@code SafeZip} skips them. Long names come from GNU {@code L} entries or pax {@code path}
 * records, a pax {@code size} record overrides the header's.
 *
 * <p>Budgets ({@link Limits}) bound the entries, each file's size and the total, checked on each header
 * before its data is read, and the decompressed stream against the compressed size, so a bomb stops
 * early. A header with a bad checksum, a stream that ends before the end-of-archive block, or a broken
 * gzip stream is a corrupt archive. Every problem is a one-line {@link BadInputException} naming the
 * archive.
 *
 * <p>{@link #extract} writes into a folder it creates and removes that folder again on any failure.
 * Callers that want an all-or-nothing result under a real name extract into a staging folder and rename
 * it (as {@link ArchiveExtraction} does).
 */
final class SafeTarGz {
    /** Default: at most this many entries (headers of any kind). */
    static final int MAX_ENTRIES = 200_000;
    /** Default: at most this many bytes per file (64 MiB). */
    static final long MAX_ENTRY_BYTES = 64L * 1024 * 1024;
    /** Default: at most this many bytes of file data in all (4 GiB). */
    static final long MAX_TOTAL_BYTES = 4L * 1024 * 1024 * 1024;
    /** Default: the tar stream may not be more than this many times the size of the compressed file... */
    static final double MAX_RATIO = 100.0;
    /** ...once it is past this many bytes (a small archive of text legitimately compresses well). */
    static final long RATIO_GRACE_BYTES = 1024L * 1024;

    private static final int BLOCK = 512;
    /** The longest GNU long-name or pax header data read. */
    private static final int MAX_META_BYTES = 64 * 1024;

    /**
     * Budgets for one archive.
     *
     * @param maxEntries      the most headers (files, folders, long names, pax records) the archive may hold
     * @param maxEntryBytes   the most bytes one file may hold
     * @param maxTotalBytes   the most bytes all files may hold together (skipped ones included)
     * @param maxRatio        the largest ratio of the tar stream to the compressed file...
     * @param ratioGraceBytes ...checked once the tar stream is past this many bytes
     */
    record Limits(int maxEntries, long maxEntryBytes, long maxTotalBytes, double maxRatio, long ratioGraceBytes) {
        static final Limits DEFAULT = new Limits(MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, MAX_RATIO, RATIO_GRACE_BYTES);

        Limits {
            if (maxEntries <= 0 || maxEntryBytes <= 0 || maxTotalBytes <= 0 || !(maxRatio >= 1) || ratioGraceBytes < 0) {
                throw new IllegalArgumentException("tar limits must be positive (ratio >= 1): " + maxEntries + ", "
                        + maxEntryBytes + ", " + maxTotalBytes + ", " + maxRatio + ", " + ratioGraceBytes);
            }
        }
    }

    /** What {@link #list} finds: the kept files and folders, normalised, in archive order. */
    record Listing(List<String> files, List<String> folders) {
        /** The first segments of every kept name, sorted. */
        List<String> topLevel() {
            Set<String> top = new TreeSet<>();
            for (List<String> names : List.of(files, folders)) {
                for (String n : names) {
                    int slash = n.indexOf('/');
                    top.add(slash < 0 ? n : n.substring(0, slash));
                }
            }
            return List.copyOf(top);
        }
    }

    private SafeTarGz() {
    }

    /** Reads the whole archive through every check, writing nothing. */
    static Listing list(Path archive, Limits limits) {
        List<String> files = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        read(archive, limits, new Visitor() {
            @Override
            public void folder(String name) {
                folders.add(name);
            }

            @Override
            public void file(String name, InputStream data) throws IOException {
                files.add(name);
                data.transferTo(OutputStream.nullOutputStream());
            }
        });
        return new Listing(List.copyOf(files), List.copyOf(folders));
    }

    /**
     * Extracts the kept files and folders into {@code targetDir}, which must not exist yet; it is created,
     * and deleted again with everything in it when anything fails.
     */
    static void extract(Path archive, Path targetDir, Limits limits) {
        if (Files.exists(targetDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadInputException(targetDir + ": exists already; extraction needs a new folder");
        }
        Path root;
        try {
            Files.createDirectories(targetDir.toAbsolutePath().getParent());
            Files.createDirectory(targetDir);
            root = targetDir.toRealPath();
        } catch (IOException e) {
            throw new BadInputException(targetDir + ": cannot create the folder (" + oneLine(e) + ")", e);
        }
        try {
            read(archive, limits, new Visitor() {
                @Override
                public void folder(String name) throws IOException {
                    Files.createDirectories(inside(root, name, archive));
                }

                @Override
                public void file(String name, InputStream data) throws IOException {
                    Path target = inside(root, name, archive);
                    Files.createDirectories(target.getParent());
                    // CREATE_NEW neither overwrites nor follows a link at the target
                    try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        data.transferTo(out);
                    }
                }
            });
        } catch (RuntimeException e) {
            ArchiveExtraction.deleteTree(targetDir);
            throw e;
        }
    }

    /** The path of an entry below the real root, checked again against links, which nothing here creates. */
    private static Path inside(Path root, String name, Path archive) throws IOException {
        Path target;
        try {
            target = root.resolve(name).normalize();
        } catch (InvalidPathException e) {
            throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(name) + "' is not a valid file name here");
        }
        Path parent = target.getParent();
        if (!target.startsWith(root) || target.equals(root) || parent == null) {
            throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(name) + "' escapes the target folder");
        }
        if (Files.exists(parent) && !parent.toRealPath().startsWith(root)) {
            throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(name) + "' would be written outside "
                    + root + " through a symbolic link");
        }
        return target;
    }

    // ---------------------------------------------------------------- reading

    /** Receives the kept entries in archive order; a file's stream holds exactly its bytes. */
    private interface Visitor {
        void folder(String name) throws IOException;

        void file(String name, InputStream data) throws IOException;
    }

    private static void read(Path archive, Limits limits, Visitor visitor) {
        if (!Files.isRegularFile(archive)) {
            throw new BadInputException(archive + ": no such file (expected a .tgz archive)");
        }
        try (InputStream raw = Files.newInputStream(archive)) {
            long compressed = Math.max(1, Files.size(archive));
            GZIPInputStream gz;
            try {
                gz = new GZIPInputStream(new BufferedInputStream(raw, 64 * 1024), 64 * 1024);
            } catch (ZipException | EOFException e) {
                throw new BadInputException(archive + ": not a gzip-compressed tar archive (" + oneLine(e) + ")", e);
            }
            new Reader(archive, limits, new Budgeted(gz, archive, limits, compressed), visitor).run();
        } catch (BadInputException e) {
            throw e;
        } catch (EOFException e) {
            throw new BadInputException(archive + ": the archive is truncated (" + oneLine(e) + ")", e);
        } catch (ZipException e) {
            throw new BadInputException(archive + ": corrupt gzip data (" + oneLine(e) + ")", e);
        } catch (IOException e) {
            throw new BadInputException(archive + ": cannot read or extract (" + oneLine(e) + ")", e);
        }
    }

    /** Walks the headers; one instance per pass. */
    private static final class Reader {
        private final Path archive;
        private final Limits limits;
        private final Budgeted in;
        private final Visitor visitor;
        private final Set<String> files = new HashSet<>();
        private final Set<String> folders = new HashSet<>();
        private int entries;
        private long totalBytes;

        Reader(Path archive, Limits limits, Budgeted in, Visitor visitor) {
            this.archive = archive;
            this.limits = limits;
            this.in = in;
            this.visitor = visitor;
        }

        void run() throws IOException {
            byte[] header = new byte[BLOCK];
            String longName = null;
            String paxPath = null;
            long paxSize = -1;
            while (true) {
                if (!readBlock(header)) {
                    throw corrupt("ends without the end-of-archive block (truncated?)");
                }
                if (allZero(header)) {
                    if (longName != null || paxPath != null || paxSize >= 0) {
                        throw corrupt("ends after a long-name or pax header without its entry");
                    }
                    // the end-of-archive block; reading on to the end checks the gzip CRC (the budget bounds it)
                    in.transferTo(OutputStream.nullOutputStream());
                    return;
                }
                if (++entries > limits.maxEntries()) {
                    throw new BadInputException(archive + ": too many tar entries (limit " + limits.maxEntries() + ")");
                }
                checkChecksum(header);
                char type = (char) (header[156] & 0xff);
                long size = number(header, 124, 12, "size");
                switch (type) {
                    case 'L' -> {
                        longName = cString(readMeta(size, "GNU long name"));
                        continue;
                    }
                    case 'x' -> {
                        for (String[] kv : pax(readMeta(size, "pax header"))) {
                            if (kv[0].equals("path")) {
                                paxPath = kv[1];
                            } else if (kv[0].equals("size")) {
                                paxSize = paxNumber(kv[1]);
                            }
                        }
                        continue;
                    }
                    case 'g' -> {
                        readMeta(size, "pax global header"); // no global record changes what is kept
                        continue;
                    }
                    default -> {
                        // an entry proper, below
                    }
                }
                String rawName = paxPath != null ? paxPath : longName != null ? longName : headerName(header);
                if (paxSize >= 0) {
                    size = paxSize;
                }
                longName = null;
                paxPath = null;
                paxSize = -1;
                String name = normalize(rawName);
                switch (type) {
                    case '0', '\0', '7' -> {
                        if (type == '\0' && rawName.endsWith("/") && size == 0) {
                            folder(name, rawName); // a pre-POSIX folder
                        } else {
                            regularFile(name, rawName, size);
                        }
                    }
                    case '5' -> {
                        if (size != 0) {
                            throw corrupt("folder '" + BadInputException.printable(rawName) + "' has " + size + " bytes of data");
                        }
                        folder(name, rawName);
                    }
                    case '1', '2', 'K' -> throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(rawName)
                            + "' is a " + (type == '1' ? "hard link" : type == '2' ? "symbolic link" : "link's long target")
                            + "; only files and folders are extracted");
                    case '3', '4', '6' -> throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(rawName)
                            + "' is a device or FIFO; only files and folders are extracted");
                    default -> throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(rawName)
                            + "' has unsupported type '" + BadInputException.printable(String.valueOf(type)) + "'");
                }
            }
        }

        private void regularFile(String name, String rawName, long size) throws IOException {
            if (size > limits.maxEntryBytes()) {
                throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(rawName) + "' is too large (" + size
                        + " bytes; limit " + limits.maxEntryBytes() + ")");
            }
            totalBytes += size;
            if (totalBytes > limits.maxTotalBytes()) {
                throw new BadInputException(archive + ": the files in the archive hold more than " + limits.maxTotalBytes()
                        + " bytes in total (tar bomb?)");
            }
            if (name.isEmpty() || skipped(name)) {
                skipData(size);
                return;
            }
            if (files.contains(name) || folders.contains(name)) {
                throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(name) + "' appears twice, or as a folder too");
            }
            checkParents(name);
            files.add(name);
            EntryStream data = new EntryStream(in, size);
            visitor.file(name, data);
            if (data.remaining > 0) {
                skipData(data.remaining);
            }
            skipPadding(size);
        }

        private void folder(String name, String rawName) throws IOException {
            if (name.isEmpty() || skipped(name)) {
                return;
            }
            if (files.contains(name)) {
                throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(rawName) + "' is both a file and a folder");
            }
            checkParents(name);
            if (folders.add(name)) {
                visitor.folder(name);
            }
        }

        /** No parent of a name may be a file; parents become folders. */
        private void checkParents(String name) {
            for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                String parent = name.substring(0, slash);
                if (files.contains(parent)) {
                    throw new BadInputException(archive + ": tar entry '" + BadInputException.printable(parent) + "' is both a file and a folder");
                }
                folders.add(parent);
            }
        }

        /** A GNU long name or pax header's data, bounded. */
        private byte[] readMeta(long size, String what) throws IOException {
            if (size > MAX_META_BYTES) {
                throw corrupt(what + " of " + size + " bytes (limit " + MAX_META_BYTES + ")");
            }
            byte[] data = new byte[(int) size];
            in.readExactly(data, 0, data.length);
            skipPadding(size);
            return data;
        }

        private void skipData(long size) throws IOException {
            byte[] buf = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                in.readExactly(buf, 0, n);
                left -= n;
            }
            skipPadding(size);
        }

        private void skipPadding(long size) throws IOException {
            int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
            if (pad > 0) {
                in.readExactly(new byte[pad], 0, pad);
            }
        }

        /** True when a whole block was read, false at a clean end of stream; a partial block is truncation. */
        private boolean readBlock(byte[] block) throws IOException {
            int n = in.readNBytes(block, 0, BLOCK);
            if (n == 0) {
                return false;
            }
            if (n < BLOCK) {
                throw corrupt("ends in the middle of a header (truncated?)");
            }
            return true;
        }

        private void checkChecksum(byte[] header) {
            long stored = number(header, 148, 8, "checksum");
            long unsigned = 0;
            long signed = 0;
            for (int i = 0; i < BLOCK; i++) {
                int b = i >= 148 && i < 156 ? ' ' : header[i];
                unsigned += b & 0xff;
                signed += (byte) b;
            }
            if (stored != unsigned && stored != signed) {
                throw corrupt("a header checksum does not match (not a tar archive, or corrupted)");
            }
        }

        /** An octal (or GNU base-256) number field. */
        private long number(byte[] h, int offset, int length, String field) {
            if ((h[offset] & 0x80) != 0) {
                if (h[offset] != (byte) 0x80) {
                    throw corrupt("a negative or oversized " + field + " field");
                }
                long v = 0;
                for (int i = offset + 1; i < offset + length; i++) {
                    if (v > (Long.MAX_VALUE >> 8)) {
                        throw corrupt("an oversized " + field + " field");
                    }
                    v = (v << 8) | (h[i] & 0xff);
                }
                return v;
            }
            int i = offset;
            int end = offset + length;
            while (i < end && (h[i] == ' ' || h[i] == 0)) {
                i++;
            }
            long v = 0;
            int digits = 0;
            for (; i < end && h[i] >= '0' && h[i] <= '7'; i++, digits++) {
                if (v > (Long.MAX_VALUE >> 3)) {
                    throw corrupt("an oversized " + field + " field");
                }
                v = (v << 3) | (h[i] - '0');
            }
            for (; i < end; i++) {
                if (h[i] != ' ' && h[i] != 0) {
                    throw corrupt("a malformed " + field + " field (not a tar archive, or corrupted)");
                }
            }
            if (digits == 0 && !field.equals("size")) {
                throw corrupt("an empty " + field + " field (not a tar archive, or corrupted)");
            }
            return v;
        }

        /** name, or prefix/name in a POSIX ustar header (GNU headers use that space for other things). */
        private String headerName(byte[] h) {
            String name = cString(Arrays.copyOfRange(h, 0, 100));
            boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
            if (posix && h[345] != 0) {
                return cString(Arrays.copyOfRange(h, 345, 500)) + "/" + name;
            }
            return name;
        }

        /** Bytes up to the first NUL, as strict UTF-8. */
        private String cString(byte[] bytes) {
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end)).toString();
            } catch (CharacterCodingException e) {
                throw new BadInputException(archive + ": a tar entry name is not UTF-8");
            }
        }

        /** pax records: "LEN key=value\n", LEN counting the whole record. */
        private List<String[]> pax(byte[] data) {
            List<String[]> records = new ArrayList<>();
            int pos = 0;
            while (pos < data.length) {
                int space = pos;
                long len = 0;
                while (space < data.length && data[space] >= '0' && data[space] <= '9' && len < data.length) {
                    len = len * 10 + (data[space] - '0');
                    space++;
                }
                if (space == pos || space >= data.length || data[space] != ' ' || len <= space - pos + 1
                        || pos + len > data.length || data[(int) (pos + len - 1)] != '\n') {
                    throw corrupt("a malformed pax header");
                }
                String record = cString(Arrays.copyOfRange(data, space + 1, (int) (pos + len - 1)));
                int eq = record.indexOf('=');
                if (eq <= 0) {
                    throw corrupt("a malformed pax record");
                }
                records.add(new String[] {record.substring(0, eq), record.substring(eq + 1)});
                pos += (int) len;
            }
            return records;
        }

        private long paxNumber(String s) {
            if (!s.matches("[0-9]{1,18}")) {
                throw corrupt("a malformed pax size record");
            }
            return Long.parseLong(s);
        }

        /**
         * Forward slashes without empty or "." segments; absolute names, "..", backslashes and drive letters
         * refuse the archive.
         */
        private String normalize(String raw) {
            String why = null;
            if (raw.startsWith("/")) {
                why = "is an absolute path";
            } else if (raw.indexOf('\\') >= 0) {
                why = "contains a backslash";
            } else if (raw.length() >= 2 && raw.charAt(1) == ':' && Character.isLetter(raw.charAt(0))) {
                why = "has a drive letter";
            }
            StringBuilder out = new StringBuilder(raw.length());
            for (String segment : raw.split("/")) {
                if (why != null) {
                    break;
                }
                if (segment.isEmpty() || segment.equals(".")) {
                    continue;
                }
                if (segment.equals("..")) {
                    why = "contains '..'";
                    break;
                }
                if (out.length() > 0) {
                    out.append('/');
                }
                out.append(segment);
            }
            if (why != null) {
                throw new BadInputException(archive + ": unsafe tar entry name '" + BadInputException.printable(raw) + "' (" + why + ")");
            }
            return out.toString();
        }

        private BadInputException corrupt(String what) {
            return new BadInputException(archive + ": corrupt tar archive: " + what);
        }
    }

    /** macOS resource forks and dot-files (.DS_Store, ._x, .git/...) are not data. */
    private static boolean skipped(String name) {
        for (String segment : name.split("/")) {
            if (segment.startsWith(".") || segment.equals("__MACOSX")) {
                return true;
            }
        }
        return false;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The decompressed stream, counting what it produces against the ratio budget. */
    private static final class Budgeted extends InputStream {
        private final InputStream in;
        private final Path archive;
        private final long allowed;
        private final Limits limits;
        private final long compressed;
        private long produced;

        Budgeted(InputStream in, Path archive, Limits limits, long compressed) {
            this.in = in;
            this.archive = archive;
            this.limits = limits;
            this.compressed = compressed;
            double byRatio = limits.maxRatio() * compressed;
            this.allowed = byRatio >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(limits.ratioGraceBytes(), (long) byRatio);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                produced += n;
                if (produced > allowed) {
                    throw new BadInputException(archive + ": decompresses to more than " + Bytes.format(allowed)
                            + ", over " + limits.maxRatio() + " times its size of " + Bytes.format(compressed) + " (gzip bomb?)");
                }
            }
            return n;
        }

        void readExactly(byte[] b, int off, int len) throws IOException {
            int n = readNBytes(b, off, len);
            if (n < len) {
                throw new EOFException("the data of an entry ends early");
            }
        }
    }

    /** Exactly {@code size} bytes of an entry; the reader skips what the visitor leaves. */
    private static final class EntryStream extends InputStream {
        private final Budgeted in;
        long remaining;

        EntryStream(Budgeted in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("the data of an entry ends early");
            }
            remaining -= n;
            return n;
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof FileAlreadyExistsException) {
            m = "already exists: " + m;
        }
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
