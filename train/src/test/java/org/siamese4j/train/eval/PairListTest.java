package org.siamese4j.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

class PairListTest {
    private static final String TWO_FOLDS = "2\t2\nAnn\t1\t2\nBob\t1\t3\nAnn\t1\tCid\t1\nBob\t2\tDee\t4\n"
            + "Eve\t1\t2\nFay\t1\t2\nEve\t1\tGus\t3\nHal\t1\tIda\t1\n";

    @Test
    void parsesFoldsSameAndDifferentPairs() {
        PairList p = PairList.parse(TWO_FOLDS, "pairs.txt");
        assertEquals(2, p.folds());
        assertEquals(8, p.pairs().size());
        assertEquals(new PairList.Pair(1, "Ann", 1, "Ann", 2, true), p.pairs().get(0));
        assertEquals(new PairList.Pair(1, "Bob", 2, "Dee", 4, false), p.pairs().get(3));
        assertEquals(Set.of("Eve", "Fay", "Gus", "Hal", "Ida"), p.people(Set.of(2)));
        assertEquals("Ann_0002.jpg", PairList.fileName("Ann", 2));
    }

    @Test
    void malformedFilesAreRefusedWithTheLineNamed() {
        BadInputException e = assertThrows(BadInputException.class, () -> PairList.parse("2\t2\nAnn\t1\n", "p.txt"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> PairList.parse("1\t1\nAnn\t1\t2\n", "p.txt"));
        assertTrue(e.getMessage().contains("promises"), e.getMessage());
        assertThrows(BadInputException.class, () -> PairList.parse("99999999\t99999999\n", "p.txt"));
        assertThrows(BadInputException.class, () -> PairList.parse("x y\n", "p.txt"));
        assertThrows(BadInputException.class, () -> PairList.parse("1\t1\nAnn\t-1\t2\nA\t1\tB\t1\n", "p.txt"));
        assertThrows(BadInputException.class, () -> PairList.parse("", "p.txt"));
    }

    /** SECURITY.md's pair-list size budget, at a small value: a file of exactly the budget is read, one byte more is not. */
    @Test
    void aPairsFileOfExactlyTheSizeBudgetIsReadAndOneByteMoreIsRefused(@TempDir Path dir) throws Exception {
        Path at = Files.writeString(dir.resolve("at.txt"), TWO_FOLDS, StandardCharsets.UTF_8);
        long budget = Files.size(at);
        assertEquals(2, PairList.read(at, budget).folds());
        Path past = Files.writeString(dir.resolve("past.txt"), TWO_FOLDS + "\n", StandardCharsets.UTF_8);
        BadInputException e = assertThrows(BadInputException.class, () -> PairList.read(past, budget));
        assertEquals(past + ": pairs file too large (" + (budget + 1) + " bytes; limit " + budget + ")", e.getMessage());
    }

    /** The fold budget (100), at the limit and one past it. */
    @Test
    void oneHundredFoldsAreReadAndOneHundredAndOneAreRefused() {
        assertEquals(100, PairList.parse(folds(100), "p.txt").folds());
        BadInputException e = assertThrows(BadInputException.class, () -> PairList.parse(folds(101), "p.txt"));
        assertEquals("p.txt: header asks for 101 folds of 1 pairs (1 to 100 folds of 1 to 1000000 pairs)", e.getMessage());
    }

    private static String folds(int n) {
        StringBuilder sb = new StringBuilder(n + "\t1\n");
        for (int f = 0; f < n; f++) {
            sb.append("P").append(f).append("\t1\t2\n").append("P").append(f).append("\t1\tQ").append(f).append("\t1\n");
        }
        return sb.toString();
    }
}
