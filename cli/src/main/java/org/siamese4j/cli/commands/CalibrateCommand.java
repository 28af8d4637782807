package org.siamese4j.cli.commands;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.siamese4j.cli.Command;
import org.siamese4j.cli.ExitCode;
import org.siamese4j.cli.Invocation;
import org.siamese4j.cli.Json;
import org.siamese4j.cli.Option;
import org.siamese4j.cli.Positionals;
import org.siamese4j.cli.UsageException;
import org.siamese4j.cli.ValueParser;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.OpenSetCalibration;
import org.siamese4j.model.io.HalfFloats;
import org.siamese4j.train.DataSplits;
import org.siamese4j.train.OpenSetData;
import org.siamese4j.train.data.DataSources;
import org.siamese4j.train.data.LoadedDataset;

/**
 * {@code siamese calibrate}: gives a trained model the open-set calibration that training now stores at its
 * end, from the model's own validation classes, and writes it as a new model file.
 */
public final class CalibrateCommand implements Command {
    static final Option<Path> MODEL = Option.value("model", "FILE", ValueParser.path(), "the model file").required();
    static final Option<List<Path>> DATA = Option.value("data", "PATH[,PATH...]", ValueParser.paths(),
            "the data the model was trained on (default: the path it records)");
    static final Option<Path> OUT = Option.value("out", "FILE", ValueParser.path(),
            "the calibrated model to write (a new file: galleries name the model they were made with)").required();
    static final Option<Boolean> HALF = Option.flag("half",
            "store the weights in half precision: half the file (the built-in face model is stored so)");

    @Override
    public String name() {
        return "calibrate";
    }

    @Override
    public String summary() {
        return "store an open-set calibration (FPIR per gallery size) in a trained model";
    }

    @Override
    public String details() {
        return """
                Training ends by calibrating, on its validation classes, what keeps the false-positive
                identification rate (strangers named by a gallery search) at a target for galleries of each
                size; identify and annotate read it for --fpir. This command does the same for a model trained
                before that existed, or on other data: it reads the model's validation classes from --data (as
                'eval --split validation' does), simulates gallery searches on them, and writes the model with
                the calibration to --out. Weights (unless --half rounds them to half precision), threshold and
                metadata are unchanged; the new file has a new SHA-256, so galleries made with the old file must
                be enrolled again.

                Exit code: 0 written; 2 bad input (no validation classes recorded, too few of them, an --out
                that is the model itself).
                JSON: {model, out, people, gallery_sizes, fpir_1_percent: [{gallery_size, threshold}]}

                example:
                  siamese calibrate --model runs/lfw/model.s4j --data lfw-train.zip --out runs/lfw/model-open-set.s4j""";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(MODEL, DATA, OUT, HALF);
    }

    @Override
    public Positionals positionals() {
        return Positionals.none();
    }

    @Override
    public int run(Invocation inv) {
        Path modelPath = inv.get(MODEL);
        Path out = inv.get(OUT);
        if (FilePaths.sameFile(out, modelPath)) {
            throw new UsageException("--out must be a new file, not the model itself");
        }
        ModelFile.Loaded m = ModelFile.load(modelPath, inv.kernels());
        String recorded = m.metadata().getOrDefault("data", "");
        TrainingData.Sources data = inv.get(DATA) != null ? TrainingData.Sources.forModel(inv.get(DATA), recorded)
                : TrainingData.Sources.of(DataSources.parse(recorded));
        LoadedDataset validation = DataSplits.select(TrainingData.loadAsTrained(inv, data, m), m.metadata(),
                DataSplits.VALIDATION_KEY, data.label());
        Map<String, String> metadata = new LinkedHashMap<>(m.metadata());
        metadata.put("open-set-calibrated-from", m.sha256());
        if (inv.get(HALF)) {
            // calibrate the weights that will be shipped: round them first
            float[] w = m.net().params().values();
            for (int i = 0; i < w.length; i++) {
                w[i] = HalfFloats.toFloat(HalfFloats.fromFloat(w[i]));
            }
        }
        OpenSetCalibration calibration = OpenSetData.calibrate(m.net(), m.preprocessing(), validation);
        if (calibration == null) {
            throw new BadInputException(modelPath + ": too few validation classes (" + validation.classCount()
                    + ") to calibrate gallery searches");
        }
        String sha = ModelFile.save(out, m.net(), m.preprocessing(), m.threshold(), metadata, calibration, inv.get(HALF));

        List<Json.Obj> thresholds = new ArrayList<>();
        inv.out().println(out + ": " + calibration.describe() + "; sha256 " + sha);
        for (int n : new int[] {1, 10, 100, 1000}) {
            OpenSetCalibration.Threshold t = calibration.threshold(n, 0.01);
            thresholds.add(Json.object().put("gallery_size", n).put("threshold", t.probability())
                    .put("extrapolated", t.extrapolated()));
            if (!inv.json()) {
                inv.out().printf(Locale.ROOT, "  FPIR 1 %% for a gallery of %d: p >= %.6f%s%n", n, t.probability(),
                        t.extrapolated() ? " (extrapolated)" : "");
            }
        }
        if (inv.json()) {
            inv.printJson(Json.object().put("model", modelPath.toString()).put("out", out.toString()).put("sha256", sha)
                    .put("people", calibration.people()).put("gallery_sizes", calibration.gallerySizes())
                    .put("fpir_1_percent", thresholds));
        }
        return ExitCode.OK;
    }
}
