package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;

class AtomicFileTest {
    @TempDir
    Path dir;

    private static IoWriter text(String s) {
        return out -> out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path target = dir.resolve("a.bin");
        AtomicFile.write(target, text("one"));
        assertEquals("one", Files.readString(target));
        AtomicFile.write(target, text("two, longer"));
        assertEquals("two, longer", Files.readString(target));
        AtomicFile.write(target, out -> { });
        assertEquals(0, Files.size(target));
        assertEquals(List.of("a.bin"), listing());
    }

    @Test
    void sinkWritesLittleEndianAndOffersAStream() throws IOException {
        Path target = dir.resolve("le.bin");
        AtomicFile.write(target, out -> {
            out.writeByte(0xab);
            out.writeShort(0x0102);
            out.writeInt(0x03040506);
            out.writeLong(0x0708090a0b0c0d0eL);
            out.writeFloat(1f);
            out.writeDouble(1d);
            assertEquals(1 + 2 + 4 + 8 + 4 + 8, out.position());
            OutputStream stream = out.asOutputStream();
            stream.write('x');
            stream.write(new byte[] {'y', 'z'});
            stream.close(); // must not close the file
            out.writeByte('!');
        });
        byte[] expected = {(byte) 0xab, 2, 1, 6, 5, 4, 3, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 9, 8, 7,
            0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f, 'x', 'y', 'z', '!'};
        assertArrayEquals(expected, Files.readAllBytes(target));
    }

    @Test
    void failingWriterLeavesPreviousFileAndNoTempFile() throws IOException {
        Path target = dir.resolve("model.s4j");
        AtomicFile.write(target, text("previous"));
        IllegalStateException bug = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicFile.write(target, out -> {
            out.writeBytes(new byte[3 << 20]); // past the buffer: bytes really reached the temp file
            throw bug;
        }));
        assertSame(bug, thrown, "the writer's own exception propagates unchanged");
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of("model.s4j"), listing());

        assertThrows(OutOfMemoryError.class, () -> AtomicFile.write(target, out -> {
            throw new OutOfMemoryError("simulated");
        }));
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of("model.s4j"), listing());
    }

    @Test
    void failingFirstWriteLeavesNothing() throws IOException {
        Path target = dir.resolve("new.s4j");
        assertThrows(BadInputException.class, () -> AtomicFile.write(target, out -> {
            throw new BadInputException("new.s4j: bad");
        }));
        assertEquals(List.of(), listing());
    }

    @Test
    void diskFullBecomesClearBadInputAndKeepsPreviousFile() throws IOException {
        Path target = dir.resolve("model.s4j");
        AtomicFile.write(target, text("previous"));
        BadInputException e = assertThrows(BadInputException.class, () -> AtomicFile.write(target, out -> {
            out.writeBytes(new byte[100]);
            throw new IOException("No space left on device");
        }));
        assertEquals(target + ": cannot write, the disk is full (No space left on device); the previous file is unchanged",
                e.getMessage());
        assertEquals("previous", Files.readString(target));
        assertEquals(List.of("model.s4j"), listing());

        BadInputException other = assertThrows(BadInputException.class, () -> AtomicFile.write(target, out -> {
            throw new IOException("Input/output error");
        }));
        assertEquals(target + ": cannot write (Input/output error)", other.getMessage());
    }

    @Test
    void staleTempFilesOfTheSameTargetAreRemovedOthersKept() throws IOException {
        Path target = dir.resolve("model.s4j");
        Files.writeString(dir.resolve(".model.s4j.0123456789abcdef.tmp"), "stale");
        Files.writeString(dir.resolve(".model.s4j.fedcba9876543210.tmp"), "stale");
        // Not ours: another target's temp, a user's file, a wrong-width random part.
        Files.writeString(dir.resolve(".model.s4j.bak.0123456789abcdef.tmp"), "other target");
        Files.writeString(dir.resolve(".model.s4j.notes.tmp"), "user file");
        Files.writeString(dir.resolve(".model.s4j.0123.tmp"), "user file");
        assertEquals(2, AtomicFile.tempFilesOf(target).size());
        AtomicFile.write(target, text("new"));
        assertEquals(List.of(".model.s4j.0123.tmp", ".model.s4j.bak.0123456789abcdef.tmp", ".model.s4j.notes.tmp",
                "model.s4j"), listing());
        assertTrue(AtomicFile.isTempFileOf("a", ".a.0123456789abcdef.tmp"));
        assertFalse(AtomicFile.isTempFileOf("a", ".a.b.0123456789abcdef.tmp"));
        assertFalse(AtomicFile.isTempFileOf("a", ".a.0123456789ABCDEF.tmp"));
    }

    @Test
    void missingFolderOrFileAsFolderIsNotWritable() throws IOException {
        Path missing = dir.resolve("no-such-folder");
        BadInputException e = assertThrows(BadInputException.class,
                () -> AtomicFile.write(missing.resolve("m.s4j"), text("x")));
        assertEquals(missing + ": not writable (folder does not exist)", e.getMessage());

        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        e = assertThrows(BadInputException.class, () -> AtomicFile.write(file.resolve("m.s4j"), text("x")));
        assertEquals(file + ": not writable (not a folder)", e.getMessage());

        Path folderTarget = Files.createDirectory(dir.resolve("taken"));
        e = assertThrows(BadInputException.class, () -> AtomicFile.write(folderTarget, text("x")));
        assertEquals(folderTarget + ": is a folder, cannot replace it with a file", e.getMessage());
        assertTrue(Files.isDirectory(folderTarget));
    }

    @Test
    void readOnlyFolderIsNotWritable() throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Path target = readOnly.resolve("m.s4j");
        AtomicFile.write(target, text("previous"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root ignores permission bits: the folder stays writable and there is nothing to test.
            assumeFalse(Files.isWritable(readOnly), "running as root: permissions are not enforced");
            BadInputException e = assertThrows(BadInputException.class, () -> AtomicFile.write(target, text("new")));
            assertEquals(readOnly + ": not writable (permission denied)", e.getMessage());
            assertEquals("previous", Files.readString(target));
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
