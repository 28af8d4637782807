package org.siamese4j.train.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Naming for runs that read several datasets at once (e.g. LFW and CelebA): each source gets a label, its
 * file or folder name without the archive extension, and its classes become {@code label/class}
 * ({@link LoadedDataset#combine}), so that two sources never merge two people who share a name. A run on
 * one source keeps the plain class names, as before.
 */
public final class DataSources {
    /** How several sources are written in one metadata value (paths may hold commas, never tabs). */
    public static final String SEPARATOR = "\t";

    private DataSources() {
    }

    /** A source's label: {@code lfw-train} for {@code .../lfw-train.zip}, a folder's own name. */
    public static String label(Path source) {
        Path name = source.toAbsolutePath().normalize().getFileName();
        String text = name == null ? "data" : name.toString();
        String lower = text.toLowerCase(Locale.ROOT);
        for (String extension : List.of(".zip", ".tar.gz", ".tgz")) {
            if (lower.endsWith(extension) && text.length() > extension.length()) {
                text = text.substring(0, text.length() - extension.length());
                break;
            }
        }
        text = text.replace('/', '_');
        return text.isEmpty() ? "data" : text;
    }

    /** One distinct label per source, in order: a repeated name gets {@code -2}, {@code -3}, ... */
    public static List<String> labels(List<Path> sources) {
        List<String> labels = new ArrayList<>(sources.size());
        Set<String> used = new HashSet<>();
        for (Path source : sources) {
            String base = label(source);
            String label = base;
            for (int k = 2; !used.add(label); k++) {
                label = base + "-" + k;
            }
            labels.add(label);
        }
        return labels;
    }

    /** The sources as one metadata value. */
    public static String format(List<Path> sources) {
        List<String> parts = new ArrayList<>(sources.size());
        for (Path p : sources) {
            parts.add(p.toAbsolutePath().toString());
        }
        return String.join(SEPARATOR, parts);
    }

    /** The sources of a metadata value written by {@link #format} (or an older single path). */
    public static List<Path> parse(String value) {
        List<Path> sources = new ArrayList<>();
        for (String part : value.split(SEPARATOR)) {
            if (!part.isEmpty()) {
                sources.add(Path.of(part));
            }
        }
        return sources;
    }

    /**
     * Class names as a multi-source dataset spells them: a name that is a class as given stays; otherwise
     * every {@code label/name} that is a class replaces it (a person of an LFW pairs file becomes
     * {@code lfw-train/Person}); a name found nowhere stays as given, for the caller's missing-class check.
     */
    public static List<String> qualify(Collection<String> names, List<String> labels, LoadedDataset combined) {
        Set<String> present = new HashSet<>();
        for (LoadedDataset.LoadedClass c : combined.classes()) {
            present.add(c.name());
        }
        return qualify(names, labels, present);
    }

    /** The same against any set of names a multi-source dataset spells {@code label/name} (its groups, say). */
    public static List<String> qualify(Collection<String> names, List<String> labels, Set<String> present) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : names) {
            if (present.contains(name)) {
                out.add(name);
                continue;
            }
            boolean found = false;
            for (String label : labels) {
                String qualified = label + "/" + name;
                if (present.contains(qualified)) {
                    out.add(qualified);
                    found = true;
                }
            }
            if (!found) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Class names of a multi-source run as a single source spells them: {@code label/name} becomes
     * {@code name} for the given label; names of other sources are dropped. A name without '/' was named
     * explicitly (a pairs file's person) but found in no source when the run read its data (every image left
     * out, say), so no source was given to it: it is kept as it is. With a null label (the data read is the
     * run's own combination) the names are returned as they are.
     */
    public static Set<String> forSource(Collection<String> names, String label) {
        if (label == null) {
            return new LinkedHashSet<>(names);
        }
        Set<String> out = new LinkedHashSet<>();
        String prefix = label + "/";
        for (String name : names) {
            if (name.startsWith(prefix)) {
                out.add(name.substring(prefix.length()));
            } else if (name.indexOf('/') < 0) {
                out.add(name);
            }
        }
        return out;
    }

    /** Class names that occur in more than one source, with how many sources have each (for a notice). */
    public static Map<String, Integer> sharedNames(List<LoadedDataset> parts) {
        Map<String, Integer> count = new TreeMap<>();
        for (LoadedDataset part : parts) {
            for (LoadedDataset.LoadedClass c : part.classes()) {
                count.merge(c.name(), 1, Integer::sum);
            }
        }
        count.values().removeIf(n -> n < 2);
        return count;
    }
}
