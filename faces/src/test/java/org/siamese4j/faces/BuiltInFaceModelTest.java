package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.SiameseModel;

class BuiltInFaceModelTest {
    @Test
    void theJarCarriesACalibratedFaceModelWhoseShaTheReadmeGives() throws IOException {
        assertTrue(BuiltInFaceModel.present(), "the faces module ships " + BuiltInFaceModel.RESOURCE);
        SiameseModel model = BuiltInFaceModel.load(Backend.kernels("scalar", 1));
        assertTrue(model.openSetCalibration().isPresent(), "identify and annotate need its open-set calibration");
        assertTrue(model.metadata().containsKey(FaceCropper.METADATA_KEY), "the detector's face box in its training frame");
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains(model.sha256()), "README.md gives the built-in model's SHA-256 " + model.sha256());
    }
}
