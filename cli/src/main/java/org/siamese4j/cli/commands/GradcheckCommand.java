package org.siamese4j.cli.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.check.FaultyKernels;
import org.siamese4j.engine.check.GradCheck;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.NetworkGradCheck;

/**
 * {@code siamese gradcheck}: the whole-network gradient check (analytic gradients against double-precision
 * central differences) on a small instance, optionally with a deliberately broken kernel to show it fails.
 */
public final class GradcheckCommand implements Command {
    static final Option<String> PRESET = Option.value("preset", "NAME", ValueParser.oneOf("small", "koch-small", "compact-small"),
            "network to check: small (every layer kind: conv, padded conv with batch norm, pool, dense),"
                    + " koch-small (Koch's layer kinds at 20x20 with few filters) or compact-small (compact's blocks"
                    + " at 8x20, its first block fused)")
            .defaultValue("small");
    static final Option<Long> SEED = Option.value("seed", "N", ValueParser.anyLong(),
            "seed of the weights, inputs and pairs").defaultValue(7L);
    static final Option<FaultyKernels.Fault> FAULT = Option.value("fault", "NAME", ValueParser.enumOf(FaultyKernels.Fault.class),
            "break one backward pass on purpose: " + faultNames());
    static final Option<Double> BOUND = Option.value("bound", "X", ValueParser.positiveDouble(),
            "largest worst-case relative error per tensor that passes").defaultValue(GradCheck.DEFAULT_BOUND);

    @Override
    public String name() {
        return "gradcheck";
    }

    @Override
    public String summary() {
        return "check the network's hand-written gradients against numerical differences";
    }

    @Override
    public String details() {
        return """
                Builds a small Siamese network, runs one forward and backward pass of the full loss
                (binary cross-entropy over pairs plus L2 weight decay) on the selected kernels, and compares
                every parameter tensor's gradient with central differences of a double-precision reference.
                Prints the worst relative error per tensor, then PASS or FAIL against the bound.

                --fault wraps the kernels so that one backward pass is wrong; the check must then fail, which
                shows it would catch such a bug.

                Exit code: 0 when every tensor is within the bound, 1 when any is not.
                JSON: {passed, bound, preset, seed, backend, threads, fault, worst,
                       tensors: [{name, max_relative_error, checked, skipped_kinks, passed}]}

                examples:
                  siamese gradcheck
                  siamese gradcheck --preset koch-small --backend scalar
                  siamese gradcheck --fault l1-sign-flip      # exits 1""";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(PRESET, SEED, FAULT, BOUND);
    }

    @Override
    public int run(Invocation inv) {
        String preset = inv.get(PRESET);
        Architecture arch = switch (preset) {
            case "koch-small" -> NetworkGradCheck.smallKoch();
            case "compact-small" -> NetworkGradCheck.smallCompact();
            default -> NetworkGradCheck.smallInstance();
        };
        long seed = inv.get(SEED);
        double bound = inv.get(BOUND);
        FaultyKernels.Fault fault = inv.get(FAULT);
        Kernels base = inv.kernels();
        Kernels kernels = fault == null ? base : new FaultyKernels(base, fault);

        if (!inv.json()) {
            inv.out().printf(Locale.ROOT, "gradient check of %s (%dx%d: %s), seed %d, %s kernels on %d threads%s%n",
                    preset, arch.inputWidth(), arch.inputHeight(), arch.towerSpec(), seed, base.name(), base.threads(),
                    fault == null ? "" : ", injected fault " + ValueParser.cliName(fault));
        }
        GradCheck.Report report = NetworkGradCheck.run(arch, kernels, seed, bound);
        boolean passed = report.passed();
        if (inv.json()) {
            List<Json.Obj> tensors = new ArrayList<>();
            for (GradCheck.TensorError t : report.tensors()) {
                tensors.add(Json.object()
                        .put("name", t.name())
                        .put("max_relative_error", t.maxRelativeError())
                        .put("checked", t.checked())
                        .put("skipped_kinks", t.skippedKinks())
                        .put("passed", t.within(bound)));
            }
            inv.printJson(Json.object()
                    .put("passed", passed)
                    .put("bound", bound)
                    .put("preset", preset)
                    .put("seed", seed)
                    .put("backend", base.name())
                    .put("threads", base.threads())
                    .put("fault", fault == null ? null : ValueParser.cliName(fault))
                    .put("worst", report.worst())
                    .put("tensors", tensors));
        } else {
            inv.out().print(report.format());
            inv.out().printf(Locale.ROOT, "%s: worst relative error %.3e %s bound %.1e over %d tensors%n",
                    passed ? "PASS" : "FAIL", report.worst(), passed ? "<=" : ">", bound, report.tensors().size());
        }
        if (!passed) {
            long failing = report.tensors().stream().filter(t -> !t.within(bound)).count();
            inv.err().printf(Locale.ROOT, "siamese: gradient check failed: %d of %d tensors exceed the bound %.1e%n",
                    failing, report.tensors().size(), bound);
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }

    private static String faultNames() {
        List<String> names = new ArrayList<>();
        for (FaultyKernels.Fault f : FaultyKernels.Fault.values()) {
            names.add(ValueParser.cliName(f));
        }
        return String.join(", ", names);
    }
}
