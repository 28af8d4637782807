package org.siamese4j.faces;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.gallery.Gallery;

/**
 * What {@code enroll --dir DIR} enrols. Two layouts, which may be mixed:
 * <ul>
 *   <li>{@code DIR/Name.jpg}: one person per image file, named by the file name without its extension;</li>
 *   <li>{@code DIR/Person Name/N.jpg}: one person per folder, named by the folder, with the folder's first
 *   {@code perPerson} images in natural order (2.jpg before 10.jpg).</li>
 * </ul>
 * Image files are recognised by extension here (the content decides the format when they are read);
 * hidden files are skipped, other files are skipped with a warning.
 */
public final class EnrolmentFolder {
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "pgm", "ppm", "pbm", "pnm", "bmp", "gif");

    /** A person to enrol, the images to use, and the folder entry they come from (for messages). */
    public record Person(String name, List<Path> images, String entry) {
    }

    /** The people in order of name, and notices about skipped entries. */
    public record Plan(List<Person> people, List<String> warnings) {
    }

    private EnrolmentFolder() {
    }

    /**
     * @throws BadInputException the folder is missing or unreadable, holds nobody to enrol, two entries give
     *     the same name, or a name is not a valid person name
     */
    public static Plan scan(Path dir, int perPerson) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + (Files.exists(dir) ? ": not a folder" : ": no such folder"));
        }
        List<String> warnings = new ArrayList<>();
        Map<String, Person> byName = new LinkedHashMap<>();
        for (Path entry : sortedEntries(dir)) {
            String fileName = entry.getFileName().toString();
            if (fileName.startsWith(".")) {
                continue;
            }
            Person person;
            if (Files.isDirectory(entry)) {
                List<Path> images = sortedEntries(entry).stream()
                        .filter(p -> isImageName(p.getFileName().toString()) && Files.isRegularFile(p))
                        .toList();
                if (images.isEmpty()) {
                    warnings.add(entry + ": no images, skipped");
                    continue;
                }
                person = new Person(fileName, images.subList(0, Math.min(perPerson, images.size())), fileName + "/");
            } else if (isImageName(fileName) && Files.isRegularFile(entry)) {
                person = new Person(fileName.substring(0, fileName.lastIndexOf('.')), List.of(entry), fileName);
            } else {
                warnings.add(entry + ": skipped, not an image (" + String.join(" ", sortedExtensions()) + ")");
                continue;
            }
            try {
                Gallery.checkName(person.name());
            } catch (BadInputException e) {
                throw new BadInputException(entry + ": " + e.getMessage(), e);
            }
            Person earlier = byName.putIfAbsent(person.name(), person);
            if (earlier != null) {
                throw new BadInputException(dir + ": the name '" + person.name() + "' is given twice, by "
                        + earlier.entry() + " and " + person.entry() + "; one enroll call enrols each person once");
            }
        }
        if (byName.isEmpty()) {
            throw new BadInputException(dir + ": nobody to enrol (expected Name.jpg files or 'Person Name' folders of images)");
        }
        return new Plan(List.copyOf(byName.values()), warnings);
    }

    public static boolean isImageName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static List<String> sortedExtensions() {
        return IMAGE_EXTENSIONS.stream().sorted().map(e -> "." + e).toList();
    }

    private static List<Path> sortedEntries(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(dir + ": cannot list the folder (" + e.getMessage() + ")", e);
        }
        entries.sort(Comparator.comparing(p -> p.getFileName().toString(), EnrolmentFolder::naturalCompare));
        return entries;
    }

    /** Compares runs of digits by value and everything else by character: "2.jpg" before "10.jpg". */
    public static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ei = digitsEnd(a, i);
                int ej = digitsEnd(b, j);
                String da = stripZeros(a.substring(i, ei));
                String db = stripZeros(b.substring(j, ej));
                int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
                if (c != 0) {
                    return c;
                }
                i = ei;
                j = ej;
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int c = Integer.compare(a.length() - i, b.length() - j);
        return c != 0 ? c : a.compareTo(b);
    }

    private static int digitsEnd(String s, int from) {
        int k = from;
        while (k < s.length() && isDigit(s.charAt(k))) {
            k++;
        }
        return k;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String stripZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') {
            k++;
        }
        return digits.substring(k);
    }
}
