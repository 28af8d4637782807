package org.siamese4j.train.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.train.data.LoadedDataset;

/**
 * A verification pair list in LFW's format: a header line {@code folds n} (n same pairs then n different
 * pairs per fold), then {@code name i j} for a same pair and {@code name1 i name2 j} for a different one;
 * image i of a person is {@code name/name_000i.jpg}.
 */
public final class PairList {
    private static final long MAX_BYTES = 64L << 20;
    private static final int MAX_FOLDS = 100;
    private static final int MAX_PER_FOLD = 1_000_000;

    /** One pair; fold counts from 1. */
    public record Pair(int fold, String nameA, int indexA, String nameB, int indexB, boolean same) {
    }

    private final int folds;
    private final List<Pair> pairs;

    private PairList(int folds, List<Pair> pairs) {
        this.folds = folds;
        this.pairs = List.copyOf(pairs);
    }

    public int folds() {
        return folds;
    }

    public List<Pair> pairs() {
        return pairs;
    }

    public List<Pair> inFolds(Set<Integer> chosen) {
        return pairs.stream().filter(p -> chosen.contains(p.fold())).toList();
    }

    /** Everyone who appears in the chosen folds (to leave them out of training). */
    public Set<String> people(Set<Integer> chosen) {
        Set<String> names = new LinkedHashSet<>();
        for (Pair p : inFolds(chosen)) {
            names.add(p.nameA());
            names.add(p.nameB());
        }
        return names;
    }

    public static PairList read(Path file) {
        return read(file, MAX_BYTES);
    }

    /** The same under another size budget (tests try it at and just past a small value). */
    static PairList read(Path file, long maxBytes) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(file + ": no such pairs file");
            }
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new BadInputException(file + ": pairs file too large (" + size + " bytes; limit " + maxBytes + ")");
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new BadInputException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public static PairList parse(String text, String name) {
        String[] lines = text.split("\r?\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            throw new BadInputException(name + ": empty pairs file");
        }
        String[] head = lines[0].trim().split("\\s+");
        int folds;
        int perFold;
        try {
            if (head.length == 2) {
                folds = Integer.parseInt(head[0]);
                perFold = Integer.parseInt(head[1]);
            } else if (head.length == 1) {
                folds = 1;
                perFold = Integer.parseInt(head[0]);
            } else {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new BadInputException(name + ": line 1 must be 'folds n', got '" + lines[0].trim() + "'");
        }
        if (folds < 1 || folds > MAX_FOLDS || perFold < 1 || perFold > MAX_PER_FOLD) {
            throw new BadInputException(name + ": header asks for " + folds + " folds of " + perFold + " pairs (1 to "
                    + MAX_FOLDS + " folds of 1 to " + MAX_PER_FOLD + " pairs)");
        }
        List<Pair> pairs = new ArrayList<>();
        int lineNo = 1;
        for (int f = 1; f <= folds; f++) {
            for (int k = 0; k < 2 * perFold; k++) {
                lineNo++;
                if (lineNo > lines.length) {
                    throw new BadInputException(name + ": ends at line " + lines.length + " but the header promises "
                            + (1 + 2L * folds * perFold) + " lines");
                }
                String[] t = lines[lineNo - 1].trim().split("\\s+");
                boolean same = k < perFold;
                try {
                    if (same && t.length == 3) {
                        pairs.add(new Pair(f, t[0], index(t[1]), t[0], index(t[2]), true));
                    } else if (!same && t.length == 4) {
                        pairs.add(new Pair(f, t[0], index(t[1]), t[2], index(t[3]), false));
                    } else {
                        throw new BadInputException(name + ": line " + lineNo + " should be a " + (same ? "same pair 'name i j'"
                                : "different pair 'name1 i name2 j'") + ", got '" + lines[lineNo - 1].trim() + "'");
                    }
                } catch (NumberFormatException e) {
                    throw new BadInputException(name + ": line " + lineNo + " has a bad image number");
                }
            }
        }
        return new PairList(folds, pairs);
    }

    private static int index(String s) {
        int v = Integer.parseInt(s);
        if (v < 1 || v > 9999) {
            throw new NumberFormatException();
        }
        return v;
    }

    /** The file name of image i of a person, as LFW names it. */
    public static String fileName(String person, int index) {
        return String.format(Locale.ROOT, "%s_%04d.jpg", person, index);
    }

    /** Finds (class, image) of a person's image in a loaded dataset, or null when it is missing. */
    public static int[] locate(LoadedDataset data, String person, int index) {
        String file = fileName(person, index);
        for (int c = 0; c < data.classes().size(); c++) {
            LoadedDataset.LoadedClass cls = data.classes().get(c);
            if (!cls.name().equals(person) && !cls.name().endsWith("/" + person)) {
                continue;
            }
            int i = cls.imageNames().indexOf(file);
            return i < 0 ? null : new int[] {c, i};
        }
        return null;
    }
}
