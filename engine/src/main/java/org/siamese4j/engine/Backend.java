package org.siamese4j.engine;

import java.util.List;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses the kernels: {@code simd} when the jdk.incubator.vector module is in the boot layer, else
 * {@code scalar}. The system property {@code siamese4j.backend} (simd, scalar or auto) overrides the
 * choice, and {@code siamese4j.threads} sets the default thread count (default: all cores).
 */
public final class Backend {
    public static final String BACKEND_PROPERTY = "siamese4j.backend";
    public static final String THREADS_PROPERTY = "siamese4j.threads";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final AtomicBoolean FALLBACK_REPORTED = new AtomicBoolean();
    /** The library writes nothing to stderr itself: what it has to say goes to this logger (INFO and above). */
    static final System.Logger LOG = System.getLogger("org.siamese4j.engine");
    private static final ConcurrentHashMap<Integer, Parallel> POOLS = new ConcurrentHashMap<>();

    private Backend() {
    }

    /** True when the Vector API module is present (the JVM was started with --add-modules jdk.incubator.vector). */
    public static boolean vectorApiAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The backend name that {@link #kernels()} would use: the property's choice or the automatic one. */
    public static String preferredName() {
        String requested = System.getProperty(BACKEND_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (requested) {
            case "simd":
                return "simd";
            case "scalar":
                return "scalar";
            case "auto":
            case "":
                return vectorApiAvailable() ? "simd" : "scalar";
            default:
                throw new BadInputException("unknown backend '" + requested + "' in -D" + BACKEND_PROPERTY
                        + " (use simd, scalar or auto)");
        }
    }

    /** The default thread count: -Dsiamese4j.threads, else every available core. */
    public static int defaultThreads() {
        String t = System.getProperty(THREADS_PROPERTY);
        if (t == null || t.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(t.trim());
            if (n < 1 || n > 1024) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadInputException("invalid thread count '" + t + "' in -D" + THREADS_PROPERTY + " (use 1..1024)");
        }
    }

    /** The shared worker pool for a thread count (layers with their own parallel loops use it too). */
    public static Parallel pool(int threads) {
        return POOLS.computeIfAbsent(threads, Parallel::new);
    }

    /**
     * Ends the worker threads of every pool (a host program unloading the library). Kernels made before keep
     * working, on their caller's thread alone; kernels made after get fresh pools.
     */
    public static void shutdown() {
        for (Integer threads : List.copyOf(POOLS.keySet())) {
            Parallel pool = POOLS.remove(threads);
            if (pool != null) {
                pool.close();
            }
        }
    }

    /** Kernels of the preferred backend on the default thread count. */
    public static Kernels kernels() {
        return kernels(preferredName(), defaultThreads());
    }

    /** Kernels of the named backend ("simd" or "scalar") on {@code threads} threads. */
    public static Kernels kernels(String name, int threads) {
        Parallel pool = pool(threads);
        if ("scalar".equals(name)) {
            reportFallbackOnce();
            return new CpuKernels(pool, new ScalarOps());
        }
        if (!"simd".equals(name)) {
            throw new IllegalArgumentException("unknown backend " + name);
        }
        if (!vectorApiAvailable()) {
            throw new BadInputException("the simd backend needs the Vector API: run java with --add-modules "
                    + VECTOR_MODULE + " (or use -D" + BACKEND_PROPERTY + "=scalar)");
        }
        try {
            // by name, so that the Vector API classes are only linked once the module is known to be there
            Class<?> simd = Class.forName("org.siamese4j.engine.SimdOps");
            return new CpuKernels(pool, (VectorOps) simd.getConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the SIMD kernels: " + e, e);
        }
    }

    private static void reportFallbackOnce() {
        if (!vectorApiAvailable() && FALLBACK_REPORTED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.INFO, "jdk.incubator.vector is not available, using scalar kernels"
                    + " (run java with --add-modules " + VECTOR_MODULE + " for SIMD)");
        }
    }
}
