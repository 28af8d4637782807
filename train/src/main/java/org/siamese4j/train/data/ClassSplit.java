package org.siamese4j.train.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.siamese4j.engine.BadInputException;

/**
 * Splits datasets by class, never by image, so no class (person, character) is seen in two parts. Works
 * on any {@link DatasetClass} list ({@link ImageDataset#classes()}, {@link LoadedDataset#classes()}).
 * Random choices are seeded and independent of the input order (classes are sorted by name first);
 * every part comes back sorted by name. Bad split options are BadInputExceptions.
 */
public final class ClassSplit {

    /** A named part of a random split and its share of the classes. */
    public record Part(String name, double fraction) {
        public Part {
            if (name == null || name.isBlank()) {
                throw new BadInputException("split part name must not be empty");
            }
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new BadInputException("split part '" + name + "': fraction " + fraction + " is not in 0..1");
            }
        }
    }

    /** A two-way split: the selected classes and the rest. */
    public record Split<C extends DatasetClass>(List<C> selected, List<C> rest) {
        public Split {
            selected = List.copyOf(selected);
            rest = List.copyOf(rest);
        }
    }

    private ClassSplit() {
    }

    /**
     * Shuffles the classes with {@code seed} and cuts them into the parts, in order, by their fractions
     * (which must sum to 1). Part sizes are rounded by largest remainder, so they add up to the class count.
     *
     * @return part name to classes, in the order of {@code parts}
     */
    public static <C extends DatasetClass> Map<String, List<C>> random(List<C> classes, long seed, Part... parts) {
        if (parts.length == 0) {
            throw new BadInputException("a split needs at least one part");
        }
        double sum = 0;
        Set<String> names = new HashSet<>();
        for (Part p : parts) {
            sum += p.fraction();
            if (!names.add(p.name())) {
                throw new BadInputException("split part '" + p.name() + "' is given twice");
            }
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new BadInputException("split fractions must sum to 1, got " + sum);
        }
        List<C> shuffled = sortedByName(classes);
        shuffle(shuffled, seed);
        int[] counts = apportion(shuffled.size(), parts);
        Map<String, List<C>> out = new LinkedHashMap<>();
        int from = 0;
        for (int i = 0; i < parts.length; i++) {
            List<C> part = new ArrayList<>(shuffled.subList(from, from + counts[i]));
            part.sort(Comparator.comparing(DatasetClass::name));
            out.put(parts[i].name(), List.copyOf(part));
            from += counts[i];
        }
        return out;
    }

    /**
     * Selects the classes of the given groups (e.g. alphabets for validation); the rest are the others.
     * Every named group must exist.
     */
    public static <C extends DatasetClass> Split<C> byGroups(List<C> classes, Collection<String> groups) {
        Set<String> known = new TreeSet<>();
        for (C c : classes) {
            known.add(c.group());
        }
        for (String g : groups) {
            if (!known.contains(g)) {
                throw new BadInputException("unknown group '" + g + "'; the dataset has " + known.size()
                        + " groups" + (known.size() <= 20 ? ": " + String.join(", ", known) : ""));
            }
        }
        Set<String> wanted = Set.copyOf(groups);
        return partition(classes, c -> wanted.contains(c.group()));
    }

    /**
     * Chooses {@code k} groups at random with {@code seed}, for {@link #byGroups}; returned sorted. Classes
     * without a group (one-level trees) are not a group.
     */
    public static <C extends DatasetClass> List<String> chooseGroups(List<C> classes, long seed, int k) {
        TreeSet<String> all = new TreeSet<>();
        for (C c : classes) {
            if (!c.group().isEmpty()) {
                all.add(c.group());
            }
        }
        if (k < 0 || k > all.size()) {
            throw new BadInputException("cannot choose " + k + " groups: the dataset has " + all.size());
        }
        List<String> groups = new ArrayList<>(all);
        shuffle(groups, seed);
        return List.copyOf(new TreeSet<>(groups.subList(0, k)));
    }

    /**
     * Selects the classes whose names are in {@code names} (e.g. the people of chosen LFW pair folds, to be
     * left out of training); the rest are the others. Names not in the dataset are ignored.
     */
    public static <C extends DatasetClass> Split<C> byNames(List<C> classes, Collection<String> names) {
        Set<String> wanted = Set.copyOf(names);
        return partition(classes, c -> wanted.contains(c.name()));
    }

    private static <C extends DatasetClass> Split<C> partition(List<C> classes, java.util.function.Predicate<C> pick) {
        List<C> selected = new ArrayList<>();
        List<C> rest = new ArrayList<>();
        for (C c : sortedByName(classes)) {
            (pick.test(c) ? selected : rest).add(c);
        }
        return new Split<>(selected, rest);
    }

    private static <C extends DatasetClass> List<C> sortedByName(List<C> classes) {
        List<C> sorted = new ArrayList<>(classes);
        sorted.sort(Comparator.comparing(DatasetClass::name));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException("duplicate class name " + sorted.get(i).name());
            }
        }
        return sorted;
    }

    /** Fisher-Yates with a seeded generator. */
    private static <T> void shuffle(List<T> list, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** Largest-remainder rounding of n * fraction per part; ties go to the earlier part. */
    private static int[] apportion(int n, Part[] parts) {
        int[] counts = new int[parts.length];
        double[] remainders = new double[parts.length];
        int given = 0;
        for (int i = 0; i < parts.length; i++) {
            double exact = n * parts[i].fraction();
            counts[i] = (int) Math.floor(exact + 1e-9);
            remainders[i] = exact - counts[i];
            given += counts[i];
        }
        while (given < n) {
            int best = 0;
            for (int i = 1; i < parts.length; i++) {
                if (remainders[i] > remainders[best] + 1e-12) {
                    best = i;
                }
            }
            counts[best]++;
            remainders[best] = -1;
            given++;
        }
        while (given > n) { // only from floating-point slack in the fractions
            for (int i = parts.length - 1; i >= 0 && given > n; i--) {
                if (counts[i] > 0) {
                    counts[i]--;
                    given--;
                }
            }
        }
        return counts;
    }
}
