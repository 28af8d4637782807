package org.siamese4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.data.LoadedDataset.LoadedClass;

class RotatedClassesTest {
    // no symmetry: each of the 8 symmetries of the square gives another picture
    private static final float[] L_SHAPE = {
        1, 0, 0,
        1, 0, 0,
        1, 1, 2,
    };

    private static LoadedDataset oneAlphabet() {
        return LoadedDataset.of(List.of(
                new LoadedClass("a", "Latin", List.of("a1", "a2"), List.of(L_SHAPE.clone(), L_SHAPE.clone())),
                new LoadedClass("b", "Latin", List.of("b1", "b2"), List.of(new float[9], new float[9]))));
    }

    @Test
    void aQuarterTurnIsCounterClockwiseAndMirrorsSwapLeftAndRight() {
        assertArrayEquals(new float[] {0, 0, 2, 0, 0, 1, 1, 1, 1}, RotatedClasses.rotate(L_SHAPE, 3, 1));
        assertArrayEquals(new float[] {0, 0, 1, 0, 0, 1, 2, 1, 1}, RotatedClasses.mirror(L_SHAPE, 3));
        assertArrayEquals(L_SHAPE, RotatedClasses.mirror(RotatedClasses.mirror(L_SHAPE, 3), 3));
    }

    @Test
    void rotationsAndMirrorsGiveTheEightSymmetriesAsClassesOfTheirOwnGroups() {
        LoadedDataset all = RotatedClasses.expand(oneAlphabet(), 3, true, true);
        assertEquals(16, all.classCount());
        Set<String> pictures = new HashSet<>();
        Set<String> groups = new HashSet<>();
        for (LoadedClass c : all.classes()) {
            groups.add(c.group());
            if (c.name().startsWith("a")) {
                assertEquals(2, c.size());
                pictures.add(Arrays.toString(c.images().get(0)));
                assertArrayEquals(c.images().get(0), c.images().get(1));
            }
        }
        assertEquals(8, pictures.size(), "the 8 transforms of an asymmetric picture all differ");
        assertEquals(8, groups.size(), "each transform of an alphabet is an alphabet of its own");
        assertEquals(Set.of("a", "a@rot90", "a@rot180", "a@rot270", "a@mirror", "a@rot90@mirror", "a@rot180@mirror",
                "a@rot270@mirror"), names(all, "a"));
        LoadedClass mirroredTurn = byName(all, "a@rot90@mirror");
        assertArrayEquals(RotatedClasses.mirror(RotatedClasses.rotate(L_SHAPE, 3, 1), 3), mirroredTurn.images().get(0));
    }

    @Test
    void eitherAloneGivesFourOrTwoClassesForEach() {
        assertEquals(8, RotatedClasses.expand(oneAlphabet(), 3, true, false).classCount());
        assertEquals(8, RotatedClasses.expand(oneAlphabet(), 3).classCount());
        LoadedDataset mirrored = RotatedClasses.expand(oneAlphabet(), 3, false, true);
        assertEquals(Set.of("a", "a@mirror"), names(mirrored, "a"));
        assertArrayEquals(RotatedClasses.mirror(L_SHAPE, 3), byName(mirrored, "a@mirror").images().get(1));
    }

    @Test
    void imagesThatAreNotSquareAreRefused() {
        LoadedDataset wide = LoadedDataset.of(List.of(new LoadedClass("a", "", List.of("a1"), List.<float[]>of(new float[6]))));
        assertThrows(IllegalArgumentException.class, () -> RotatedClasses.expand(wide, 3, false, true));
    }

    private static Set<String> names(LoadedDataset d, String prefix) {
        Set<String> s = new HashSet<>();
        for (LoadedClass c : d.classes()) {
            if (c.name().startsWith(prefix)) {
                s.add(c.name());
            }
        }
        return s;
    }

    private static LoadedClass byName(LoadedDataset d, String name) {
        return d.classes().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }
}
