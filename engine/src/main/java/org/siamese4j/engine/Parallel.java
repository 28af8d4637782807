package org.siamese4j.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool that runs one job at a time, split into {@code threads} parts. Part t always goes
 * to the same worker, so per-thread scratch buffers can be indexed by part. The caller runs part 0.
 * A caller that finds the pool busy (another thread's job, or a nested call) runs all parts itself,
 * in order; kernels are written so that results do not depend on who runs a part.
 */
public final class Parallel {
    /** The body of a parallel job: handles part {@code part} of {@code parts}. */
    @FunctionalInterface
    public interface Body {
        void run(int part, int parts);
    }

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs body(part, threads) for every part, part 0 on the calling thread. */
    public void run(Body body) {
        if (threads == 1 || !busy.compareAndSet(false, true)) {
            for (int p = 0; p < threads; p++) {
                body.run(p, threads);
            }
            return;
        }
        try {
            failure = null;
            caller = Thread.currentThread();
            pending.set(workers.length);
            for (Worker w : workers) {
                w.post(body);
            }
            Throwable own = null;
            try {
                body.run(0, threads);
            } catch (Throwable t) {
                own = t;
            }
            awaitWorkers();
            Throwable t = own != null ? own : failure;
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
        } finally {
            busy.set(false);
        }
    }

    /** Splits [0, n) into equal contiguous ranges, one per part. */
    public static int rangeStart(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }

    private void awaitWorkers() {
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < 2000) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 20_000);
            }
        }
    }

    private final class Worker extends Thread {
        private final int part;
        private volatile Body posted;

        Worker(int part) {
            super("siamese4j-worker-" + part);
            this.part = part;
            setDaemon(true);
        }

        void post(Body body) {
            posted = body;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            int spins = 0;
            while (true) {
                Body b = posted;
                if (b == null) {
                    if (++spins < 20_000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                    continue;
                }
                spins = 0;
                posted = null;
                try {
                    b.run(part, threads);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        Thread c = caller;
                        if (c != null) {
                            LockSupport.unpark(c);
                        }
                    }
                }
            }
        }
    }
}
