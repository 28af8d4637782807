package org.siamese4j.cli;

import java.util.List;

/**
 * The positional arguments a command takes: their names (for help and messages) and how many may be given.
 * When more may be given than there are names, the last name stands for the rest ({@code IMAGE...}).
 *
 * @param names names in order, e.g. {@code IMG_A, IMG_B}
 * @param min   the fewest that must be given
 * @param max   the most that may be given ({@link Integer#MAX_VALUE} for any number)
 */
public record Positionals(List<String> names, int min, int max) {
    public Positionals {
        names = List.copyOf(names);
        boolean unbounded = max == Integer.MAX_VALUE;
        // every argument needs a name for messages; with no upper bound the last name repeats
        boolean named = unbounded ? !names.isEmpty() : max <= names.size();
        if (min < 0 || max < min || !named) {
            throw new IllegalArgumentException("inconsistent positionals " + names + " " + min + ".." + max);
        }
    }

    /** No positional arguments. */
    public static Positionals none() {
        return new Positionals(List.of(), 0, 0);
    }

    /** Exactly these arguments. */
    public static Positionals exactly(String... names) {
        return new Positionals(List.of(names), names.length, names.length);
    }

    /** At least {@code min} arguments, any number more; the last name stands for the rest. */
    public static Positionals atLeast(int min, String... names) {
        return new Positionals(List.of(names), min, Integer.MAX_VALUE);
    }

    /** The name of the argument at {@code index} (the last name repeats). */
    public String nameOf(int index) {
        return names.get(Math.min(index, names.size() - 1));
    }

    /** How the arguments appear in a usage line: {@code IMG_A IMG_B}, {@code [IMAGE...]}. */
    public String usage() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            boolean last = i == names.size() - 1;
            boolean optional = i >= min;
            String n = names.get(i) + (last && max == Integer.MAX_VALUE ? "..." : "");
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(optional ? "[" + n + "]" : n);
        }
        return sb.toString();
    }
}
