package org.siamese4j.model.io;

import java.io.IOException;

/** Writes the body of a file into the sink {@link AtomicFile#write} hands it. */
@FunctionalInterface
public interface IoWriter {
    void writeTo(BinarySink out) throws IOException;
}
