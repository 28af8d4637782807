package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

class WriteLockTest {
    @TempDir
    Path dir;

    @Test
    void secondAcquireInTheSameJvmFailsClearly() {
        Path target = dir.resolve("model.s4j");
        try (WriteLock lock = WriteLock.acquire(target)) {
            assertEquals(dir.resolve("model.s4j.lock"), lock.lockFile());
            BadInputException e = assertThrows(BadInputException.class, () -> WriteLock.acquire(target));
            assertEquals(target + " is in use by another siamese4j process (lock " + target + ".lock)", e.getMessage());
            // Other targets in the same folder are independent.
            WriteLock.acquire(dir.resolve("other.s4j")).close();
        }
        try (WriteLock again = WriteLock.acquire(target)) {
            assertTrue(Files.exists(again.lockFile()), "the lock file is left in place by design");
        }
    }

    @Test
    void closeIsIdempotent() {
        WriteLock lock = WriteLock.acquire(dir.resolve("m.s4j"));
        lock.close();
        lock.close();
        WriteLock.acquire(dir.resolve("m.s4j")).close();
    }

    @Test
    void lockHeldByAnotherProcessUntilItIsKilled() throws Exception {
        Path target = dir.resolve("ckpt.s4j");
        try (ChildJvm child = ChildJvm.start(dir, List.of("-Xmx32m", "-XX:+UseSerialGC"), "hold-lock", target.toString())) {
            child.awaitLine("locked", 60_000);
            BadInputException e = assertThrows(BadInputException.class, () -> WriteLock.acquire(target));
            assertEquals(target + " is in use by another siamese4j process (lock " + target + ".lock)", e.getMessage());
            child.killAndDrain();
        }
        // The OS released the dead process's lock; the leftover lock file does not block.
        assertTrue(Files.exists(dir.resolve("ckpt.s4j.lock")));
        try (WriteLock lock = WriteLock.acquire(target)) {
            AtomicFile.write(lock.target(), out -> out.writeInt(1));
        }
    }

    @Test
    void missingFolder() {
        Path missing = dir.resolve("nope");
        BadInputException e = assertThrows(BadInputException.class, () -> WriteLock.acquire(missing.resolve("m.s4j")));
        assertEquals(missing + ": not writable (folder does not exist)", e.getMessage());
    }
}
