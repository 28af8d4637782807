package org.siamese4j.cli.commands;

import java.net.URI;
import java.util.List;

/**
 * A downloadable dataset: where its files live and their pins.
 *
 * @param name    the name on the command line and of the cache folder
 * @param baseUrl the folder URL the file names are appended to
 * @param files   the files, in download order
 */
record Dataset(String name, URI baseUrl, List<PinnedFile> files) {
    Dataset {
        files = List.copyOf(files);
    }
}
