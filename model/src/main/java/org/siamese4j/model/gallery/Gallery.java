package org.siamese4j.model.gallery;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.KeyValues;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.io.Container;
import org.siamese4j.model.io.ContainerReader;
import org.siamese4j.model.io.ContainerWriter;
import org.siamese4j.model.io.FileKind;
import org.siamese4j.model.io.SectionType;
import org.siamese4j.model.io.WriteLock;

/**
 * A face gallery: enrolled people, each with one or more cached embeddings (and the name of the file
 * each came from), tied to the one model that computed them. Identifying a face then costs one tower
 * pass for the query and one head evaluation per enrolled embedding, never a tower pass per person.
 *
 * <p>File format: a checksummed container (see {@link org.siamese4j.model.io.ContainerLayout}) of kind
 * {@link #KIND}, version 1, with the sections
 * <pre>
 *   header      UTF-8 key=value lines: model-sha256, embedding-size, people, embeddings
 *   names       UTF-8, one person's name per line, in enrolment order
 *   counts      int32 per person: how many embeddings they have (1..{@value #MAX_EMBEDDINGS_PER_PERSON})
 *   sources     UTF-8, one source file name per line, one per embedding, person by person
 *   embeddings  float32, embeddings x embedding-size values, person by person
 * </pre>
 * Files are written atomically under a {@link WriteLock}. Reading treats the bytes as hostile: every
 * count is checked against the header and the section sizes before anything is allocated, names must be
 * valid (non-empty, trimmed, bounded, without control characters) and unique, and embeddings finite;
 * every problem is a one-line {@link BadInputException} that starts with the file name. Sections this
 * version does not know are ignored.
 *
 * <p>Not thread-safe: confine an instance to one thread, or stop modifying it before sharing it.
 */
public final class Gallery {
    /** The gallery file kind: magic {@code S4JGALRY}, version 1. */
    public static final FileKind KIND = new FileKind("S4JGALRY", "face gallery", 1);
    /** The largest gallery file read (a million 256-d embeddings). */
    public static final long MAX_FILE_BYTES = 1L << 30;
    public static final int MAX_PEOPLE = 1_000_000;
    public static final int MAX_EMBEDDINGS_PER_PERSON = 1_000;
    public static final int MAX_EMBEDDING_SIZE = 1 << 16;
    /** Longest name, in UTF-16 chars. */
    public static final int MAX_NAME_CHARS = 200;
    /** Longest source file name, in UTF-16 chars. */
    public static final int MAX_SOURCE_CHARS = 1024;

    private static final int VERSION = 1;
    private static final int MAX_HEADER_BYTES = 4096;
    /** A UTF-16 char needs at most 3 UTF-8 bytes (a surrogate pair, two chars, needs 4). */
    private static final int UTF8_BYTES_PER_CHAR = 3;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String NEW_GALLERY = "new gallery";

    private final String modelSha256;
    private final int embeddingSize;
    private final Map<String, Person> people = new LinkedHashMap<>();
    /** Where the gallery was last read from or written to, for messages. */
    private String displayName;
    /** The flat scoring index for identify; null after any change, rebuilt on demand. */
    private Index index;

    private Gallery(String modelSha256, int embeddingSize, String displayName) {
        this.modelSha256 = modelSha256;
        this.embeddingSize = embeddingSize;
        this.displayName = displayName;
    }

    /**
     * An empty gallery for the model with this identity ({@link SiameseModel#sha256()}) and embedding size.
     *
     * @throws IllegalArgumentException the hash is not 64 lowercase hex digits or the size is out of range
     */
    public static Gallery create(String modelSha256, int embeddingSize) {
        Objects.requireNonNull(modelSha256, "modelSha256");
        if (!SHA256.matcher(modelSha256).matches()) {
            throw new IllegalArgumentException("model identity must be a SHA-256 as 64 lowercase hex digits, got '"
                    + oneLine(modelSha256) + "' (a model built in memory has none: save it to a file first)");
        }
        if (embeddingSize < 1 || embeddingSize > MAX_EMBEDDING_SIZE) {
            throw new IllegalArgumentException("embedding size must be 1.." + MAX_EMBEDDING_SIZE + ", got " + embeddingSize);
        }
        return new Gallery(modelSha256, embeddingSize, NEW_GALLERY);
    }

    // ------------------------------------------------------------------------------------------ people

    /** One enrolled person: their embeddings, each with the file it came from. Immutable. */
    public static final class Person {
        private final String name;
        private final float[][] embeddings;
        private final List<String> sources;

        private Person(String name, float[][] embeddings, List<String> sources) {
            this.name = name;
            this.embeddings = embeddings;
            this.sources = sources;
        }

        public String name() {
            return name;
        }

        /** How many embeddings the person has. */
        public int size() {
            return embeddings.length;
        }

        /** A copy of embedding {@code i}. */
        public float[] embedding(int i) {
            return embeddings[i].clone();
        }

        /** The source file name of each embedding, in order. */
        public List<String> sources() {
            return sources;
        }

        @Override
        public String toString() {
            return "Person[" + name + ", " + embeddings.length + " embeddings]";
        }
    }

    /**
     * A ranked answer of {@link #identify}: a person, p(same), the source of their best embedding, and the
     * head's logit of p(same) (which keeps its resolution where p(same) rounds to 1).
     */
    public record Match(String name, float probability, String source, float logit) {
    }

    /**
     * Adds a person, or replaces everything stored for them when the name is already enrolled (their place
     * in the enrolment order stays). The arrays are copied.
     *
     * @param embeddings one or more embeddings of {@link #embeddingSize()} finite values
     * @param sources the source file name of each embedding
     * @return true when an existing person was replaced
     * @throws BadInputException the name or a source name is not valid, or an embedding holds NaN or infinity
     * @throws IllegalArgumentException the lists are empty, of different lengths, or an embedding has the
     *     wrong size
     */
    public boolean put(String name, List<float[]> embeddings, List<String> sources) {
        checkName(name);
        if (embeddings.isEmpty() || embeddings.size() != sources.size()) {
            throw new IllegalArgumentException("need one source per embedding and at least one of each, got "
                    + embeddings.size() + " embeddings and " + sources.size() + " sources");
        }
        if (embeddings.size() > MAX_EMBEDDINGS_PER_PERSON) {
            throw new BadInputException(oneLine(name) + ": " + embeddings.size() + " embeddings, at most "
                    + MAX_EMBEDDINGS_PER_PERSON + " per person");
        }
        if (!people.containsKey(name) && people.size() >= MAX_PEOPLE) {
            throw new BadInputException(displayName + ": already holds the maximum of " + MAX_PEOPLE + " people");
        }
        float[][] copies = new float[embeddings.size()][];
        for (int i = 0; i < copies.length; i++) {
            float[] e = embeddings.get(i);
            if (e.length != embeddingSize) {
                throw new IllegalArgumentException("embedding " + i + " of " + name + " has " + e.length
                        + " values, the gallery holds " + embeddingSize);
            }
            String source = sources.get(i);
            String sourceProblem = sourceProblem(source);
            if (sourceProblem != null) {
                throw new BadInputException("invalid source name '" + oneLine(source) + "' for " + name + ": " + sourceProblem);
            }
            if (!allFinite(e, 0, e.length)) {
                throw new BadInputException("the embedding of " + source + " for " + name + " holds NaN or infinity");
            }
            copies[i] = e.clone();
        }
        index = null;
        return people.put(name, new Person(name, copies, List.copyOf(sources))) != null;
    }

    /**
     * Refuses a name {@link #put} would refuse: empty, longer than {@value #MAX_NAME_CHARS} characters,
     * with leading or trailing spaces, or with control characters (a line break would split the name).
     *
     * @throws BadInputException the name cannot be enrolled
     */
    public static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        String problem = nameProblem(name);
        if (problem != null) {
            throw new BadInputException("invalid person name '" + oneLine(name) + "': " + problem);
        }
    }

    /** Removes a person; returns whether they were enrolled. */
    public boolean remove(String name) {
        boolean removed = people.remove(name) != null;
        if (removed) {
            index = null;
        }
        return removed;
    }

    /** Enrolled names, in enrolment order. */
    public List<String> names() {
        return List.copyOf(people.keySet());
    }

    public Optional<Person> person(String name) {
        return Optional.ofNullable(people.get(name));
    }

    /** Number of people. */
    public int size() {
        return people.size();
    }

    public boolean isEmpty() {
        return people.isEmpty();
    }

    /** Number of embeddings over all people. */
    public int embeddingCount() {
        int n = 0;
        for (Person p : people.values()) {
            n += p.size();
        }
        return n;
    }

    /** SHA-256 of the model file the embeddings were computed with. */
    public String modelSha256() {
        return modelSha256;
    }

    public int embeddingSize() {
        return embeddingSize;
    }

    /** The file this gallery was read from or last written to ("new gallery" before either). */
    public String displayName() {
        return displayName;
    }

    // ---------------------------------------------------------------------------------------- matching

    /**
     * Refuses a model other than the one that computed the embeddings: embeddings of different models live
     * in different spaces, and comparing them would give confident nonsense.
     *
     * @throws BadInputException the model's file hash (or embedding size) differs from the gallery's
     */
    public void checkModel(SiameseModel model) {
        if (!model.sha256().equals(modelSha256)) {
            throw new BadInputException("gallery " + displayName + " was made with model " + shortSha(modelSha256)
                    + ", not " + shortSha(model.sha256()) + "; enrol again with the same model");
        }
        if (model.embeddingSize() != embeddingSize) {
            throw new BadInputException("gallery " + displayName + " holds embeddings of " + embeddingSize
                    + " values but model " + shortSha(model.sha256()) + " makes " + model.embeddingSize());
        }
    }

    /**
     * Refuses what {@link #identify} would refuse, before any image is embedded: another model, or an empty
     * gallery.
     *
     * @throws BadInputException the gallery was made with another model, or holds nobody
     */
    public void checkReady(SiameseModel model) {
        checkModel(model);
        if (people.isEmpty()) {
            throw new BadInputException("gallery " + displayName + " is empty; enrol at least one person first");
        }
    }

    /**
     * The enrolled people most likely to be the face with embedding {@code query}, best first (ties in
     * enrolment order), at most {@code topK}. A person's p(same) is the best over their embeddings, scored
     * with {@link SiameseModel#score} on the cached embeddings: one head evaluation each, no tower pass.
     * Deciding whether the best is a match at all is the caller's ({@link SiameseModel#same}).
     *
     * @throws BadInputException the gallery is empty, or was made with another model
     * @throws IllegalArgumentException topK &lt; 1 or the query has the wrong size
     */
    public List<Match> identify(SiameseModel model, float[] query, int topK) {
        checkReady(model);
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        if (query.length != embeddingSize) {
            throw new IllegalArgumentException("query has " + query.length + " values, the gallery holds " + embeddingSize);
        }
        if (!allFinite(query, 0, query.length)) {
            throw new IllegalArgumentException("query embedding holds NaN or infinity");
        }
        Index ix = index();
        int n = ix.people.length;
        float[] best = new float[n];
        int[] bestEmbedding = ix.first.clone();
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        int d = embeddingSize;
        float[] flat = ix.embeddings;
        int[] owner = ix.owner;
        for (int e = 0; e < owner.length; e++) {
            float logit = model.logit(query, 0, flat, e * d);
            int who = owner[e];
            if (logit > best[who]) {
                best[who] = logit;
                bestEmbedding[who] = e;
            }
        }
        // Sort (logit, person) as one long per person: the logit's bits, made to order as signed ints order,
        // above the complemented index, which puts earlier enrolment first among equal logits.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(best[i]);
            bits ^= (bits >> 31) & 0x7FFFFFFF;
            keys[i] = ((long) bits << 32) | (Integer.MAX_VALUE - i);
        }
        Arrays.sort(keys);
        int k = Math.min(topK, n);
        List<Match> matches = new ArrayList<>(k);
        for (int r = 0; r < k; r++) {
            int i = Integer.MAX_VALUE - (int) keys[n - 1 - r];
            int e = bestEmbedding[i];
            float p = (float) SiameseNet.sigmoid(best[i]);
            matches.add(new Match(ix.people[i].name, p, ix.sources[e], best[i]));
        }
        return matches;
    }

    /** All embeddings in one array (person by person) with each one's owner: what identify scans. */
    private record Index(Person[] people, int[] first, float[] embeddings, int[] owner, String[] sources) {
    }

    private Index index() {
        if (index == null) {
            Person[] order = people.values().toArray(new Person[0]);
            int total = embeddingCount();
            float[] flat = new float[Math.multiplyExact(total, embeddingSize)];
            int[] owner = new int[total];
            String[] sources = new String[total];
            int[] first = new int[order.length];
            int e = 0;
            for (int i = 0; i < order.length; i++) {
                first[i] = e;
                for (int j = 0; j < order[i].size(); j++, e++) {
                    System.arraycopy(order[i].embeddings[j], 0, flat, e * embeddingSize, embeddingSize);
                    owner[e] = i;
                    sources[e] = order[i].sources.get(j);
                }
            }
            index = new Index(order, first, flat, owner, sources);
        }
        return index;
    }

    // ------------------------------------------------------------------------------------------ writing

    /**
     * Writes the gallery atomically, holding the file's {@link WriteLock} meanwhile; returns the file's
     * SHA-256.
     *
     * @throws BadInputException another process is writing the file, or it cannot be written
     */
    public String save(Path path) {
        try (WriteLock lock = WriteLock.acquire(path)) {
            return save(path, lock);
        }
    }

    /**
     * Writes the gallery atomically under a lock the caller already holds: for a read-modify-write that
     * must not lose a concurrent writer's update (lock, load, change, save, unlock).
     *
     * @throws IllegalArgumentException {@code lock} is not the lock of {@code path}
     */
    public String save(Path path, WriteLock lock) {
        if (!lock.target().toAbsolutePath().normalize().equals(path.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("lock of " + lock.target() + " does not cover " + path);
        }
        String sha = writer().write(path, KIND.magic(), VERSION);
        displayName = oneLine(path.toString());
        return sha;
    }

    /** The file's bytes, for tests and in-memory use. */
    byte[] toBytes() {
        return writer().toBytes(KIND.magic(), VERSION);
    }

    private ContainerWriter writer() {
        int total = embeddingCount();
        StringBuilder names = new StringBuilder();
        StringBuilder sources = new StringBuilder();
        int[] counts = new int[people.size()];
        float[] embeddings = new float[Math.multiplyExact(total, embeddingSize)];
        int i = 0;
        int e = 0;
        for (Person p : people.values()) {
            names.append(p.name).append('\n');
            counts[i++] = p.size();
            for (int j = 0; j < p.size(); j++, e++) {
                sources.append(p.sources.get(j)).append('\n');
                System.arraycopy(p.embeddings[j], 0, embeddings, e * embeddingSize, embeddingSize);
            }
        }
        Map<String, String> header = new LinkedHashMap<>();
        header.put("model-sha256", modelSha256);
        header.put("embedding-size", Integer.toString(embeddingSize));
        header.put("people", Integer.toString(people.size()));
        header.put("embeddings", Integer.toString(total));
        return new ContainerWriter()
                .putText("header", KeyValues.format(header))
                .putText("names", names.toString())
                .putInts("counts", counts)
                .putText("sources", sources.toString())
                .putFloats("embeddings", embeddings);
    }

    // ------------------------------------------------------------------------------------------ reading

    /**
     * Reads and validates a gallery file.
     *
     * @throws BadInputException the file is missing, unreadable, damaged or not a valid gallery (one line
     *     that starts with the file name)
     */
    public static Gallery load(Path path) {
        Objects.requireNonNull(path, "path");
        try (Container c = ContainerReader.read(path, KIND, MAX_FILE_BYTES)) {
            return read(c);
        }
    }

    /** Reads a gallery held in memory; {@code displayName} stands for the file name in messages. */
    public static Gallery load(byte[] data, String displayName) {
        try (Container c = ContainerReader.read(data, displayName, KIND, MAX_FILE_BYTES)) {
            return read(c);
        }
    }

    private static Gallery read(Container c) {
        String file = c.displayName();
        Map<String, String> header;
        try {
            header = KeyValues.parse(text(c, "header", MAX_HEADER_BYTES));
        } catch (IllegalArgumentException e) {
            throw bad(file, "invalid header (" + e.getMessage() + ")");
        }
        String sha = require(file, header, "model-sha256");
        if (!SHA256.matcher(sha).matches()) {
            throw bad(file, "header model-sha256 is not 64 lowercase hex digits");
        }
        int size = integer(file, header, "embedding-size", 1, MAX_EMBEDDING_SIZE);
        int peopleCount = integer(file, header, "people", 0, MAX_PEOPLE);
        int total = integer(file, header, "embeddings", 0, Integer.MAX_VALUE);
        if ((long) total > (long) peopleCount * MAX_EMBEDDINGS_PER_PERSON || (total == 0) != (peopleCount == 0)) {
            throw bad(file, "header says " + total + " embeddings for " + peopleCount + " people");
        }
        long values = (long) total * size;
        if (values > Integer.MAX_VALUE - 8) {
            throw bad(file, "header says " + total + " embeddings of " + size + " values, too many to hold");
        }

        // Sizes first, all checked against the header before any payload is read.
        int[] counts = c.ints("counts", peopleCount);
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] < 1 || counts[i] > MAX_EMBEDDINGS_PER_PERSON) {
                throw bad(file, "person " + (i + 1) + " has " + counts[i] + " embeddings (1.."
                        + MAX_EMBEDDINGS_PER_PERSON + " allowed)");
            }
            sum += counts[i];
        }
        if (sum != total) {
            throw bad(file, "people have " + sum + " embeddings in all, the header says " + total);
        }
        List<String> names = lines(c, "names", peopleCount, MAX_NAME_CHARS);
        List<String> sources = lines(c, "sources", total, MAX_SOURCE_CHARS);
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            String problem = nameProblem(name);
            if (problem != null) {
                throw bad(file, "invalid person name '" + oneLine(name) + "' (" + problem + ")");
            }
            if (!seen.add(name)) {
                throw bad(file, "the name '" + name + "' appears twice");
            }
        }
        for (String source : sources) {
            String problem = sourceProblem(source);
            if (problem != null) {
                throw bad(file, "invalid source name '" + oneLine(source) + "' (" + problem + ")");
            }
        }
        float[] embeddings = c.floats("embeddings", (int) values);
        if (!allFinite(embeddings, 0, embeddings.length)) {
            throw bad(file, "embeddings hold NaN or infinity");
        }

        Gallery g = new Gallery(sha, size, file);
        int e = 0;
        for (int i = 0; i < peopleCount; i++) {
            float[][] own = new float[counts[i]][];
            for (int j = 0; j < own.length; j++, e++) {
                own[j] = Arrays.copyOfRange(embeddings, e * size, (e + 1) * size);
            }
            List<String> ownSources = sources.subList(e - own.length, e);
            g.people.put(names.get(i), new Person(names.get(i), own, List.copyOf(ownSources)));
        }
        return g;
    }

    /** A UTF-8 section, refused before reading when longer than {@code maxBytes}. */
    private static String text(Container c, String name, long maxBytes) {
        if (c.has(name) && c.type(name) == SectionType.UTF8 && c.count(name) > maxBytes) {
            throw bad(c.displayName(), "section '" + name + "' holds " + c.count(name) + " bytes, at most "
                    + maxBytes + " expected");
        }
        return c.text(name); // reports a missing section or a wrong type, naming the file
    }

    /** Exactly {@code expected} newline-terminated lines of at most {@code maxChars} chars each. */
    private static List<String> lines(Container c, String section, int expected, int maxChars) {
        String file = c.displayName();
        String text = text(c, section, (long) expected * (maxChars * UTF8_BYTES_PER_CHAR + 1L));
        if (expected == 0) {
            if (!text.isEmpty()) {
                throw bad(file, "section '" + section + "' should be empty");
            }
            return List.of();
        }
        if (!text.endsWith("\n")) {
            throw bad(file, "section '" + section + "' does not end with a newline");
        }
        List<String> lines = new ArrayList<>(expected);
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (lines.size() == expected) {
                throw bad(file, "section '" + section + "' has more than " + expected + " lines");
            }
            lines.add(text.substring(start, end));
            start = end + 1;
        }
        if (lines.size() != expected) {
            throw bad(file, "section '" + section + "' has " + lines.size() + " lines, expected " + expected);
        }
        return lines;
    }

    private static String require(String file, Map<String, String> header, String key) {
        String value = header.get(key);
        if (value == null) {
            throw bad(file, "header lacks '" + key + "'");
        }
        return value;
    }

    private static int integer(String file, Map<String, String> header, String key, int min, int max) {
        String value = require(file, header, key);
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw bad(file, "header " + key + " is not an integer: '" + oneLine(truncate(value)) + "'");
        }
        if (v < min || v > max) {
            throw bad(file, "header " + key + " = " + v + " is outside " + min + ".." + max);
        }
        return (int) v;
    }

    // --------------------------------------------------------------------------------------- validation

    /** Why a name cannot be used, or null when it can. Shared by {@link #put} and the reader. */
    static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "the name is empty";
        }
        if (name.length() > MAX_NAME_CHARS) {
            return "longer than " + MAX_NAME_CHARS + " characters";
        }
        if (!name.strip().equals(name)) {
            return "leading or trailing spaces";
        }
        return textProblem(name);
    }

    static String sourceProblem(String source) {
        if (source.isEmpty()) {
            return "empty";
        }
        if (source.length() > MAX_SOURCE_CHARS) {
            return "longer than " + MAX_SOURCE_CHARS + " characters";
        }
        return textProblem(source);
    }

    /** Control characters would break the one-per-line sections and one-line messages. */
    private static String textProblem(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isISOControl(cp) || cp == '\u2028' || cp == '\u2029') {
                return "contains a control character";
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                return "contains an unpaired surrogate";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static boolean allFinite(float[] values, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(values[i])) {
                return false;
            }
        }
        return true;
    }

    /** The first 8 hex digits of a model hash, as people compare them. */
    static String shortSha(String sha) {
        return sha.isEmpty() ? "(unsaved)" : sha.substring(0, Math.min(8, sha.length()));
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** Escapes control characters so user or file text cannot break a one-line message. */
    private static String oneLine(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static BadInputException bad(String file, String problem) {
        return new BadInputException(file + ": " + problem);
    }
}
