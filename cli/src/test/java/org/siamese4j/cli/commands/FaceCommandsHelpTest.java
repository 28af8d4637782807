package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Option;

/** The four face commands register together and document every option with an example. */
class FaceCommandsHelpTest {
    @Test
    void everyFaceCommandDocumentsItsOptionsAndAnExample() {
        for (Command c : FaceFixtures.registry().all()) {
            CliResult r = FaceFixtures.run(c.name(), "--help");
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            for (Option<?> o : c.options()) {
                assertTrue(r.out().contains(o.display()), c.name() + " help lacks " + o.display());
            }
            assertTrue(r.out().contains("examples:") && r.out().contains("siamese " + c.name() + " "), c.name() + " help has no example");
        }
    }
}
