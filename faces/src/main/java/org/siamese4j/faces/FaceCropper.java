package org.siamese4j.faces;

import java.util.Locale;
import java.util.Objects;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.model.image.ImageOps;

/**
 * Cuts a face out of a photo the way the face model saw faces in training, so that a detection in a group
 * photo and an aligned training image give the model the same view of a face.
 *
 * <p>A face model is trained on aligned images (LFW: 250x250, face in the middle) and its
 * {@link Preprocessing} crop is a rectangle in that <em>training frame</em>, in fractions. Our detector,
 * run over the training images, puts the face box at a typical place in that frame: the
 * {@link Reference}. A detection box in a photo therefore fixes where the training frame would lie in the
 * photo, and with it where the model's crop lies:
 * <pre>
 *   x = box.x + (cropLeft - ref.left) / ref.width * box.w      w = cropWidth / ref.width * box.w
 *   y = box.y + (cropTop  - ref.top)  / ref.height * box.h     h = cropHeight / ref.height * box.h
 * </pre>
 * That region (parts outside the photo read as the nearest edge pixel, as {@link ImageOps#crop} does) is
 * resized to the input size and normalised with the model's own settings: the model's preprocessing with
 * its crop replaced by the whole region. Feed the result to {@link SiameseModel#embedPreprocessed}; it
 * must not go through {@link SiameseModel#embed}, which would crop a second time.
 *
 * <p>The reference is model metadata ({@value #METADATA_KEY}, four comma-separated fractions), because it
 * depends on the training set's alignment; without it the LFW value {@link #LFW} applies. Immutable.
 */
public final class FaceCropper {
    /** Model metadata key holding the reference box: {@code "left,top,width,height"} in fractions. */
    public static final String METADATA_KEY = "face-box";

    /** Model metadata key saying how faces are turned before cropping: {@value #UPRIGHT}, or absent for not at all. */
    public static final String ALIGN_KEY = "face-align";

    /** The {@value #ALIGN_KEY} value for faces turned upright by {@link FaceAligner}. */
    public static final String UPRIGHT = "upright";

    /**
     * Where the detector (scale 1.15, minNeighbors 6) puts the face in LFW's aligned 250x250 images: the
     * median box (66, 66, 122, 122) over the training set.
     */
    public static final Reference LFW = new Reference(0.264, 0.264, 0.488, 0.488);

    /**
     * A detector box in the training frame, in fractions of the frame's width and height.
     *
     * @throws IllegalArgumentException a value is not finite, the size is not positive, or the box does not
     *     lie inside the frame
     */
    public record Reference(double left, double top, double width, double height) {
        public Reference {
            if (!(Double.isFinite(left) && Double.isFinite(top) && Double.isFinite(width) && Double.isFinite(height))) {
                throw new IllegalArgumentException("face box fractions must be finite numbers");
            }
            if (!(width > 0 && height > 0)) {
                throw new IllegalArgumentException("face box width and height must be > 0");
            }
            if (left < 0 || top < 0 || left + width > 1 + 1e-9 || top + height > 1 + 1e-9) {
                throw new IllegalArgumentException("face box must lie inside the frame (fractions 0..1)");
            }
        }

        /** Parses {@code "left,top,width,height"}, e.g. {@code "0.264,0.264,0.488,0.488"}. */
        public static Reference parse(String text) {
            String[] parts = text.split(",", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("expected left,top,width,height as four fractions");
            }
            double[] v = new double[4];
            for (int i = 0; i < 4; i++) {
                try {
                    v[i] = Double.parseDouble(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + parts[i].trim() + "' is not a number");
                }
            }
            return new Reference(v[0], v[1], v[2], v[3]);
        }

        /** The form {@link #parse} reads, for model metadata. */
        public String format() {
            return left + "," + top + "," + width + "," + height;
        }
    }

    /** A rectangle in photo pixels; it may extend past the photo's edges. */
    public record Region(double x, double y, double width, double height) {
        /**
         * The pixel rectangle this region covers, rounded as {@link Preprocessing} rounds its crop, so a
         * region equal to the model's crop in a training image selects exactly the same pixels.
         */
        public Box pixels() {
            return new Box((int) Math.round(x), (int) Math.round(y), Math.max(1, (int) Math.round(width)),
                    Math.max(1, (int) Math.round(height)));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Region[%.1f, %.1f, %.1f x %.1f]", x, y, width, height);
        }
    }

    private final Preprocessing preprocessing;
    private final Preprocessing wholeRegion;
    private final Reference reference;
    private final FaceAligner aligner;

    /**
     * A cropper that takes faces as they stand in the photo.
     *
     * @param preprocessing the model's preprocessing: its crop is the face crop in the training frame
     * @param reference where the detector puts a face in the training frame
     */
    public FaceCropper(Preprocessing preprocessing, Reference reference) {
        this(preprocessing, reference, null);
    }

    /**
     * @param preprocessing the model's preprocessing: its crop is the face crop in the training frame
     * @param reference where the detector puts a face in the training frame
     * @param aligner turns each face upright before cropping; null to take faces as they stand
     */
    public FaceCropper(Preprocessing preprocessing, Reference reference, FaceAligner aligner) {
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.reference = Objects.requireNonNull(reference, "reference");
        this.wholeRegion = preprocessing.withCrop(0, 0, 1, 1);
        this.aligner = aligner;
    }

    /**
     * The cropper for a model: its preprocessing, and its {@value #METADATA_KEY} metadata or else
     * {@link #LFW}.
     *
     * @throws BadInputException the model's face-box metadata is malformed
     */
    public static FaceCropper forModel(SiameseModel model) {
        return forModel(model.preprocessing(), model.metadata(), model.sha256());
    }

    /**
     * The cropper for a model given by its parts (a model file read for training or evaluation): its
     * preprocessing, and the {@value #METADATA_KEY} entry of its metadata or else {@link #LFW}.
     *
     * @param sha256 the model's SHA-256, naming it in the message about a malformed entry
     * @throws BadInputException the face-box metadata is malformed
     */
    public static FaceCropper forModel(Preprocessing preprocessing, java.util.Map<String, String> metadata, String sha256) {
        String text = metadata.get(METADATA_KEY);
        Reference reference = LFW;
        if (text != null) {
            try {
                reference = Reference.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("model " + shortSha(sha256) + " has an invalid " + METADATA_KEY
                        + " entry '" + printable(text) + "': " + e.getMessage());
            }
        }
        String align = metadata.get(ALIGN_KEY);
        if (align != null && !align.equals(UPRIGHT)) {
            throw new BadInputException("model " + shortSha(sha256) + " has an unknown " + ALIGN_KEY + " entry '"
                    + printable(align) + "' (this version knows '" + UPRIGHT + "')");
        }
        return new FaceCropper(preprocessing, reference, align == null ? null : FaceAligner.standard());
    }

    public Reference reference() {
        return reference;
    }

    /** The model's preprocessing this cropper follows. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Where the model's crop lies in the photo for a face detected at {@code face}. */
    public Region region(Box face) {
        double scaleX = face.w() / reference.width();
        double scaleY = face.h() / reference.height();
        return new Region(
                face.x() + (preprocessing.cropLeft() - reference.left()) * scaleX,
                face.y() + (preprocessing.cropTop() - reference.top()) * scaleY,
                preprocessing.cropWidth() * scaleX,
                preprocessing.cropHeight() * scaleY);
    }

    /**
     * The photo's pixels in {@link #region}, at photo resolution and as they stand (not turned upright); outside
     * the photo the nearest edge repeats.
     */
    public GrayImage crop(GrayImage photo, Box face) {
        Box r = region(face).pixels();
        return ImageOps.crop(photo, r.x(), r.y(), r.w(), r.h());
    }

    /** Whether faces are turned upright before cropping. */
    public boolean aligns() {
        return aligner != null;
    }

    /** The angle {@link #geometry} turns this face by (see {@link FaceAligner#uprightAngle}); 0 when not aligning. */
    public double uprightAngle(GrayImage photo, Box face) {
        return aligner == null ? 0 : aligner.uprightAngle(photo, face);
    }

    /**
     * The crop resized to the input size, pixel values 0..255, not normalised: what training augments. With an
     * aligner, the crop is first turned upright about the face's centre.
     */
    public GrayImage geometry(GrayImage photo, Box face) {
        double degrees = uprightAngle(photo, face);
        if (degrees == 0) {
            return wholeRegion.geometry(crop(photo, face));
        }
        Region r = region(face);
        int width = preprocessing.width();
        int height = preprocessing.height();
        return FaceAligner.turned(photo, face.x() + face.w() / 2.0, face.y() + face.h() / 2.0, degrees, r.x(), r.y(),
                r.width() / width, r.height() / height, width, height);
    }

    /** The network input for the face: the crop, resized and normalised as the model expects. */
    public float[] input(GrayImage photo, Box face) {
        float[] pixels = geometry(photo, face).pixels().clone();
        wholeRegion.normalize(pixels, 0, pixels.length);
        return pixels;
    }

    private static String shortSha(String sha) {
        return sha.isEmpty() ? "(unsaved)" : sha.substring(0, Math.min(8, sha.length()));
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 60; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 60 ? b + "..." : b.toString();
    }
}
