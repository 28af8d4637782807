package org.siamese4j.model;

import java.nio.file.Path;

/** Run by SiameseModelTest in a child JVM with -Xmx64m: loads a model and compares two images. */
public final class SmallHeapProbe {
    private SmallHeapProbe() {
    }

    public static void main(String[] args) {
        SiameseModel m = SiameseModel.load(Path.of(args[0]));
        float p = m.similarity(SiameseModelTest.image(1, 105, 105), SiameseModelTest.image(2, 250, 250));
        System.out.println("p(same)=" + p + " max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MB");
    }
}
