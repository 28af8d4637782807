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
            assertEquals(target + " is in use by another siamese4j process (process " + ProcessHandle.current().pid()
                    + ", lock " + target + ".lock)", e.getMessage());
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
        long pid;
        try (ChildJvm child = ChildJvm.start(dir, List.of("-Xmx32m", "-XX:+UseSerialGC"), "hold-lock", target.toString())) {
            child.awaitLine("locked", 60_000);
            WriteLock.InUseException e = assertThrows(WriteLock.InUseException.class, () -> WriteLock.acquire(target));
            pid = e.holder().orElseThrow();
            assertEquals(target + " is in use by another siamese4j process (process " + pid + ", lock " + target + ".lock)",
                    e.getMessage());
            child.killAndDrain();
        }
        // The OS released the dead process's lock; the leftover lock file does not block, and names the dead holder.
        assertTrue(Files.exists(dir.resolve("ckpt.s4j.lock")));
        try (WriteLock lock = WriteLock.acquire(target)) {
            assertEquals(java.util.OptionalLong.of(pid), lock.staleHolder(), "the killed holder is reported");
            AtomicFile.write(lock.target(), out -> out.writeInt(1));
        }
        // a clean release leaves nothing stale behind
        try (WriteLock lock = WriteLock.acquire(target)) {
            assertEquals(java.util.OptionalLong.empty(), lock.staleHolder());
        }
    }

    @Test
    void missingFolder() {
        Path missing = dir.resolve("nope");
        BadInputException e = assertThrows(BadInputException.class, () -> WriteLock.acquire(missing.resolve("m.s4j")));
        assertEquals(missing + ": not writable (folder does not exist)", e.getMessage());
    }
}
