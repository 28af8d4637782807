package org.siamese4j.cli.commands;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * A downloadable dataset: where its files live and their pins.
 *
 * @param name     the name on the command line and of the cache folder
 * @param baseUrl  the folder URL the file names are appended to
 * @param files    the files, in download order
 * @param nextStep the command to run next on the dataset's folder (absolute), or null
 */
record Dataset(String name, URI baseUrl, List<PinnedFile> files, Function<Path, String> nextStep) {
    Dataset {
        files = List.copyOf(files);
    }

    Dataset(String name, URI baseUrl, List<PinnedFile> files) {
        this(name, baseUrl, files, null);
    }
}
