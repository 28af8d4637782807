package org.siamese4j.faces;

import java.util.List;
import java.util.Objects;
import org.siamese4j.model.image.GrayImage;

/**
 * Frames the face of a training image (one person per image) exactly as the face commands frame a face found
 * in a photo: the detector's box, mapped through {@link FaceCropper} to the model's crop. Aligned crops and
 * raw photos thus reach the network in one frame. An image where the detector finds no face, or several, is
 * not framed: which face is the labelled person's cannot be told, so training leaves it out.
 * Immutable and safe to share between threads.
 */
public final class FaceFraming {

    /**
     * What framing one image gave.
     *
     * @param found how many faces the detector found
     * @param box the face's box in image pixels when exactly one was found, else null
     * @param face the framed face (the input size, pixel values 0..255, not normalised), else null
     */
    public record Framed(int found, Box box, GrayImage face) {
        /** Exactly one face was found and framed. */
        public boolean framed() {
            return face != null;
        }

        /** Why the image was not framed ("no face found", "several faces found"), or null when it was. */
        public String leftOutBecause() {
            return found == 0 ? "no face found" : found > 1 ? "several faces found" : null;
        }
    }

    private final FaceDetector detector;
    private final FaceCropper cropper;

    public FaceFraming(FaceDetector detector, FaceCropper cropper) {
        this.detector = Objects.requireNonNull(detector, "detector");
        this.cropper = Objects.requireNonNull(cropper, "cropper");
    }

    public FaceCropper cropper() {
        return cropper;
    }

    /** Detects the faces of a gray image as the face commands do ({@link FaceDetector#detectPortrait}) and frames the only one. */
    public Framed frame(GrayImage image) {
        List<Box> faces = detector.detectPortrait(image);
        if (faces.size() != 1) {
            return new Framed(faces.size(), null, null);
        }
        Box box = faces.get(0);
        return new Framed(1, box, cropper.geometry(image, box));
    }
}
