package org.siamese4j.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
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
}
