package org.siamese4j.model.io;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Entry point of the child JVMs that tests start, and kill, to check crash safety and locking.
 *
 * <ul>
 *   <li>{@code rewrite <target> <floats> <firstGeneration>}: rewrites the target forever, each
 *       generation g a container of {@code generation = [g]} and {@code floats} copies of g, printing
 *       {@code start g} before and {@code wrote g} after each write.
 *   <li>{@code hold-lock <target>}: takes the {@link WriteLock}, prints {@code locked}, sleeps.
 *   <li>{@code read <file> <floatsPerSection>}: reads every section of a {@link #KIND} file (meant to
 *       run under a small heap) and prints {@code ok <sections> <sum>}.
 * </ul>
 */
public final class ChildMain {
    static final FileKind KIND = new FileKind("S4JTEST1", "test file", 1);

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "rewrite" -> rewrite(Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "hold-lock" -> holdLock(Path.of(args[1]));
            case "read" -> read(Path.of(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void rewrite(Path target, int floats, long firstGeneration) {
        float[] data = new float[floats];
        for (long g = firstGeneration; ; g++) {
            Arrays.fill(data, (float) g);
            System.out.println("start " + g);
            System.out.flush();
            new ContainerWriter().putLongs("generation", new long[] {g}).putFloats("data", data).write(target, KIND.magic(), 1);
            System.out.println("wrote " + g);
            System.out.flush();
        }
    }

    private static void holdLock(Path target) throws InterruptedException {
        WriteLock lock = WriteLock.acquire(target);
        System.out.println("locked " + lock.lockFile());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void read(Path file, int floatsPerSection) {
        try (Container c = ContainerReader.read(file, KIND, Long.MAX_VALUE)) {
            double sum = 0;
            for (String name : c.names()) {
                for (float f : c.floats(name, floatsPerSection)) {
                    sum += f;
                }
            }
            System.out.println("ok " + c.names().size() + " " + (long) sum);
        }
    }
}
