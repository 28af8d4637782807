package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.siamese4j.train.DataSplits;

class DataSourcesTest {

    @Test
    void labelsAreFileNamesWithoutTheArchiveExtensionAndDistinct() {
        assertEquals("lfw-train", DataSources.label(Path.of("/data/lfw/lfw-train.zip")));
        assertEquals("att_faces", DataSources.label(Path.of("/data/att_faces")));
        assertEquals("photos", DataSources.label(Path.of("photos.TGZ")));
        assertEquals(List.of("faces", "faces-2", "celeba"),
                DataSources.labels(List.of(Path.of("a/faces.zip"), Path.of("b/faces"), Path.of("celeba.zip"))));
    }

    @Test
    void theRecordedSourcesReadBackAndAnOldSinglePathStillReads() {
        List<Path> sources = List.of(Path.of("/d/lfw, train.zip").toAbsolutePath(), Path.of("/d/celeba.zip").toAbsolutePath());
        assertEquals(sources, DataSources.parse(DataSources.format(sources)));
        assertEquals(List.of(Path.of("/d/lfw-train.zip")), DataSources.parse("/d/lfw-train.zip"));
    }

    @Test
    void namesOfAPairsFileFindTheirSourceInACombinedDataset() {
        LoadedDataset all = LoadedDataset.combine(List.of("lfw", "celeba"), List.of(
                LoadedDataset.of(List.of(cls("Ann"), cls("Bob"))), LoadedDataset.of(List.of(cls("Ann"), cls("00042")))));
        assertEquals(List.of("lfw/Ann", "celeba/Ann", "lfw/Bob", "celeba/00042", "Nobody"),
                DataSources.qualify(List.of("Ann", "Bob", "celeba/00042", "Nobody"), List.of("lfw", "celeba"), all));
    }

    @Test
    void aModelsRecordedNamesReadInOneOfItsSourcesAlone() {
        // Eve was in the pairs file but in no source the run read (no image kept): held out, unqualified
        Map<String, String> meta = Map.of(DataSplits.TEST_KEY, "lfw/Ann\tlfw/Bob\tceleba/00042\tEve",
                DataSplits.VALIDATION_KEY, "celeba/00007\tlfw/Cid");
        assertEquals(Set.of("Ann", "Bob", "Eve", "Cid"), DataSplits.heldOut(meta, "lfw"));
        assertEquals(Set.of("00042", "Eve", "00007"), DataSplits.heldOut(meta, "celeba"));
        assertEquals(Set.of("lfw/Ann", "lfw/Bob", "celeba/00042", "Eve", "celeba/00007", "lfw/Cid"),
                DataSplits.heldOut(meta, null));
        LoadedDataset lfwAlone = LoadedDataset.of(List.of(cls("Ann"), cls("Bob"), cls("Cid"), cls("Dan"), cls("Eve")));
        assertEquals(List.of("Ann", "Bob", "Eve"), DataSplits.select(lfwAlone, meta, DataSplits.TEST_KEY, "lfw").classes().stream()
                .map(LoadedDataset.LoadedClass::name).toList());
        assertEquals(List.of("Dan"), DataSplits.trainedOn(lfwAlone, meta, "lfw").classes().stream()
                .map(LoadedDataset.LoadedClass::name).toList());
    }

    private static LoadedDataset.LoadedClass cls(String name) {
        return new LoadedDataset.LoadedClass(name, "", List.of("1.png", "2.png"), List.of(new float[1], new float[1]));
    }
}
