package org.siamese4j.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.Objects;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.apache.commons.imaging.ImagingParameters;
import org.apache.commons.imaging.bytesource.ByteSource;
import org.apache.commons.imaging.common.BufferedImageFactory;
import org.apache.commons.imaging.formats.bmp.BmpImageParser;
import org.apache.commons.imaging.formats.bmp.BmpImagingParameters;
import org.apache.commons.imaging.formats.gif.GifImageParser;
import org.apache.commons.imaging.formats.gif.GifImagingParameters;
import org.apache.commons.imaging.formats.jpeg.JpegImageParser;
import org.apache.commons.imaging.formats.jpeg.JpegImagingParameters;
import org.apache.commons.imaging.formats.png.PngImageParser;
import org.apache.commons.imaging.formats.png.PngImagingParameters;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;

/**
 * Reads image files into {@link GrayImage}s (or RGB images for drawing), detecting the format from the
 * content, never from the file name: PNG, JPEG (baseline and progressive), PGM/PPM/PBM, BMP and GIF
 * (first frame). Every problem with the input (missing, empty, truncated, corrupt, oversized, an
 * unsupported kind) ends in a {@link BadInputException} whose one-line message names the file.
 *
 * <p>Pixel values: gray 8-bit sources give exactly the file's samples; n-bit samples are scaled as
 * {@code v * 255 / (2^n - 1)} (PGM: {@code v * 255 / maxval}); colour becomes BT.601 luma with
 * OpenCV's fixed-point weights, rounded to a whole level (the one gray conversion every command uses);
 * transparency is composited on white. Colour-management data
 * (gAMA, iCCP, sRGB chunks) is ignored: the result is the file's raw samples.
 *
 * <p>Budgets: files over {@link #MAX_FILE_BYTES} are refused before being read, and images whose header
 * claims more than {@link #MAX_PIXELS} pixels are refused before decoding. Decoding uses commons-imaging
 * first and falls back to javax.imageio (progressive JPEG, 16-bit PNG, or whatever commons-imaging
 * rejects). PNM is decoded here. All methods are thread-safe.
 */
public final class ImageLoader {

    /** The largest image, in pixels, that will be decoded. */
    public static final long MAX_PIXELS = 50_000_000L;

    /** The largest image file, in bytes, that will be read. */
    public static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    /**
     * Makes commons-imaging build packed sRGB images for gray files too; its default gray image is in a
     * linear-gray colour space, which would alter the sample values.
     */
    private static final BufferedImageFactory RGB_FACTORY = new BufferedImageFactory() {
        @Override
        public BufferedImage getColorBufferedImage(int width, int height, boolean hasAlpha) {
            return new BufferedImage(width, height,
                    hasAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        }

        @Override
        public BufferedImage getGrayscaleBufferedImage(int width, int height, boolean hasAlpha) {
            return getColorBufferedImage(width, height, hasAlpha);
        }
    };

    private ImageLoader() {
    }

    /** Reads and decodes an image file to gray. */
    public static GrayImage load(Path file) {
        return decode(readFile(file), file.toString());
    }

    /**
     * Decodes image bytes to gray.
     *
     * @param name where the bytes came from, used only in error messages
     */
    public static GrayImage decode(byte[] bytes, String name) {
        return decode(bytes, name, MAX_PIXELS);
    }

    /** The same with another pixel budget (tests try it at and just past a small value). */
    static GrayImage decode(byte[] bytes, String name, long maxPixels) {
        Objects.requireNonNull(bytes, "bytes");
        checkByteBudget(bytes.length, name);
        ImageHeader header = ImageHeader.read(bytes, name, maxPixels);
        return guarded(name, header, () -> header.format == ImageHeader.Format.PNM
                ? PnmDecoder.decodeGray(bytes, header.pnm, name)
                : RasterConversion.toGray(decodeBuffered(header, name)));
    }

    /** A photo decoded once, as the gray image every command works on and an RGB copy to draw on. */
    public record GrayAndColour(GrayImage gray, BufferedImage colour) {
    }

    /**
     * Decodes image bytes once into both forms: the gray image is exactly {@link #decode}'s, the colour one
     * {@link #decodeColor}'s (annotating a photo needs both, and JPEG decoding is the slow part).
     */
    public static GrayAndColour decodeGrayAndColour(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "bytes");
        checkByteBudget(bytes.length, name);
        ImageHeader header = ImageHeader.read(bytes, name);
        if (header.format == ImageHeader.Format.PNM) {
            return guarded(name, header, () -> new GrayAndColour(PnmDecoder.decodeGray(bytes, header.pnm, name),
                    PnmDecoder.decodeRgb(bytes, header.pnm, name)));
        }
        return guarded(name, header, () -> {
            BufferedImage decoded = decodeBuffered(header, name);
            return new GrayAndColour(RasterConversion.toGray(decoded), RasterConversion.toRgb(decoded));
        });
    }

    /** Reads and decodes an image file to an RGB image (TYPE_INT_RGB), e.g. to draw annotations on. */
    public static BufferedImage loadColor(Path file) {
        return decodeColor(readFile(file), file.toString());
    }

    /** Decodes image bytes to an RGB image (TYPE_INT_RGB); transparency is composited on white. */
    public static BufferedImage decodeColor(byte[] bytes, String name) {
        Objects.requireNonNull(bytes, "bytes");
        checkByteBudget(bytes.length, name);
        ImageHeader header = ImageHeader.read(bytes, name);
        return guarded(name, header, () -> header.format == ImageHeader.Format.PNM
                ? PnmDecoder.decodeRgb(bytes, header.pnm, name)
                : RasterConversion.toRgb(decodeBuffered(header, name)));
    }

    /**
     * Reads a whole file, refusing missing paths, directories, empty files and files over
     * {@link #MAX_FILE_BYTES} before reading them.
     */
    public static byte[] readFile(Path file) {
        String name = file.toString();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new BadInputException(name + ": no such file");
        } catch (IOException | SecurityException e) {
            throw new BadInputException(name + ": cannot read (" + oneLine(e) + ")", e);
        }
        if (attrs.isDirectory()) {
            throw new BadInputException(name + ": is a directory, not an image file");
        }
        if (!attrs.isRegularFile()) {
            throw new BadInputException(name + ": not a regular file");
        }
        checkByteBudget(attrs.size(), name);
        if (attrs.size() == 0) {
            throw new BadInputException(name + ": empty file (0 bytes)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            // bounded read: the file may have grown since its size was checked
            byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            checkByteBudget(bytes.length, name);
            if (bytes.length == 0) {
                throw new BadInputException(name + ": empty file (0 bytes)");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new BadInputException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new BadInputException(name + ": permission denied", e);
        } catch (IOException | SecurityException e) {
            throw new BadInputException(name + ": cannot read (" + oneLine(e) + ")", e);
        }
    }

    private static void checkByteBudget(long size, String name) {
        if (size > MAX_FILE_BYTES) {
            throw new BadInputException(name + ": file too large (" + size + " bytes; limit "
                    + MAX_FILE_BYTES / (1024 * 1024) + " MiB)");
        }
    }

    // ---------------------------------------------------------------- decoding

    private static BufferedImage decodeBuffered(ImageHeader h, String name) {
        switch (h.format) {
            case PNG:
                // commons-imaging reduces 16-bit samples with a shift; ImageIO keeps them for exact scaling
                return h.bitDepth == 16 ? firstOf(h, name, Decoder.IMAGE_IO, Decoder.COMMONS)
                        : firstOf(h, name, Decoder.COMMONS, Decoder.IMAGE_IO);
            case JPEG:
                // commons-imaging decodes sequential JPEG only ("Only sequential, baseline JPEGs")
                boolean sequential = h.jpegProcess == 0xC0 || h.jpegProcess == 0xC1;
                return sequential ? firstOf(h, name, Decoder.COMMONS, Decoder.IMAGE_IO)
                        : firstOf(h, name, Decoder.IMAGE_IO);
            default:
                return firstOf(h, name, Decoder.COMMONS, Decoder.IMAGE_IO);
        }
    }

    private enum Decoder {
        COMMONS, IMAGE_IO
    }

    /** Tries the decoders in order; if all fail, reports the first one's reason. */
    private static BufferedImage firstOf(ImageHeader h, String name, Decoder... decoders) {
        Exception first = null;
        for (Decoder d : decoders) {
            try {
                BufferedImage img = d == Decoder.COMMONS ? decodeWithCommons(h, name) : decodeWithImageIo(h);
                if (img != null && img.getWidth() > 0 && img.getHeight() > 0
                        && (long) img.getWidth() * img.getHeight() <= MAX_PIXELS) {
                    return img;
                }
            } catch (IOException | RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        String reason = first == null ? "the decoder returned no image" : oneLine(first);
        String problem = "corrupt or unsupported " + label(h) + " (" + reason + ")";
        throw first == null ? ImageHeader.bad(name, problem) : new BadInputException(name + ": " + problem, first);
    }

    private static BufferedImage decodeWithCommons(ImageHeader h, String name) throws IOException {
        ByteSource source = ByteSource.array(h.payload, name);
        switch (h.format) {
            case PNG:
                return new PngImageParser().getBufferedImage(source, rgb(new PngImagingParameters()));
            case JPEG:
                return new JpegImageParser().getBufferedImage(source, rgb(new JpegImagingParameters()));
            case GIF:
                return new GifImageParser().getBufferedImage(source, rgb(new GifImagingParameters()));
            case BMP:
                return new BmpImageParser().getBufferedImage(source, rgb(new BmpImagingParameters()));
            default:
                throw new IllegalStateException("no commons-imaging decoder for " + h.format);
        }
    }

    private static <T extends ImagingParameters<T>> T rgb(T params) {
        return params.setBufferedImageFactory(RGB_FACTORY);
    }

    private static BufferedImage decodeWithImageIo(ImageHeader h) throws IOException {
        String format = h.format.name().toLowerCase(java.util.Locale.ROOT);
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new IOException("no javax.imageio reader for " + format);
        }
        ImageReader reader = readers.next();
        // an in-memory stream: ImageIO's default cache would write temporary files
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(h.payload))) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    private static String label(ImageHeader h) {
        if (h.format == ImageHeader.Format.JPEG && h.jpegProcess != 0xC0 && h.jpegProcess != 0xC1) {
            return h.jpegProcess == 0xC2 ? "progressive JPEG"
                    : "JPEG (SOF" + (h.jpegProcess - 0xC0) + ": lossless or arithmetic coding)";
        }
        return h.format.name();
    }

    // ---------------------------------------------------------------- error handling

    private interface Decode<T> {
        T run();
    }

    /**
     * Runs a decode, turning any decoder failure into a BadInputException. Decoders can fail on hostile
     * input with unchecked exceptions (index errors, negative sizes) or, for allocations the header did
     * not predict, with OutOfMemoryError or StackOverflowError; none of those may escape as such.
     */
    private static <T> T guarded(String name, ImageHeader h, Decode<T> decode) {
        try {
            return decode.run();
        } catch (BadInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BadInputException(name + ": corrupt " + label(h) + " (" + oneLine(e) + ")", e);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw new BadInputException(name + ": " + label(h) + " " + h.width + "x" + h.height
                    + " could not be decoded (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A throwable's message flattened to one short line. */
    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.replaceAll("\\s+", " ").trim();
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
