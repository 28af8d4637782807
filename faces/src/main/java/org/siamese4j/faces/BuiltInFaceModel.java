package org.siamese4j.faces;

import java.io.IOException;
import java.io.InputStream;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.SiameseModel;

/**
 * The face model that ships inside the jar, used when no model is named. How it was made (the command, the
 * data it saw, its accuracy and SHA-256) is in the README's face section.
 */
public final class BuiltInFaceModel {
    /** The resource, next to this class. */
    public static final String RESOURCE = "face-model.s4j";
    /** How it is named in messages and galleries' notes. */
    public static final String NAME = "built-in face model";

    private BuiltInFaceModel() {
    }

    /** Whether this build carries the model. */
    public static boolean present() {
        return BuiltInFaceModel.class.getResource(RESOURCE) != null;
    }

    /** The model with the default kernels. */
    public static SiameseModel load() {
        return load(Backend.kernels());
    }

    /** @throws BadInputException this build carries no face model (then a model file must be named) */
    public static SiameseModel load(Kernels kernels) {
        return SiameseModel.of(loadFile(kernels));
    }

    /** The model file as read, with its network, metadata and calibration (for evaluation). */
    public static ModelFile.Loaded loadFile(Kernels kernels) {
        try (InputStream in = BuiltInFaceModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new BadInputException("this build has no built-in face model; pass --model FILE");
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, ModelFile.MAX_FILE_BYTES));
            return ModelFile.load(bytes, NAME, kernels);
        } catch (IOException e) {
            throw new BadInputException(NAME + ": cannot be read from the jar (" + e.getMessage() + ")", e);
        }
    }
}
