package org.siamese4j.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the benchmarks selected by ordinary JMH arguments together with {@link PeakFlops}, in one run,
 * then prints each result as GFLOP/s and as a fraction of the peak measured in that same run: the
 * one-thread peak for 1-thread results, the all-threads peak otherwise. With {@code -prof gc} it adds
 * the allocation per operation.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.siamese4j.bench.Report \
 *     'Gemm|Conv|TrainStep' -f 1 -prof gc</pre>
 */
public final class Report {
    private Report() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cmd = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cmd).include(PeakFlops.class.getSimpleName()).build();
        Collection<RunResult> results = new Runner(opts).run();
        double peak1 = 0;
        double peakAll = 0;
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            if (name.endsWith("PeakFlops.oneThread")) {
                peak1 = gflops(r);
            } else if (name.endsWith("PeakFlops.allThreads")) {
                peakAll = gflops(r);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "PeakFlops in this run: %.1f GFLOP/s one thread, %.1f GFLOP/s all %d threads%n",
                peak1, peakAll, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-32s %-36s %12s %9s %7s %8s %10s%n", "benchmark", "params", "time/op ms",
                "GFLOP/s", "+-", "of peak", "B/op");
        List<RunResult> sorted = new ArrayList<>(results);
        for (RunResult r : sorted) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            StringBuilder params = new StringBuilder();
            for (String key : r.getParams().getParamsKeys()) {
                params.append(key).append('=').append(r.getParams().getParam(key)).append(' ');
            }
            String threads = r.getParams().getParam("threads");
            boolean single = threads != null ? "1".equals(threads) : r.getParams().getThreads() == 1;
            double g = gflops(r);
            Result<?> gr = r.getSecondaryResults().get("gflop");
            double err = gr == null ? Double.NaN : gr.getScoreError();
            double opsPerSec = r.getPrimaryResult().getScore() / r.getParams().getThreads();
            double peak = single ? peak1 : peakAll;
            Map<String, Result> sec = r.getSecondaryResults();
            Result<?> alloc = sec.get("·gc.alloc.rate.norm");
            if (alloc == null) {
                alloc = sec.get("gc.alloc.rate.norm");
            }
            System.out.printf(Locale.ROOT, "%-32s %-36s %12.3f %9.1f %7.1f %7.0f%% %10s%n", name, params.toString().trim(),
                    1e3 / opsPerSec, g, err, peak > 0 ? 100 * g / peak : Double.NaN,
                    alloc == null ? "-" : String.format(Locale.ROOT, "%.0f", alloc.getScore()));
        }
    }

    private static double gflops(RunResult r) {
        Result<?> g = r.getSecondaryResults().get("gflop");
        return g == null ? Double.NaN : g.getScore();
    }
}
