package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;

class ClassSplitTest {

    /** 10 groups x 10 classes, one image each. */
    private static List<LoadedDataset.LoadedClass> classes() {
        List<LoadedDataset.LoadedClass> list = new ArrayList<>();
        for (int g = 0; g < 10; g++) {
            for (int c = 0; c < 10; c++) {
                String group = "alphabet" + g;
                list.add(new LoadedDataset.LoadedClass(group + "/char" + c, group, List.of("1.png"), List.of(new float[1])));
            }
        }
        return list;
    }

    @Test
    void randomSplitIsDisjointCompleteAndSeeded() {
        List<LoadedDataset.LoadedClass> all = classes();
        ClassSplit.Part[] parts = {
            new ClassSplit.Part("train", 0.7), new ClassSplit.Part("val", 0.15), new ClassSplit.Part("test", 0.15)};
        Map<String, List<LoadedDataset.LoadedClass>> split = ClassSplit.random(all, 42, parts);
        assertEquals(List.of("train", "val", "test"), List.copyOf(split.keySet()));
        assertEquals(70, split.get("train").size());
        assertEquals(15, split.get("val").size());
        assertEquals(15, split.get("test").size());
        assertDisjointAndComplete(all, split.values());

        // same seed, any input order: the same split
        List<LoadedDataset.LoadedClass> reversed = new ArrayList<>(all);
        Collections.reverse(reversed);
        assertEquals(names(split), names(ClassSplit.random(reversed, 42, parts)));
        assertNotEquals(names(split), names(ClassSplit.random(all, 43, parts)));
    }

    @Test
    void roundingStillCoversEveryClass() {
        List<LoadedDataset.LoadedClass> some = classes().subList(0, 7);
        Map<String, List<LoadedDataset.LoadedClass>> split = ClassSplit.random(some, 1,
                new ClassSplit.Part("a", 1 / 3.0), new ClassSplit.Part("b", 1 / 3.0), new ClassSplit.Part("c", 1 / 3.0));
        assertEquals(List.of(3, 2, 2), split.values().stream().map(List::size).toList());
        assertDisjointAndComplete(some, split.values());
    }

    @Test
    void groupSplitsKeepWholeGroups() {
        List<LoadedDataset.LoadedClass> all = classes();
        List<String> chosen = ClassSplit.chooseGroups(all, 7, 3);
        assertEquals(3, chosen.size());
        assertEquals(chosen, ClassSplit.chooseGroups(all, 7, 3));
        ClassSplit.Split<LoadedDataset.LoadedClass> split = ClassSplit.byGroups(all, chosen);
        assertEquals(30, split.selected().size());
        assertEquals(70, split.rest().size());
        for (LoadedDataset.LoadedClass c : split.selected()) {
            assertTrue(chosen.contains(c.group()));
        }
        for (LoadedDataset.LoadedClass c : split.rest()) {
            assertTrue(!chosen.contains(c.group()));
        }
        assertDisjointAndComplete(all, List.of(split.selected(), split.rest()));

        ClassSplit.Split<LoadedDataset.LoadedClass> explicit = ClassSplit.byGroups(all, List.of("alphabet2"));
        assertEquals(10, explicit.selected().size());

        BadInputException e = assertThrows(BadInputException.class, () -> ClassSplit.byGroups(all, List.of("Klingon")));
        assertTrue(e.getMessage().contains("unknown group 'Klingon'"), e.getMessage());
        assertThrows(BadInputException.class, () -> ClassSplit.chooseGroups(all, 1, 11));
    }

    @Test
    void nameSplitLeavesOutChosenClasses() {
        List<LoadedDataset.LoadedClass> all = classes();
        ClassSplit.Split<LoadedDataset.LoadedClass> split =
                ClassSplit.byNames(all, Set.of("alphabet0/char1", "alphabet5/char5", "Not_In_Dataset"));
        assertEquals(List.of("alphabet0/char1", "alphabet5/char5"),
                split.selected().stream().map(DatasetClass::name).toList());
        assertEquals(98, split.rest().size());
        assertDisjointAndComplete(all, List.of(split.selected(), split.rest()));
        // a LoadedDataset part is one call away
        assertEquals(98, LoadedDataset.of(split.rest()).classCount());
    }

    @Test
    void badFractionsAreBadInput() {
        List<LoadedDataset.LoadedClass> all = classes();
        assertThrows(BadInputException.class,
                () -> ClassSplit.random(all, 1, new ClassSplit.Part("a", 0.5), new ClassSplit.Part("b", 0.4)));
        assertThrows(BadInputException.class,
                () -> ClassSplit.random(all, 1, new ClassSplit.Part("a", 0.5), new ClassSplit.Part("a", 0.5)));
        assertThrows(BadInputException.class, () -> new ClassSplit.Part("a", 1.5));
        assertThrows(BadInputException.class, () -> ClassSplit.random(all, 1));
    }

    private static void assertDisjointAndComplete(List<? extends DatasetClass> all,
            java.util.Collection<? extends List<? extends DatasetClass>> parts) {
        Set<String> seen = new HashSet<>();
        for (List<? extends DatasetClass> part : parts) {
            for (DatasetClass c : part) {
                assertTrue(seen.add(c.name()), c.name() + " is in two parts");
            }
        }
        assertEquals(all.size(), seen.size());
    }

    private static List<List<String>> names(Map<String, List<LoadedDataset.LoadedClass>> split) {
        return split.values().stream().map(p -> p.stream().map(DatasetClass::name).toList()).toList();
    }
}
