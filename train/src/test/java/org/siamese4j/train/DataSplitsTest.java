package org.siamese4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.train.data.LoadedDataset;

class DataSplitsTest {

    /** 10 alphabets x 6 characters, two drawings each. */
    private static LoadedDataset alphabets() {
        List<LoadedDataset.LoadedClass> list = new ArrayList<>();
        for (int g = 0; g < 10; g++) {
            for (int c = 0; c < 6; c++) {
                String group = "alphabet" + g;
                list.add(new LoadedDataset.LoadedClass(group + "/char" + c, group, List.of("1.png", "2.png"),
                        List.of(new float[1], new float[1])));
            }
        }
        return LoadedDataset.of(list);
    }

    private static Set<String> groups(LoadedDataset d) {
        return d == null ? Set.of() : new TreeSet<>(d.groups());
    }

    @Test
    void groupsTrainOnThoseAlphabetsOnlyAndHoldOutOthers() {
        DataSplits.Spec spec = new DataSplits.Spec();
        spec.trainGroups = List.of("alphabet3", "alphabet7");
        spec.testGroups = 2;
        spec.validationGroups = 2;
        spec.validationFraction = 0;
        DataSplits.Splits s = DataSplits.make(alphabets(), spec);
        assertEquals(Set.of("alphabet3", "alphabet7"), groups(s.train()));
        assertEquals(12, s.train().classCount());
        assertEquals(2, groups(s.test()).size());
        assertEquals(2, groups(s.validation()).size());
        Set<String> held = new TreeSet<>(groups(s.test()));
        held.addAll(groups(s.validation()));
        assertEquals(4, held.size(), "validation and test apart");
        assertTrue(held.stream().noneMatch(spec.trainGroups::contains), held.toString());
        assertEquals("alphabet3\talphabet7", s.metadata().get(DataSplits.TRAIN_GROUPS_KEY));
        // what the model trained on, read back from its record (as resume and the Eigenfaces baseline do)
        LoadedDataset trained = DataSplits.trainedOn(alphabets(), s.metadata());
        assertEquals(Set.of("alphabet3", "alphabet7"), groups(trained));
        assertEquals(12, trained.classCount());
    }

    @Test
    void anUnknownGroupIsBadInput() {
        DataSplits.Spec spec = new DataSplits.Spec();
        spec.trainGroups = List.of("alphabet3", "Klingon");
        BadInputException e = assertThrows(BadInputException.class, () -> DataSplits.make(alphabets(), spec));
        assertTrue(e.getMessage().contains("no group 'Klingon'"), e.getMessage());
    }

    @Test
    void withoutGroupsEveryGroupNotHeldOutTrains() {
        DataSplits.Spec spec = new DataSplits.Spec();
        spec.testGroups = 2;
        spec.validationGroups = 2;
        spec.validationFraction = 0;
        DataSplits.Splits s = DataSplits.make(alphabets(), spec);
        assertEquals(6, groups(s.train()).size());
        assertEquals(36, DataSplits.trainedOn(alphabets(), s.metadata()).classCount());
    }
}
