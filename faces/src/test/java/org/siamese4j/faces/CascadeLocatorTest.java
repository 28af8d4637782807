package org.siamese4j.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

class CascadeLocatorTest {
    @TempDir
    Path dir;

    @Test
    void returnsTheFirstExistingCandidate() throws IOException {
        Path first = dir.resolve("a/" + CascadeLocator.CASCADE_FILE);
        Path second = dir.resolve("b/" + CascadeLocator.CASCADE_FILE);
        Files.createDirectories(second.getParent());
        Files.writeString(second, "<opencv_storage/>");
        CascadeLocator locator = new CascadeLocator(List.of(first, second));
        assertEquals(second, locator.locate());
        Files.createDirectories(first.getParent());
        Files.writeString(first, "<opencv_storage/>");
        assertEquals(first, locator.locate());
    }

    @Test
    void saysWhatToDoWhenNothingIsFound() {
        // a directory is not a cascade file
        CascadeLocator locator = new CascadeLocator(List.of(dir, dir.resolve("missing.xml")));
        BadInputException e = assertThrows(BadInputException.class, locator::locate);
        assertEquals("no face cascade found: pass --cascade FILE, or install Debian's opencv-data package"
                + " (apt-get install opencv-data)", e.getMessage());
    }

    @Test
    void explicitCascadeWinsAndMustExist() throws IOException {
        Path mine = dir.resolve("mine.xml");
        CascadeLocator locator = new CascadeLocator(List.of());
        BadInputException e = assertThrows(BadInputException.class, () -> locator.resolve(mine));
        assertTrue(e.getMessage().contains(mine.toString()), e.getMessage());
        Files.writeString(mine, "<opencv_storage/>");
        assertEquals(mine, locator.resolve(mine));
        assertThrows(BadInputException.class, () -> locator.resolve(null));
    }

    @Test
    void standardPlacesPutTheDataDirectoryFirst() {
        List<Path> candidates = CascadeLocator.standardCandidates("/data");
        assertEquals(Path.of("/data/cascades/haarcascade_frontalface_default.xml"), candidates.get(0));
        assertTrue(candidates.contains(Path.of("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml")));
        assertTrue(candidates.contains(Path.of("/usr/share/opencv/haarcascades/haarcascade_frontalface_default.xml")));
        assertTrue(candidates.contains(
                Path.of("/usr/local/share/opencv4/haarcascades/haarcascade_frontalface_default.xml")));
        assertEquals(candidates.size() - 1, CascadeLocator.standardCandidates(null).size());
        assertEquals(candidates.size() - 1, CascadeLocator.standardCandidates(" ").size());
        assertEquals(CascadeLocator.standardCandidates(System.getenv("SIAMESE_DATA")),
                CascadeLocator.standard().candidates());
    }

    @Test
    void findsTheProjectCascadeWhenDataIsSet() {
        Path real = TestCascades.realCascade("the cascade location test");
        assertEquals(real, CascadeLocator.standard().locate());
    }
}
