package org.siamese4j.engine.check;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.siamese4j.engine.Tensor;
import org.siamese4j.engine.layer.Layer;
import org.siamese4j.engine.layer.Param;
import org.siamese4j.engine.layer.ParamSet;

/**
 * Gradient checks: the engine's analytic gradients (float) against central differences of a
 * double-precision reference forward pass. The loss is a random projection of the output,
 * L = sum(R * f(x)), so every output element matters and no gradient is trivially zero.
 *
 * <p>Error per element: |analytic - numeric| / max(|analytic|, |numeric|, floor), where the floor is 1%
 * of the tensor's root-mean-square numeric gradient and at least 1e-7 (float rounding makes the relative
 * error of near-zero gradients meaningless). A tensor's error is the worst over its elements. Elements whose
 * difference quotient changes between step h and h/2 sit on a kink (ReLU at 0, a max-pool tie) and are
 * skipped and counted.
 */
public final class GradCheck {
    /** The bound on the worst relative error per tensor. */
    public static final double DEFAULT_BOUND = 1e-3;
    private static final double STEP = 1e-5;
    private static final double FLOOR_FRACTION = 1e-2;
    /** Gradients below this are zero for a loss of order one (a bias before batch norm has none at all). */
    private static final double ABSOLUTE_FLOOR = 1e-7;

    private GradCheck() {
    }

    /** The worst relative error over one tensor's elements. */
    public record TensorError(String name, double maxRelativeError, int worstIndex, double analytic, double numeric,
                              int checked, int skippedKinks) {
        /** Within the bound over at least one checked element: a tensor whose every element sat on a kink proves nothing. */
        public boolean within(double bound) {
            return checked > 0 && maxRelativeError <= bound && !Double.isNaN(maxRelativeError);
        }
    }

    /** The outcome of a check: one entry per tensor checked. */
    public record Report(String subject, List<TensorError> tensors, double bound) {
        public boolean passed() {
            return tensors.stream().allMatch(t -> t.within(bound));
        }

        public double worst() {
            return tensors.stream().mapToDouble(TensorError::maxRelativeError).max().orElse(0);
        }

        public String format() {
            StringBuilder sb = new StringBuilder();
            for (TensorError t : tensors) {
                sb.append(String.format("%-32s worst relative error %.3e over %d values%s%s%n", subject + " " + t.name(),
                        t.maxRelativeError(), t.checked(),
                        t.skippedKinks() > 0 ? " (" + t.skippedKinks() + " at kinks skipped)" : "",
                        t.within(bound) ? "" : t.checked() == 0 ? "  FAIL: every element sat on a kink, nothing was checked"
                                : String.format("  FAIL: element %d analytic %.6e numeric %.6e", t.worstIndex(), t.analytic(),
                                        t.numeric())));
            }
            return sb.toString();
        }
    }

    /** A function of a double vector, for numerical differentiation. */
    @FunctionalInterface
    public interface Objective {
        double value();
    }

    /**
     * Central differences of {@code f} with respect to each element of {@code v} (perturbed in place and
     * restored), compared with {@code analytic}.
     */
    public static TensorError compare(String name, double[] v, Objective f, float[] analytic, int analyticOffset) {
        int n = v.length;
        double[] numeric = new double[n];
        boolean[] kink = new boolean[n];
        for (int i = 0; i < n; i++) {
            double orig = v[i];
            double h = STEP * Math.max(1.0, Math.abs(orig));
            v[i] = orig + h;
            double fp = f.value();
            v[i] = orig - h;
            double fm = f.value();
            v[i] = orig + h / 2;
            double fp2 = f.value();
            v[i] = orig - h / 2;
            double fm2 = f.value();
            v[i] = orig;
            double d1 = (fp - fm) / (2 * h);
            double d2 = (fp2 - fm2) / h;
            numeric[i] = d2;
            kink[i] = Math.abs(d1 - d2) > 1e-4 * Math.max(1e-3, Math.max(Math.abs(d1), Math.abs(d2)));
        }
        return errorOf(name, analytic, analyticOffset, numeric, kink);
    }

    static TensorError errorOf(String name, float[] analytic, int off, double[] numeric, boolean[] kink) {
        double sumSq = 0;
        int counted = 0;
        for (int i = 0; i < numeric.length; i++) {
            if (!kink[i]) {
                sumSq += numeric[i] * numeric[i];
                counted++;
            }
        }
        double floor = Math.max(FLOOR_FRACTION * Math.sqrt(sumSq / Math.max(1, counted)), ABSOLUTE_FLOOR);
        double worst = 0;
        int worstIndex = -1;
        int skipped = 0;
        for (int i = 0; i < numeric.length; i++) {
            if (kink[i]) {
                skipped++;
                continue;
            }
            double a = analytic[off + i];
            double nv = numeric[i];
            double err = Math.abs(a - nv) / Math.max(Math.max(Math.abs(a), Math.abs(nv)), floor);
            if (Double.isNaN(a)) {
                err = Double.NaN;
            }
            if (worstIndex < 0 || err > worst || Double.isNaN(err)) {
                worst = err;
                worstIndex = i;
                if (Double.isNaN(err)) {
                    break;
                }
            }
        }
        double a = worstIndex >= 0 ? analytic[off + worstIndex] : 0;
        double nv = worstIndex >= 0 ? numeric[worstIndex] : 0;
        return new TensorError(name, worst, worstIndex, a, nv, numeric.length - skipped, skipped);
    }

    /**
     * Checks a layer's input gradient (where it gives one) and every parameter gradient on a random batch. The layer's
     * parameters must be bound (ParamSet) with gradients; they are re-initialised from the seed.
     */
    public static Report checkLayer(Layer layer, int batch, long seed, double bound) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Param> params = layer.params();
        double[][] pd = new double[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Tensor v = params.get(i).value();
            pd[i] = new double[v.size()];
            for (int j = 0; j < v.size(); j++) {
                Param.Role role = params.get(i).role();
                float r = (float) (role == Param.Role.STATISTIC ? rnd.nextDouble(0.5, 1.5)
                        : rnd.nextDouble(-1, 1) * (role == Param.Role.BIAS ? 0.1 : 0.5) + (role == Param.Role.SCALE ? 1 : 0));
                v.set(j, r);
                pd[i][j] = r;
            }
            params.get(i).grad().fill(0f);
        }
        int inSize = batch * layer.inputSize();
        float[] xf = new float[inSize];
        double[] xd = new double[inSize];
        for (int i = 0; i < inSize; i++) {
            xf[i] = (float) rnd.nextDouble(-1, 1);
            xd[i] = xf[i];
        }
        int outSize = batch * layer.outputSize();
        double[] proj = new double[outSize];
        float[] dy = new float[outSize];
        for (int i = 0; i < outSize; i++) {
            dy[i] = (float) rnd.nextDouble(-1, 1);
            proj[i] = dy[i];
        }
        boolean needed = layer.inputGradientNeeded();
        boolean checkInput = layer.providesInputGradient();
        layer.setInputGradientNeeded(checkInput);
        int[] inShape = layer.inputShape();
        int[] shape = new int[inShape.length + 1];
        shape[0] = batch;
        System.arraycopy(inShape, 0, shape, 1, inShape.length);
        layer.forward(Tensor.of(xf, shape));
        int[] outShape = layer.outputShape();
        int[] oshape = new int[outShape.length + 1];
        oshape[0] = batch;
        System.arraycopy(outShape, 0, oshape, 1, outShape.length);
        Tensor dx = layer.backward(Tensor.of(dy, oshape));
        layer.setInputGradientNeeded(needed);

        Objective loss = () -> dot(proj, layer.referenceForward(xd, batch, pd));
        List<TensorError> errors = new ArrayList<>();
        if (checkInput) {
            errors.add(compare("input", xd, loss, dx.data, dx.offset));
        }
        for (int i = 0; i < params.size(); i++) {
            if (!params.get(i).role().trained()) {
                continue;
            }
            Tensor g = params.get(i).grad();
            errors.add(compare(params.get(i).name(), pd[i], loss, g.data, g.offset));
        }
        return new Report(layer.kind(), errors, bound);
    }

    public static Report checkLayer(Layer layer, int batch, long seed) {
        boolean unbound = layer.params().stream().anyMatch(p -> !p.isBound() || !p.hasGrad());
        if (unbound) {
            ParamSet.of(layer);
        }
        return checkLayer(layer, batch, seed, DEFAULT_BOUND);
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
