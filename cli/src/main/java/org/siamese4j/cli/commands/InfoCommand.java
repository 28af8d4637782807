package org.siamese4j.cli.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseModel;

/** {@code siamese info}: the runtime (kernels, JDK, heap) and optionally a model file's summary. */
public final class InfoCommand implements Command {
    static final Option<Path> MODEL = Option.value("model", "FILE", ValueParser.path(),
            "also describe this model file");

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "show the kernels in use, the JDK and the heap, and optionally a model file's summary";
    }

    @Override
    public String details() {
        return """
                Prints the backend (simd or scalar), the vector width in floats, the thread count, the JDK,
                whether the Vector API module (jdk.incubator.vector) is present, the OS and the heap limit.
                With --model, also the model's architecture, input size, tower, parameter count, embedding
                size, preprocessing, decision threshold, metadata, SHA-256 and file size.

                JSON keys: backend, vector_width, threads, java_version, java_vendor, vector_api, os, arch,
                cores, max_heap_bytes, and with --model: model {path, file_bytes, sha256, architecture,
                input_width, input_height, tower, parameters, embedding_size, forward_macs_per_image,
                preprocessing, threshold, metadata}.

                examples:
                  siamese info
                  siamese info --model omniglot.s4j --json""";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(MODEL);
    }

    @Override
    public int run(Invocation inv) {
        Kernels kernels = inv.kernels();
        Runtime rt = Runtime.getRuntime();
        Json.Obj json = Json.object()
                .put("backend", kernels.name())
                .put("vector_width", kernels.vectorLength())
                .put("threads", kernels.threads())
                .put("java_version", System.getProperty("java.version"))
                .put("java_vendor", System.getProperty("java.vendor"))
                .put("java_vm", System.getProperty("java.vm.name"))
                .put("java_home", System.getProperty("java.home"))
                .put("vector_api", Backend.vectorApiAvailable())
                .put("os", System.getProperty("os.name"))
                .put("os_version", System.getProperty("os.version"))
                .put("arch", System.getProperty("os.arch"))
                .put("cores", rt.availableProcessors())
                .put("max_heap_bytes", rt.maxMemory());
        SiameseModel model = null;
        Path modelPath = inv.get(MODEL);
        if (modelPath != null) {
            model = SiameseModel.load(modelPath, kernels);
            json.put("model", describe(modelPath, model));
        }
        if (inv.json()) {
            inv.printJson(json);
            return ExitCode.OK;
        }
        PrintStream out = inv.out();
        row(out, "backend", kernels.name() + ", " + kernels.vectorLength() + " float" + (kernels.vectorLength() == 1 ? "" : "s")
                + " per vector, " + kernels.threads() + " thread" + (kernels.threads() == 1 ? "" : "s"));
        row(out, "vector api", Backend.vectorApiAvailable() ? "present (jdk.incubator.vector)"
                : "absent (run java with --add-modules jdk.incubator.vector for SIMD)");
        row(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        row(out, "java home", System.getProperty("java.home"));
        row(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
                + System.getProperty("os.arch") + "), " + rt.availableProcessors() + " cores");
        row(out, "max heap", Bytes.format(rt.maxMemory()));
        if (model != null) {
            Json.Obj m = (Json.Obj) json.get("model");
            Architecture a = model.architecture();
            out.println();
            row(out, "model", modelPath + " (" + Bytes.format((Long) m.get("file_bytes")) + ")");
            row(out, "sha256", model.sha256());
            row(out, "architecture", a.name() + ", input " + a.inputWidth() + "x" + a.inputHeight());
            row(out, "tower", a.towerSpec());
            row(out, "parameters", String.format(Locale.ROOT, "%,d", a.parameterCount()));
            row(out, "embedding", a.embeddingSize() + " values");
            long macs = a.forwardMacsPerImage();
            row(out, "compute", macs < 1_000_000 ? String.format(Locale.ROOT, "%,d multiply-adds per image", macs)
                    : String.format(Locale.ROOT, "%,.1f million multiply-adds per image", macs / 1e6));
            row(out, "preprocessing", preprocessing(model.preprocessing()));
            row(out, "threshold", String.format(Locale.ROOT, "%.4f (same when p(same) >= threshold)", model.threshold()));
            row(out, "open set", model.openSetCalibration().map(c -> c.describe() + String.format(Locale.ROOT,
                    "; FPIR 1 %% for 10 people: p >= %.6f", c.threshold(10, 0.01).probability()))
                    .orElse("no calibration (identify and annotate fall back to the threshold; see siamese calibrate)"));
            if (model.metadata().isEmpty()) {
                row(out, "metadata", "(none)");
            }
            model.metadata().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> row(out, "metadata", e.getKey() + " = " + e.getValue()));
        }
        return ExitCode.OK;
    }

    private static Json.Obj describe(Path path, SiameseModel model) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new BadInputException(path + ": cannot read the file size (" + e.getMessage() + ")", e);
        }
        Architecture a = model.architecture();
        Preprocessing p = model.preprocessing();
        return Json.object()
                .put("path", path.toString())
                .put("file_bytes", size)
                .put("sha256", model.sha256())
                .put("architecture", a.name())
                .put("input_width", a.inputWidth())
                .put("input_height", a.inputHeight())
                .put("tower", a.towerSpec())
                .put("parameters", a.parameterCount())
                .put("embedding_size", a.embeddingSize())
                .put("forward_macs_per_image", a.forwardMacsPerImage())
                .put("preprocessing", Json.object()
                        .put("width", p.width())
                        .put("height", p.height())
                        .put("crop", new double[] {p.cropLeft(), p.cropTop(), p.cropWidth(), p.cropHeight()})
                        .put("invert", p.invert())
                        .put("mean", p.mean())
                        .put("std", p.std()))
                .put("threshold", model.threshold())
                .put("open_set", model.openSetCalibration().map(c -> Json.object().put("people", c.people())
                        .put("gallery_sizes", c.gallerySizes())).orElse(null))
                .put("metadata", model.metadata());
    }

    private static String preprocessing(Preprocessing p) {
        StringBuilder sb = new StringBuilder();
        if (p.crops()) {
            sb.append(String.format(Locale.ROOT, "crop %.3f,%.3f %.3fx%.3f of the image, then ", p.cropLeft(), p.cropTop(),
                    p.cropWidth(), p.cropHeight()));
        }
        sb.append("resize to ").append(p.width()).append('x').append(p.height());
        if (p.invert()) {
            sb.append(", invert");
        }
        sb.append(String.format(Locale.ROOT, ", (v/255 - %s) / %s", trim(p.mean()), trim(p.std())));
        return sb.toString();
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void row(PrintStream out, String label, String value) {
        out.printf(Locale.ROOT, "%-14s %s%n", label, value);
    }
}
