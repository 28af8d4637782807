package org.siamese4j.train;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.train.data.ClassSplit;
import org.siamese4j.train.data.DataSources;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

/**
 * Splits a dataset by class (never by image) into training, validation and test parts. The test part is
 * what results are reported on and is never used for tuning; validation drives early stopping and the
 * threshold. The split is recorded in the model's metadata so {@code eval} can find the same test classes.
 */
public final class DataSplits {
    public static final String TEST_KEY = "split.test";
    public static final String VALIDATION_KEY = "split.validation";
    /** The groups a run trained on when told (--groups); absent when it trained on every group not held out. */
    public static final String TRAIN_GROUPS_KEY = "split.train-groups";
    private static final String SEPARATOR = "\t";
    private static final Pattern RANGE = Pattern.compile("(.*?)(\\d+)\\.\\.(.*?)(\\d+)");

    private DataSplits() {
    }

    /** How to split. Explicit class lists win over groups, groups over fractions. */
    public static final class Spec {
        public List<String> testClasses = List.of();
        public List<String> validationClasses = List.of();
        public int testGroups;
        public int validationGroups;
        public double testFraction;
        public double validationFraction = 0.1;
        /** Groups chosen for validation or test must have at least this many classes (the one-shot way). */
        public int minGroupClasses = 2;
        public long seed = 2026;
        /**
         * Train on these groups only (e.g. Lake's five "background small" alphabets); validation and test are
         * drawn from the other groups, and the groups neither trains on nor holds out are left unused.
         */
        public List<String> trainGroups = List.of();
    }

    public record Splits(LoadedDataset train, LoadedDataset validation, LoadedDataset test, Map<String, String> metadata) {
    }

    public static Splits make(LoadedDataset all, Spec spec) {
        List<LoadedClass> remaining = new ArrayList<>(all.classes());
        Map<String, String> meta = new LinkedHashMap<>();
        List<LoadedClass> trainOnly = null;
        if (!spec.trainGroups.isEmpty()) {
            Set<String> wanted = new LinkedHashSet<>(spec.trainGroups);
            List<String> missing = wanted.stream().filter(g -> !all.groups().contains(g)).toList();
            if (!missing.isEmpty()) {
                throw new BadInputException("--groups: the data has no group '" + missing.get(0) + "' (its groups: "
                        + String.join(", ", all.groups().subList(0, Math.min(8, all.groups().size())))
                        + (all.groups().size() > 8 ? ", ..." : "") + ")");
            }
            trainOnly = remaining.stream().filter(c -> wanted.contains(c.group())).toList();
            remaining.removeAll(trainOnly);
            meta.put(TRAIN_GROUPS_KEY, String.join(SEPARATOR, wanted));
        }
        List<LoadedClass> test = take(remaining, spec.testClasses, spec.testGroups, spec.testFraction, spec, spec.seed, meta, "test");
        List<LoadedClass> val = take(remaining, spec.validationClasses, spec.validationGroups, spec.validationFraction, spec,
                spec.seed + 1, meta, "validation");
        if (trainOnly != null) {
            remaining = new ArrayList<>(trainOnly);
        }
        if (remaining.stream().filter(c -> c.size() >= 2).count() < 2) {
            throw new BadInputException("the split leaves fewer than 2 training classes with 2+ images");
        }
        // classes named explicitly are held out even where this data lacks them (e.g. every image of a person
        // left out for want of a detected face): the record says which people were never trained on
        meta.put(TEST_KEY, spec.testClasses.isEmpty() ? names(test) : String.join(SEPARATOR, expandNames(spec.testClasses)));
        meta.put(VALIDATION_KEY, spec.validationClasses.isEmpty() ? names(val)
                : String.join(SEPARATOR, expandNames(spec.validationClasses)));
        return new Splits(LoadedDataset.of(remaining), val.isEmpty() ? null : LoadedDataset.of(val),
                test.isEmpty() ? null : LoadedDataset.of(test), meta);
    }

    private static List<LoadedClass> take(List<LoadedClass> remaining, List<String> names, int groups, double fraction,
                                          Spec spec, long seed, Map<String, String> meta, String what) {
        List<LoadedClass> chosen;
        if (!names.isEmpty()) {
            Set<String> wanted = expandNames(names);
            Set<String> present = new LinkedHashSet<>();
            for (LoadedClass c : remaining) {
                present.add(c.name());
            }
            List<String> missing = wanted.stream().filter(n -> !present.contains(n)).toList();
            if (!missing.isEmpty() && missing.size() == wanted.size()) {
                throw new BadInputException("none of the " + what + " classes are in the data (first: " + missing.get(0) + ")");
            }
            chosen = ClassSplit.byNames(remaining, wanted).selected();
        } else if (groups > 0) {
            Map<String, Integer> sizes = new TreeMap<>();
            for (LoadedClass c : remaining) {
                if (!c.group().isEmpty() && c.size() >= 2) {
                    sizes.merge(c.group(), 1, Integer::sum);
                }
            }
            List<LoadedClass> eligible = remaining.stream()
                    .filter(c -> sizes.getOrDefault(c.group(), 0) >= spec.minGroupClasses).toList();
            if (sizes.isEmpty()) {
                throw new BadInputException("the data has no groups (a two-level folder tree) to hold out for " + what);
            }
            List<String> picked = ClassSplit.chooseGroups(eligible, seed, Math.min(groups, (int) eligible.stream()
                    .map(LoadedClass::group).distinct().count()));
            meta.put("split." + what + "-groups", String.join(SEPARATOR, picked));
            chosen = ClassSplit.byGroups(remaining, picked).selected();
        } else if (fraction > 0) {
            if (fraction >= 1) {
                throw new BadInputException("the " + what + " fraction must be below 1");
            }
            int n = (int) Math.round(fraction * remaining.size());
            Map<String, List<LoadedClass>> parts = ClassSplit.random(remaining, seed,
                    new ClassSplit.Part(what, (double) n / remaining.size()),
                    new ClassSplit.Part("rest", 1 - (double) n / remaining.size()));
            chosen = parts.get(what);
        } else {
            chosen = List.of();
        }
        Set<String> taken = new LinkedHashSet<>();
        for (LoadedClass c : chosen) {
            taken.add(c.name());
        }
        remaining.removeIf(c -> taken.contains(c.name()));
        return chosen;
    }

    /** The classes named in a metadata entry, from a dataset (for evaluating on a model's own test split). */
    public static LoadedDataset select(LoadedDataset all, Map<String, String> metadata, String key) {
        return select(all, metadata, key, null);
    }

    /**
     * The same, where {@code all} is one source of a multi-source run read alone under its label (see
     * {@link DataSources#forSource}); a null label reads the names as recorded.
     */
    public static LoadedDataset select(LoadedDataset all, Map<String, String> metadata, String key, String sourceLabel) {
        String list = metadata.get(key);
        if (list == null || list.isEmpty()) {
            throw new BadInputException("the model records no '" + key + "' classes; pass --split all or train with a held-out split");
        }
        Set<String> wanted = DataSources.forSource(List.of(list.split(SEPARATOR)), sourceLabel);
        List<LoadedClass> chosen = ClassSplit.byNames(all.classes(), wanted).selected();
        if (chosen.isEmpty()) {
            throw new BadInputException("none of the model's " + key + " classes are in this data; is it the same dataset?");
        }
        return LoadedDataset.of(chosen);
    }

    /** The classes a model held out: its recorded test and validation classes. */
    public static Set<String> heldOut(Map<String, String> metadata) {
        return heldOut(metadata, null);
    }

    /** The same, spelled as the source with this label names them when read alone (null: as recorded). */
    public static Set<String> heldOut(Map<String, String> metadata, String sourceLabel) {
        Set<String> held = new LinkedHashSet<>(parseList(metadata.get(TEST_KEY)));
        held.addAll(parseList(metadata.get(VALIDATION_KEY)));
        return DataSources.forSource(held, sourceLabel);
    }

    /** The classes of a dataset that a model trained on: all but those it held out. */
    public static LoadedDataset trainedOn(LoadedDataset all, Map<String, String> metadata) {
        return trainedOn(all, metadata, null);
    }

    /** The same for one source of a multi-source run read alone (null label: the names as recorded). */
    public static LoadedDataset trainedOn(LoadedDataset all, Map<String, String> metadata, String sourceLabel) {
        Set<String> held = heldOut(metadata, sourceLabel);
        Set<String> groups = DataSources.forSource(parseList(metadata.get(TRAIN_GROUPS_KEY)), sourceLabel);
        return LoadedDataset.of(all.classes().stream()
                .filter(c -> !held.contains(c.name()) && (groups.isEmpty() || groups.contains(c.group()))).toList());
    }

    /** The class names of a metadata entry. */
    public static List<String> parseList(String list) {
        return list == null || list.isEmpty() ? List.of() : List.of(list.split(SEPARATOR));
    }

    /** Expands {@code s31..s40} style ranges in a list of class names. */
    public static Set<String> expandNames(Collection<String> items) {
        Set<String> out = new LinkedHashSet<>();
        for (String item : items) {
            Matcher m = RANGE.matcher(item.trim());
            if (m.matches() && m.group(1).equals(m.group(3))) {
                int from = Integer.parseInt(m.group(2));
                int to = Integer.parseInt(m.group(4));
                if (to < from || to - from > 100_000) {
                    throw new BadInputException("bad class range '" + item + "'");
                }
                for (int i = from; i <= to; i++) {
                    out.add(m.group(1) + i);
                }
            } else if (!item.isBlank()) {
                out.add(item.trim());
            }
        }
        return out;
    }

    private static String names(List<LoadedClass> classes) {
        List<String> n = new ArrayList<>();
        for (LoadedClass c : classes) {
            n.add(c.name());
        }
        return String.join(SEPARATOR, n);
    }
}
