package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.OpenSetCalibration;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.gallery.Gallery;
import org.siamese4j.model.image.GrayImage;

class FaceRecognizerTest {
    /**
     * A small random tower with a head that scores p(same) = sigmoid(6 - 8 x L1 distance): an image scores
     * 0.9975 against itself, and another pattern far less.
     */
    static SiameseModel model(Optional<OpenSetCalibration> calibration) {
        Architecture arch = new Architecture("face-test", 24, 24,
                LayerSpec.parseList("conv 3x3 8 pad=1 relu; pool 2; dense 16 sigmoid"));
        SiameseNet net = SiameseNet.create(arch, Backend.kernels("scalar", 1), false);
        Initializer.HE.initialize(net, 3);
        for (int i = 0; i < net.embeddingSize(); i++) {
            net.head().weight().value().set(i, -8f);
        }
        net.head().bias().value().set(0, 6f);
        return SiameseModel.of(new ModelFile.Loaded(net, Preprocessing.plain(24, 24), 0.9, Map.of(), "a".repeat(64), calibration));
    }

    static GrayImage pattern(int kind) {
        float[] p = new float[32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                p[y * 32 + x] = switch (kind) {
                    case 0 -> x * 8;
                    case 1 -> y * 8;
                    default -> ((x / 4 + y / 4) % 2) * 255;
                };
            }
        }
        return new GrayImage(32, 32, p);
    }

    private static FaceRecognizer enrolled(MatchRule rule) {
        SiameseModel model = model(Optional.empty());
        FaceRecognizer r = new FaceRecognizer(new FaceEmbedder(model, null), Gallery.create(model.sha256(), model.embeddingSize()), rule);
        assertEquals(List.of(), r.enrol("Ada", List.of(pattern(0)), List.of("ada.png")));
        r.enrol("Bob", List.of(pattern(1)), List.of("bob.png"));
        return r;
    }

    @Test
    void namesAnEnrolledFaceAndCallsItUnknownUnderAStricterRule() {
        FaceRecognizer r = enrolled(MatchRule.threshold(0.99));
        FaceRecognizer.Identified ada = r.identify(pattern(0), "query.png", 2);
        assertEquals("Ada", ada.name());
        assertFalse(ada.unknown());
        assertEquals(2, ada.top().size());
        assertEquals("Ada", ada.best().name());
        assertEquals(0.9975, ada.best().probability(), 1e-3);

        FaceRecognizer strict = r.withRule(MatchRule.threshold(0.999));
        FaceRecognizer.Identified again = strict.identify(pattern(0), "query.png", 1);
        assertTrue(again.unknown());
        assertEquals(FaceRecognizer.UNKNOWN, again.name());
        assertEquals("Ada", again.best().name(), "the closest is still reported");
    }

    @Test
    void theFpirRuleFallsBackToTheEqualErrorThresholdWithoutACalibrationAndSaysSo() {
        FaceRecognizer r = enrolled(MatchRule.defaults());
        MatchRule.Decision d = r.decision();
        assertTrue(d.fellBack());
        assertEquals(0.9, d.probability(), 1e-9);
        assertTrue(d.rule().contains("no open-set calibration"), d.rule());
    }

    @Test
    void theFpirRuleReadsTheCalibrationForTheGallerysSize() {
        double[] low = new double[101];
        double[] high = new double[101];
        for (int i = 0; i <= 100; i++) {
            low[i] = i / 10.0;
            high[i] = 5 + i / 10.0;
        }
        OpenSetCalibration c = new OpenSetCalibration(30, new int[] {1, 2}, new long[] {1000, 1000},
                new double[][] {OpenSetCalibration.quantileTable(low, 101), OpenSetCalibration.quantileTable(high, 101)});
        SiameseModel model = model(Optional.of(c));
        Gallery gallery = Gallery.create(model.sha256(), model.embeddingSize());
        FaceRecognizer r = new FaceRecognizer(new FaceEmbedder(model, null), gallery, MatchRule.fpir(0.01));
        r.enrol("Ada", List.of(pattern(0)), List.of("a"));
        assertEquals(9.9, r.decision().logit(), 1e-5);
        r.enrol("Bob", List.of(pattern(1)), List.of("b"));
        MatchRule.Decision two = r.decision();
        assertEquals(14.9, two.logit(), 1e-5, "a gallery of two needs the higher threshold");
        assertFalse(two.fellBack());
        assertTrue(two.rule().startsWith("FPIR 1 % for a gallery of 2: p >= "), two.rule());
        assertTrue(r.identify(pattern(0), "q", 1).unknown(), "0.9975 is below p >= sigmoid(14.9)");
    }

    @Test
    void refusesAnotherModelsGalleryAndPhotosWithoutADetector() {
        SiameseModel model = model(Optional.empty());
        Gallery other = Gallery.create("b".repeat(64), model.embeddingSize());
        assertThrows(BadInputException.class, () -> FaceRecognizer.open(model, other));
        FaceRecognizer noDetector = enrolled(MatchRule.defaults());
        assertThrows(IllegalStateException.class, () -> noDetector.identifyAll(pattern(2), 1));
        Gallery empty = Gallery.create(model.sha256(), model.embeddingSize());
        FaceRecognizer nobody = new FaceRecognizer(new FaceEmbedder(model, null), empty, MatchRule.defaults());
        assertThrows(BadInputException.class, () -> nobody.identify(pattern(0), "q", 1));
    }

    @Test
    void theBuiltInDetectorAndCascadeLoadFromTheJar() {
        FaceDetector detector = FaceDetector.standard();
        assertEquals(25, detector.cascade().stageCount());
        assertTrue(detector.cascade().source().contains("built-in"), detector.cascade().source());
        assertEquals(List.of(), detector.detect(pattern(2)), "no face in a checkerboard");
    }
}
