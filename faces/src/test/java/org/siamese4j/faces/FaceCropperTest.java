package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.image.GrayImage;

/** The crop geometry: a detection maps to the model's crop, exactly when the box is the reference box. */
class FaceCropperTest {
    /** A face model's preprocessing: a crop around the face in the 250x250 frame, 32x32 input, normalised. */
    private static final Preprocessing FACE = new Preprocessing(32, 32, 0.2134, 0.1866, 0.58, 0.62, false, 0.45, 0.22);

    @TempDir
    Path dir;

    /** A 250x250 test frame with a distinct value at every pixel. */
    private static GrayImage frame(int w, int h) {
        float[] p = new float[w * h];
        for (int i = 0; i < p.length; i++) {
            p[i] = (i * 37 + (i / w) * 11) % 256;
        }
        return new GrayImage(w, h, p);
    }

    @Test
    void theReferenceBoxInATrainingImageGivesExactlyTheModelsInput() {
        GrayImage image = frame(250, 250);
        FaceCropper cropper = new FaceCropper(FACE, FaceCropper.LFW);
        Box median = new Box(66, 66, 122, 122); // the LFW reference box in pixels
        FaceCropper.Region r = cropper.region(median);
        assertEquals(0.2134 * 250, r.x(), 1e-9);
        assertEquals(0.1866 * 250, r.y(), 1e-9);
        assertEquals(0.58 * 250, r.width(), 1e-9);
        assertEquals(0.62 * 250, r.height(), 1e-9);
        assertArrayEquals(FACE.apply(image), cropper.input(image, median));
    }

    @Test
    void embeddingTheCropOfTheReferenceBoxEqualsEmbeddingTheTrainingImage() {
        Architecture arch = new Architecture("tiny32", 32, 32, LayerSpec.parseList("conv 3x3 4 pad=1 relu; pool 2; dense 8 sigmoid"));
        SiameseNet net = SiameseNet.create(arch, Backend.kernels("scalar", 1), false);
        Initializer.HE.initialize(net, 3);
        Path file = dir.resolve("face.s4j");
        ModelFile.save(file, net, FACE, 0.5, Map.of());
        SiameseModel model = SiameseModel.load(file, Backend.kernels("scalar", 1));
        GrayImage image = frame(250, 250);
        float[] viaCropper = model.embedPreprocessed(FaceCropper.forModel(model).input(image, new Box(66, 66, 122, 122)), 1);
        assertArrayEquals(model.embed(image), viaCropper);
    }

    @Test
    void theRegionFollowsTheBoxThroughTranslationAndScale() {
        FaceCropper cropper = new FaceCropper(FACE, FaceCropper.LFW);
        // the same face twice as large, with the training frame's origin at (40, 25) of a photo
        Box box = new Box(40 + 132, 25 + 132, 244, 244);
        FaceCropper.Region r = cropper.region(box);
        assertEquals(40 + 0.2134 * 500, r.x(), 1e-9);
        assertEquals(25 + 0.1866 * 500, r.y(), 1e-9);
        assertEquals(0.58 * 500, r.width(), 1e-9);
        assertEquals(0.62 * 500, r.height(), 1e-9);
        assertEquals(new Box(147, 118, 290, 310), r.pixels());
        // a non-square box scales the axes separately
        FaceCropper.Region wide = cropper.region(new Box(0, 0, 244, 122));
        assertEquals(0.58 * 500, wide.width(), 1e-9);
        assertEquals(0.62 * 250, wide.height(), 1e-9);
    }

    @Test
    void partsOutsideThePhotoRepeatTheNearestEdge() {
        GrayImage photo = frame(60, 40);
        FaceCropper cropper = new FaceCropper(Preprocessing.plain(8, 8).withCrop(0.1, 0.1, 0.8, 0.8), FaceCropper.LFW);
        Box box = new Box(0, 0, 40, 40); // face at the corner: the crop starts left of and above the photo
        Box pixels = cropper.region(box).pixels();
        assertTrue(pixels.x() < 0 && pixels.y() < 0, pixels.toString());
        GrayImage crop = cropper.crop(photo, box);
        assertEquals(pixels.w(), crop.width());
        assertEquals(photo.get(0, 0), crop.get(0, 0));
        assertEquals(photo.get(0, 0), crop.get(-pixels.x(), -pixels.y()));
        assertEquals(photo.get(1, 0), crop.get(-pixels.x() + 1, 0));
        assertEquals(64, cropper.input(photo, box).length);
    }

    @Test
    void theReferenceComesFromModelMetadataWhenPresent() {
        SiameseModel plain = model(Map.of());
        assertEquals(FaceCropper.LFW, FaceCropper.forModel(plain).reference());
        SiameseModel custom = model(Map.of(FaceCropper.METADATA_KEY, "0.25, 0.3,0.5,0.45"));
        assertEquals(new FaceCropper.Reference(0.25, 0.3, 0.5, 0.45), FaceCropper.forModel(custom).reference());
        for (String bad : List.of("0.25,0.3,0.5", "a,b,c,d", "0.6,0.3,0.5,0.45", "0.2,0.2,0,0.5", "NaN,0,0.5,0.5", "")) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> FaceCropper.forModel(model(Map.of(FaceCropper.METADATA_KEY, bad))), bad);
            assertTrue(e.getMessage().contains("invalid face-box entry"), e.getMessage());
        }
        assertEquals(FaceCropper.LFW, FaceCropper.Reference.parse(FaceCropper.LFW.format()));
    }

    @Test
    void facesAreTurnedUprightOnlyForAModelTrainedSo() {
        assertFalse(FaceCropper.forModel(model(Map.of())).aligns());
        assertTrue(FaceCropper.forModel(model(Map.of(FaceCropper.ALIGN_KEY, FaceCropper.UPRIGHT))).aligns());
        BadInputException e = assertThrows(BadInputException.class,
                () -> FaceCropper.forModel(model(Map.of(FaceCropper.ALIGN_KEY, "landmarks"))));
        assertTrue(e.getMessage().contains("unknown face-align entry 'landmarks'"), e.getMessage());
    }

    @Test
    void aFaceChoiceTakesTheOnlyOrTheLargestFaceOrTheWholeImage() {
        FaceChoice none = FaceChoice.of(List.of(), 100, 80);
        assertEquals(new Box(0, 0, 100, 80), none.box());
        assertTrue(none.wholeImage());
        assertEquals("a.jpg: no face found, using the whole image as the face", none.warning("a.jpg").orElseThrow());

        FaceChoice one = FaceChoice.of(List.of(new Box(10, 10, 50, 50)), 100, 80);
        assertEquals(new Box(10, 10, 50, 50), one.box());
        assertFalse(one.warning("a.jpg").isPresent());

        FaceChoice several = FaceChoice.of(List.of(new Box(0, 0, 30, 30), new Box(40, 0, 45, 45), new Box(50, 50, 45, 45)), 100, 100);
        assertEquals(new Box(40, 0, 45, 45), several.box());
        assertEquals("a.jpg: 3 faces found, using the largest (x 40, y 0, 45x45)", several.warning("a.jpg").orElseThrow());
    }

    private SiameseModel model(Map<String, String> metadata) {
        Architecture arch = new Architecture("tiny", 8, 8, LayerSpec.parseList("dense 4 sigmoid"));
        SiameseNet net = SiameseNet.create(arch, Backend.kernels("scalar", 1), false);
        Initializer.HE.initialize(net, 1);
        Path file = dir.resolve("m" + metadata.hashCode() + ".s4j");
        ModelFile.save(file, net, Preprocessing.plain(8, 8), 0.5, metadata);
        return SiameseModel.load(file, Backend.kernels("scalar", 1));
    }
}
