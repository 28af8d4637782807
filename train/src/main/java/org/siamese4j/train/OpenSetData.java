package org.siamese4j.train;

import java.util.List;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.GallerySearches;
import org.siamese4j.model.OpenSetCalibration;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.eval.EmbeddingTable;

/**
 * Gallery searches on a dataset's classes (each class one person): the open-set benchmark on held-out test
 * people, and the open-set calibration on validation people that training stores in the model.
 */
public final class OpenSetData {
    /** Seed of the calibration's random galleries, fixed so that a retrained model is calibrated alike. */
    static final long CALIBRATION_SEED = 0x0FE75E7L;

    private OpenSetData() {
    }

    /**
     * Every image of {@code data} embedded once; a class with two or more images is enrolled with its first.
     *
     * @throws BadInputException fewer than two classes with two or more images
     */
    public static GallerySearches searches(SiameseNet net, Preprocessing preprocessing, LoadedDataset data) {
        return searches(net, preprocessing, data, false);
    }

    private static GallerySearches searches(SiameseNet net, Preprocessing preprocessing, LoadedDataset data,
                                            boolean enrolSingles) {
        EmbeddingTable table = new EmbeddingTable(net, preprocessing, data);
        List<LoadedDataset.LoadedClass> classes = data.classes();
        int[] identity = new int[data.imageCount()];
        for (int c = 0; c < classes.size(); c++) {
            for (int i = 0; i < classes.get(c).size(); i++) {
                identity[table.row(c, i)] = c;
            }
        }
        try {
            return new GallerySearches(table.table(), table.dimension(), identity, enrolSingles, net::logit);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("gallery searches on " + data.classCount() + " classes: " + e.getMessage());
        }
    }

    /**
     * The open-set calibration on validation classes, or null when they are too few (fewer than 2 people, or
     * too few to leave strangers): every validation person can be enrolled, and every image searches.
     */
    public static OpenSetCalibration calibrate(SiameseNet net, Preprocessing preprocessing, LoadedDataset validation) {
        if (validation == null || validation.classCount() < 3) {
            return null;
        }
        try {
            return searches(net, preprocessing, validation, true).calibrate(CALIBRATION_SEED);
        } catch (BadInputException | IllegalArgumentException e) {
            return null;
        }
    }
}
