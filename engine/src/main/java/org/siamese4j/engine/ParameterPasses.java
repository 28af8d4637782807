package org.siamese4j.engine;

/**
 * Optimizer passes over all parameters (SGD with momentum, weight decay): memory-bound, so split over the
 * threads in fixed blocks.
 */
final class ParameterPasses {
    /** Parameter blocks: sums of squares are taken per block, so they do not depend on the thread count. */
    static final int PARAM_BLOCK = 1024;
    private static final int MOMENTUM_STEP = 0;
    private static final int WEIGHT_DECAY = 1;

    private final Parallel parallel;
    private final VectorOps ops;
    private final ThreadLocal<ParameterTask> tasks = ThreadLocal.withInitial(ParameterTask::new);

    ParameterPasses(Parallel parallel, VectorOps ops) {
        this.parallel = parallel;
        this.ops = ops;
    }

    void momentumStep(float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float mu, float lr) {
        Checks.quickElementwise("momentumStep w", n, w, wOff);
        Checks.quickElementwise("momentumStep v", n, v, vOff);
        Checks.quickElementwise("momentumStep g", n, g, gOff);
        parameterPass(MOMENTUM_STEP, w, wOff, v, vOff, g, gOff, n, mu, lr);
    }

    double addWeightDecay(float[] w, int wOff, float[] g, int gOff, int n, float lambda) {
        Checks.quickElementwise("addWeightDecay w", n, w, wOff);
        Checks.quickElementwise("addWeightDecay g", n, g, gOff);
        return parameterPass(WEIGHT_DECAY, w, wOff, null, 0, g, gOff, n, lambda, 0f);
    }

    private double parameterPass(int op, float[] w, int wOff, float[] v, int vOff, float[] g, int gOff, int n, float x, float y) {
        ParameterTask t = tasks.get();
        t.op = op;
        t.w = w;
        t.wOff = wOff;
        t.v = v;
        t.vOff = vOff;
        t.g = g;
        t.gOff = gOff;
        t.n = n;
        t.x = x;
        t.y = y;
        try {
            if (parallel.threads() == 1 || n < ElementwisePasses.PARALLEL_ELEMENTS) {
                for (int p = 0; p < parallel.threads(); p++) {
                    t.run(p, parallel.threads());
                }
            } else {
                parallel.run(t);
            }
            double sum = 0;
            for (int p = 0; p < parallel.threads(); p++) {
                sum += t.partSums[p];
            }
            return sum;
        } finally {
            t.w = null;
            t.v = null;
            t.g = null;
        }
    }

    /** One part of a parameter pass; reused by its calling thread, so a call allocates nothing. */
    private final class ParameterTask implements Parallel.Body {
        final double[] partSums = new double[parallel.threads()];
        int op;
        float[] w;
        int wOff;
        float[] v;
        int vOff;
        float[] g;
        int gOff;
        int n;
        float x;
        float y;

        @Override
        public void run(int part, int parts) {
            int blocks = (n + PARAM_BLOCK - 1) / PARAM_BLOCK;
            int from = Parallel.rangeStart(blocks, part, parts) * PARAM_BLOCK;
            int to = Math.min(n, Parallel.rangeStart(blocks, part + 1, parts) * PARAM_BLOCK);
            double sum = 0;
            if (op == MOMENTUM_STEP) {
                if (from < to) {
                    ops.momentumStepRange(w, wOff + from, v, vOff + from, g, gOff + from, to - from, x, y);
                }
            } else {
                // block by block in a fixed order: the same sum on any number of threads up to rounding
                // of the per-part totals
                for (int b = from; b < to; b += PARAM_BLOCK) {
                    sum += ops.weightDecayBlock(w, wOff + b, g, gOff + b, Math.min(PARAM_BLOCK, to - b), x);
                }
            }
            partSums[part] = sum;
        }
    }
}
