package org.siamese4j.model;

import java.util.Arrays;
import java.util.List;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.layer.Param;

/**
 * SGD with momentum as in Koch et al. 2015: a learning rate and an L2 coefficient per layer; momentum
 * starts at 0.5 and rises linearly to each layer's final value over {@code momentumRampEpochs}; the
 * learning rate decays by {@code decayPerEpoch} (1%) each epoch, or, with {@code cosineSteps > 0}, follows
 * half a cosine from its full value to 0 over that many steps (no per-epoch decay then). The update is
 * v = mu v - eta g; w += v.
 * Its state (velocities and the step count, which fixes the schedule position) goes into checkpoints.
 */
public final class SgdMomentum {
    /** One layer's hyperparameters. */
    public record LayerHyper(double learningRate, double l2, double finalMomentum) {
        public LayerHyper {
            if (!(learningRate > 0) || !(l2 >= 0) || !(finalMomentum >= 0 && finalMomentum < 1)) {
                throw new IllegalArgumentException("need learning rate > 0, l2 >= 0 and momentum in [0, 1), got "
                        + learningRate + ", " + l2 + ", " + finalMomentum);
            }
        }
    }

    /** The schedule shared by all layers; {@code cosineSteps} 0 means Koch's per-epoch decay. */
    public record Schedule(long stepsPerEpoch, double momentumStart, double momentumRampEpochs, double decayPerEpoch,
                           long cosineSteps) {
        public Schedule {
            if (stepsPerEpoch < 1 || momentumRampEpochs < 0 || !(decayPerEpoch > 0 && decayPerEpoch <= 1) || cosineSteps < 0) {
                throw new IllegalArgumentException("bad optimizer schedule");
            }
        }

        public static Schedule koch(long stepsPerEpoch) {
            return new Schedule(stepsPerEpoch, 0.5, 10, 0.99, 0);
        }

        /** The learning rate's factor at {@code step}. */
        public double learningRateFactor(long step) {
            return learningRateFactor(step, 0);
        }

        /**
         * The learning rate's factor at {@code step} when {@code budgetSpent} (0..1) of a time budget is gone:
         * the cosine runs on whichever budget ends first, steps or time, so a run stopped by its time limit
         * still anneals to 0. Koch's per-epoch decay has no horizon and ignores it.
         */
        public double learningRateFactor(long step, double budgetSpent) {
            if (cosineSteps > 0) {
                double progress = Math.max((double) Math.min(step, cosineSteps) / cosineSteps, Math.min(1, budgetSpent));
                return 0.5 * (1 + Math.cos(Math.PI * progress));
            }
            return Math.pow(decayPerEpoch, step / stepsPerEpoch);
        }
    }

    private final SiameseNet net;
    private final List<LayerHyper> hyper;
    private final Schedule schedule;
    private final float[] velocity;
    private long step;
    /** Share of the run's time budget spent (0 without one), set by the trainer before each step. */
    private double budgetSpent;

    public SgdMomentum(SiameseNet net, List<LayerHyper> hyper, Schedule schedule) {
        if (hyper.size() != net.groups().size()) {
            throw new IllegalArgumentException("hyperparameters for " + hyper.size() + " layers, network has " + net.groups().size());
        }
        this.net = net;
        this.hyper = List.copyOf(hyper);
        this.schedule = schedule;
        this.velocity = new float[net.params().size()];
    }

    /** The same hyperparameters for every layer. */
    public static List<LayerHyper> uniform(SiameseNet net, double lr, double l2, double momentum) {
        return java.util.Collections.nCopies(net.groups().size(), new LayerHyper(lr, l2, momentum));
    }

    public double[] l2PerGroup() {
        double[] l2 = new double[hyper.size()];
        for (int i = 0; i < l2.length; i++) {
            l2[i] = hyper.get(i).l2();
        }
        return l2;
    }

    public long step() {
        return step;
    }

    public double epoch() {
        return (double) step / schedule.stepsPerEpoch();
    }

    public Schedule schedule() {
        return schedule;
    }

    public List<LayerHyper> hyper() {
        return hyper;
    }

    public double learningRate(int group) {
        return hyper.get(group).learningRate() * schedule.learningRateFactor(step, budgetSpent);
    }

    /** Tells the schedule how much of a time budget is spent (0..1): see {@link Schedule#learningRateFactor(long, double)}. */
    public void setBudgetSpent(double fraction) {
        if (!(fraction >= 0)) {
            throw new IllegalArgumentException("budget spent must be >= 0, got " + fraction);
        }
        budgetSpent = fraction;
    }

    public double momentum(int group) {
        double target = hyper.get(group).finalMomentum();
        double ramp = schedule.momentumRampEpochs() * schedule.stepsPerEpoch();
        double start = Math.min(schedule.momentumStart(), target);
        double f = ramp <= 0 ? 1 : Math.min(1, step / ramp);
        return start + (target - start) * f;
    }

    /** Applies one update from the accumulated gradients, then advances the schedule. */
    public void update() {
        List<SiameseNet.ParamGroup> groups = net.groups();
        for (int gi = 0; gi < groups.size(); gi++) {
            float lr = (float) learningRate(gi);
            float mu = (float) momentum(gi);
            for (Param p : groups.get(gi).params()) {
                if (!p.role().trained()) {
                    continue;
                }
                Tensor w = p.value();
                Tensor g = p.grad();
                // velocities share the parameter buffer's layout
                net.kernels().momentumStep(w.data, w.offset, velocity, w.offset, g.data, g.offset, w.size(), mu, lr);
            }
        }
        step++;
    }

    /** Velocities in the layout of the network's parameter buffer (for checkpoints). */
    public float[] velocity() {
        return velocity;
    }

    public void restore(float[] savedVelocity, long savedStep) {
        if (savedVelocity.length != velocity.length || savedStep < 0) {
            throw new IllegalArgumentException("optimizer state of " + savedVelocity.length + " values for a network of "
                    + velocity.length);
        }
        System.arraycopy(savedVelocity, 0, velocity, 0, velocity.length);
        this.step = savedStep;
    }

    @Override
    public String toString() {
        return "SgdMomentum" + Arrays.toString(hyper.toArray()) + " " + schedule;
    }
}
