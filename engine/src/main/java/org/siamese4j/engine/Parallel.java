package org.siamese4j.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool that runs one job at a time, split into {@code threads} parts. Part t always goes
 * to the same worker, so per-thread scratch buffers can be indexed by part. The caller runs part 0.
 * A caller that finds the pool busy (another thread's job, or a nested call) runs all parts itself,
 * in order; kernels are written so that results do not depend on who runs a part. The workers are daemon
 * threads; {@link #close} ends them (a host program that unloads the library), after which jobs run on the
 * caller alone.
 */
public final class Parallel implements AutoCloseable {
    /** The body of a parallel job: handles part {@code part} of {@code parts}. */
    @FunctionalInterface
    public interface Body {
        void run(int part, int parts);
    }

    /**
     * How long a waiting thread spins before it parks: long enough for the short gaps between the kernels
     * of a training step, short enough not to burn a shared CPU (spinning while the thread being waited
     * for is descheduled only delays it).
     */
    private static final long SPIN_NANOS = 200_000;
    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;

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
            boolean woken = false;
            for (Worker w : workers) {
                woken |= w.post(body);
            }
            Throwable own = null;
            try {
                body.run(0, threads);
            } catch (Throwable t) {
                own = t;
            }
            // a worker that was parked may need this CPU to get going again (a busy virtual machine): then
            // wait by parking soon instead of spinning
            awaitWorkers(woken ? 20_000 : SPIN_NANOS);
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

    /**
     * Ends the worker threads once the job in progress (if any) is done, and waits up to a second for them.
     * Later jobs run every part on the calling thread, with the same results. Idempotent.
     */
    @Override
    public void close() {
        // hold the pool for good: no job can be posted to a worker that is leaving
        while (!closed && !busy.compareAndSet(false, true)) {
            Thread.onSpinWait();
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        for (Worker w : workers) {
            try {
                w.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Splits [0, n) into equal contiguous ranges, one per part. */
    public static int rangeStart(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }

    private void awaitWorkers(long spinNanos) {
        // spin first: a parked thread can take hundreds of microseconds to be woken on a virtual machine
        long start = System.nanoTime();
        int spins = 0;
        while (pending.get() != 0) {
            Thread.onSpinWait();
            if ((++spins & 63) == 0 && System.nanoTime() - start > spinNanos) {
                LockSupport.parkNanos(this, 50_000);
            }
        }
    }

    private final class Worker extends Thread {
        private final int part;
        private volatile Body posted;
        /** Set while the worker parks (or is about to); post() then unparks it. */
        private volatile boolean parked;

        Worker(int part) {
            super("siamese4j-worker-" + part);
            this.part = part;
            setDaemon(true);
        }

        /** Hands over a job; true when the worker was parked (or about to park). */
        boolean post(Body body) {
            posted = body;
            if (parked) {
                LockSupport.unpark(this);
                return true;
            }
            return false;
        }

        @Override
        public void run() {
            // between the kernels of a training step the gaps are short: spin through them (waking a parked
            // thread costs about 0.5 ms on the virtual machine measured), park after SPIN_NANOS without work
            long idleSince = System.nanoTime();
            int spins = 0;
            while (!closed) {
                Body b = posted;
                if (b == null) {
                    Thread.onSpinWait();
                    if ((++spins & 255) == 0 && System.nanoTime() - idleSince > SPIN_NANOS) {
                        parked = true;
                        // re-check after announcing: a post() that missed the flag left its job here
                        if (posted == null) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                    continue;
                }
                posted = null;
                try {
                    b.run(part, threads);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    idleSince = System.nanoTime();
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
