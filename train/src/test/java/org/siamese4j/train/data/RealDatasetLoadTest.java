package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.siamese4j.model.image.ImageOps;

/**
 * Scans and loads the real datasets when SIAMESE_DATA is set (skipped otherwise), timing the full loads
 * of Omniglot and LFW from their zips.
 */
class RealDatasetLoadTest {

    @Test
    void omniglotZipLoadsWellUnderAMinute() {
        try (ImageDataset ds = DatasetReader.open(RealData.require("omniglot/images_background.zip"))) {
            assertEquals(964, ds.classes().size());
            assertEquals(30, ds.groups().size());
            assertEquals(19_280, ds.imageCount());
            assertTrue(ds.classes().get(0).name().contains("/character"), ds.classes().get(0).name());
            List<String> warnings = new ArrayList<>();
            long t0 = System.nanoTime();
            LoadedDataset loaded = LoadedDataset.load(ds, img -> ImageOps.resize(img, 28, 28).pixels(), warnings::add);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("Omniglot background zip: %d images of %d classes loaded at 28x28 in %.1f s%n",
                    loaded.imageCount(), loaded.classCount(), seconds);
            assertEquals(List.of(), warnings);
            assertEquals(19_280, loaded.imageCount());
            assertTrue(seconds < 60, seconds + " s");
        }
    }

    @Test
    void lfwZipLoadsWellUnderAMinute() {
        try (ImageDataset ds = DatasetReader.open(RealData.require("lfw/lfw-train.zip"))) {
            assertEquals(6922, ds.imageCount());
            assertEquals(List.of(), ds.groups());
            List<String> warnings = new ArrayList<>();
            long t0 = System.nanoTime();
            LoadedDataset loaded = LoadedDataset.load(ds, img -> ImageOps.resize(img, 64, 64).pixels(), warnings::add);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("LFW train zip: %d images of %d people loaded at 64x64 in %.1f s (%d with 1 image)%n",
                    loaded.imageCount(), loaded.classCount(), seconds, loaded.classesWithFewerThan(2).size());
            assertEquals(List.of(), warnings);
            assertTrue(seconds < 60, seconds + " s");
        }
    }

    @Test
    void attAndEvalFolders() {
        try (ImageDataset att = DatasetReader.open(RealData.require("att_faces"))) {
            assertEquals(40, att.classes().size());
            assertEquals(400, att.imageCount());
            assertEquals(2, att.ignoredFileCount()); // README and MANIFEST.txt
            assertEquals("", att.classes().get(0).group());
        }
        try (ImageDataset eval = DatasetReader.open(RealData.require("seed-photos/eval"))) {
            assertEquals(5, eval.classes().size());
            assertEquals("Abhishek Bachan", eval.classes().get(0).name());
            assertEquals(214, eval.imageCount());
            LoadedDataset loaded = LoadedDataset.load(eval, img -> ImageOps.resize(img, 32, 32).pixels(), w -> {
                throw new AssertionError(w);
            });
            assertEquals(214, loaded.imageCount());
        }
    }
}
