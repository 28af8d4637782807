package org.siamese4j.faces;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one face to use from an image that should show one person (an enrolment image, a face to
 * identify): the only detection, the largest of several, or, when the detector finds none, the whole
 * image, on the assumption that it is already a face crop (as the seed app's 100x100 images are, often
 * too tight for the detector's minimum window).
 *
 * @param box the face box in image pixels
 * @param found how many faces the detector found
 */
public record FaceChoice(Box box, int found) {
    public FaceChoice {
        Objects.requireNonNull(box, "box");
        if (found < 0) {
            throw new IllegalArgumentException("negative face count " + found);
        }
    }

    /**
     * Chooses among the detections of an image of the given size: the largest box by area (the first, left
     * to right, among equals), or the whole image when there are none.
     */
    public static FaceChoice of(List<Box> detections, int imageWidth, int imageHeight) {
        if (detections.isEmpty()) {
            return new FaceChoice(new Box(0, 0, imageWidth, imageHeight), 0);
        }
        Box largest = detections.get(0);
        for (Box b : detections) {
            if ((long) b.w() * b.h() > (long) largest.w() * largest.h()) {
                largest = b;
            }
        }
        return new FaceChoice(largest, detections.size());
    }

    /** The image was used whole because the detector found no face in it. */
    public boolean wholeImage() {
        return found == 0;
    }

    /** A one-line notice when the choice was not clear-cut (no face, or several), naming the image. */
    public Optional<String> warning(String imageName) {
        if (found == 0) {
            return Optional.of(imageName + ": no face found, using the whole image as the face");
        }
        if (found > 1) {
            return Optional.of(imageName + ": " + found + " faces found, using the largest (x " + box.x() + ", y "
                    + box.y() + ", " + box.w() + "x" + box.h() + ")");
        }
        return Optional.empty();
    }
}
