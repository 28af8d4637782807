package org.siamese4j.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

/**
 * SECURITY.md's zip budgets (entries, bytes per entry, bytes in total) at their limit and one past it, at small
 * values of {@link SafeZip.Limits} (the defaults need archives of gigabytes; the default entry count is tried
 * through the command line in BudgetsCliTest).
 */
class SafeZipBudgetTest {
    /** No ratio check in the way: these archives compress well. */
    private static SafeZip.Limits limits(int entries, long entryBytes, long totalBytes) {
        return new SafeZip.Limits(entries, entryBytes, totalBytes, 1e9, 1L << 30);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    @Test
    void anArchiveOfExactlyTheEntryBudgetOpensAndOneEntryMoreIsRefused(@TempDir Path dir) {
        Path at = TestZips.write(dir.resolve("at.zip"), TestZips.zip(TestZips.entries("a", "1", "b", "2", "c", "3")));
        try (SafeZip zip = SafeZip.open(at, limits(3, 100, 100))) {
            assertEquals(3, zip.names().size());
        }
        Path past = TestZips.write(dir.resolve("past.zip"),
                TestZips.zip(TestZips.entries("a", "1", "b", "2", "c", "3", "d", "4")));
        BadInputException e = assertThrows(BadInputException.class, () -> SafeZip.open(past, limits(3, 100, 100)).close());
        assertEquals(past + ": too many zip entries (4; limit 3)", e.getMessage());
    }

    @Test
    void anEntryOfExactlyTheEntryBudgetIsReadAndOneByteMoreIsRefused(@TempDir Path dir) {
        Path z = TestZips.write(dir.resolve("e.zip"), TestZips.zip(TestZips.entries("at", bytes(1000), "past", bytes(1001))));
        try (SafeZip zip = SafeZip.open(z, limits(10, 1000, 1L << 20))) {
            assertEquals(1000, zip.read("at").length);
            BadInputException e = assertThrows(BadInputException.class, () -> zip.read("past"));
            assertEquals(z + "!/past: entry too large (1001 bytes; limit 1000)", e.getMessage());
        }
    }

    /** The same budget when the header lies about the size: counted while inflating. */
    @Test
    void anEntryThatClaimsFewerBytesIsStoppedOneBytePastTheBudget(@TempDir Path dir) {
        byte[] zip = TestZips.zip(TestZips.entries("at", bytes(1000), "past", bytes(1001)));
        // every central directory entry claims 1000 uncompressed bytes (offset 24 of its header)
        for (int i = 0; i + 4 <= zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2) {
                ByteBuffer.wrap(zip, i + 24, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1000);
            }
        }
        Path z = TestZips.write(dir.resolve("liar.zip"), zip);
        try (SafeZip safe = SafeZip.open(z, limits(10, 1000, 1L << 20))) {
            assertEquals(1000, safe.read("at").length);
            BadInputException e = assertThrows(BadInputException.class, () -> safe.read("past"));
            assertEquals(z + "!/past: entry inflates past 1000 bytes (zip bomb?)", e.getMessage());
        }
    }

    @Test
    void readsOfExactlyTheTotalBudgetPassAndOneByteMoreIsRefused(@TempDir Path dir) {
        Path z = TestZips.write(dir.resolve("t.zip"),
                TestZips.zip(TestZips.entries("a", bytes(600), "b", bytes(600), "c", bytes(1))));
        try (SafeZip zip = SafeZip.open(z, limits(10, 1000, 1200))) {
            zip.read("a");
            zip.read("b");
            BadInputException e = assertThrows(BadInputException.class, () -> zip.read("c"));
            assertEquals(z + ": archive inflates past 1200 bytes in total (zip bomb?)", e.getMessage());
        }
    }
}
