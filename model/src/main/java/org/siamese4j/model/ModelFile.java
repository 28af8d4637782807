package org.siamese4j.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Kernels;
import org.siamese4j.engine.layer.Param;
import org.siamese4j.model.io.Container;
import org.siamese4j.model.io.ContainerReader;
import org.siamese4j.model.io.ContainerWriter;
import org.siamese4j.model.io.FileKind;
import org.siamese4j.model.io.HalfFloats;
import org.siamese4j.model.io.WriteLock;

/**
 * Model and checkpoint files. A model file holds the architecture, the preprocessing, the weights (with
 * batch-norm statistics), the calibrated decision threshold and training metadata; a checkpoint adds the
 * optimizer's state and the trainer's. Both are checksummed containers written atomically under a
 * writer lock, and validated before anything large is allocated.
 */
public final class ModelFile {
    public static final FileKind MODEL = new FileKind("S4JMODEL", "model", 1);
    public static final FileKind CHECKPOINT = new FileKind("S4JCKPT1", "checkpoint", 1);
    /** The largest file either kind may be (koch is about 160 MB). */
    public static final long MAX_FILE_BYTES = 2L << 30;
    private static final int MAX_TEXT = 1 << 20;
    /** The optional section of a model's open-set calibration; files without it load with none. */
    private static final String OPEN_SET = "open-set";
    /** Weights in half precision, as {@link HalfFloats} stores them (instead of "params"). */
    private static final String HALF_PARAMS = "params-f16";
    private static final long MAX_OPEN_SET_VALUES = 4 + 2L * OpenSetCalibration.MAX_SIZES
            + (long) OpenSetCalibration.MAX_SIZES * OpenSetCalibration.MAX_QUANTILES;

    private ModelFile() {
    }

    /** A model read from a file. */
    public record Loaded(SiameseNet net, Preprocessing preprocessing, double threshold, Map<String, String> metadata,
                         String sha256, Optional<OpenSetCalibration> openSet) {
    }

    /** A checkpoint read from a file: a trainable network, its optimizer and the trainer's own state. */
    public record Checkpoint(Loaded model, SgdMomentum optimizer, Map<String, String> trainerState) {
    }

    public static String save(Path path, SiameseNet net, Preprocessing pre, double threshold, Map<String, String> metadata) {
        return save(path, net, pre, threshold, metadata, null);
    }

    /** Saves a model with its open-set calibration ({@code openSet} null: none). */
    public static String save(Path path, SiameseNet net, Preprocessing pre, double threshold, Map<String, String> metadata,
                              OpenSetCalibration openSet) {
        return save(path, net, pre, threshold, metadata, openSet, false);
    }

    /**
     * Saves a model, its weights in half precision when {@code half} (half the file, for a model shipped
     * inside a jar; a reader gets the weights as the nearest floats).
     */
    public static String save(Path path, SiameseNet net, Preprocessing pre, double threshold, Map<String, String> metadata,
                              OpenSetCalibration openSet, boolean half) {
        ContainerWriter w = modelSections(net, pre, threshold, metadata, half);
        if (openSet != null) {
            w.putDoubles(OPEN_SET, openSet.toDoubles());
        }
        try (WriteLock lock = WriteLock.acquire(path)) {
            return w.write(path, MODEL.magic(), 1);
        }
    }

    public static String saveCheckpoint(Path path, SiameseNet net, Preprocessing pre, double threshold,
                                        Map<String, String> metadata, SgdMomentum optimizer, Map<String, String> trainerState) {
        ContainerWriter w = modelSections(net, pre, threshold, metadata, false);
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("step", Long.toString(optimizer.step()));
        SgdMomentum.Schedule s = optimizer.schedule();
        opt.put("steps-per-epoch", Long.toString(s.stepsPerEpoch()));
        opt.put("momentum-start", Double.toString(s.momentumStart()));
        opt.put("momentum-ramp-epochs", Double.toString(s.momentumRampEpochs()));
        opt.put("decay-per-epoch", Double.toString(s.decayPerEpoch()));
        opt.put("cosine-steps", Long.toString(s.cosineSteps()));
        for (int i = 0; i < optimizer.hyper().size(); i++) {
            SgdMomentum.LayerHyper h = optimizer.hyper().get(i);
            opt.put("layer." + i, h.learningRate() + "," + h.l2() + "," + h.finalMomentum());
        }
        w.putText("optimizer", KeyValues.format(opt));
        w.putFloats("velocity", optimizer.velocity());
        w.putText("trainer", KeyValues.format(trainerState));
        try (WriteLock lock = WriteLock.acquire(path)) {
            return w.write(path, CHECKPOINT.magic(), 1);
        }
    }

    private static ContainerWriter modelSections(SiameseNet net, Preprocessing pre, double threshold, Map<String, String> metadata,
                                                 boolean half) {
        Architecture a = net.architecture();
        Map<String, String> arch = new LinkedHashMap<>();
        arch.put("name", a.name());
        arch.put("input-height", Integer.toString(a.inputHeight()));
        arch.put("input-width", Integer.toString(a.inputWidth()));
        arch.put("tower", a.towerSpec());
        ContainerWriter w = new ContainerWriter();
        w.putText("architecture", KeyValues.format(arch));
        w.putText("preprocessing", KeyValues.format(pre.toMap()));
        w.putDoubles("threshold", new double[] {threshold});
        w.putText("metadata", KeyValues.format(metadata));
        w.putText("layout", layout(net));
        if (half) {
            w.putBytes(HALF_PARAMS, HalfFloats.encode(net.params().values()));
        } else {
            w.putFloats("params", net.params().values());
        }
        return w;
    }

    private static String layout(SiameseNet net) {
        StringBuilder sb = new StringBuilder();
        for (SiameseNet.ParamGroup g : net.groups()) {
            for (Param p : g.params()) {
                sb.append(g.name()).append('/').append(p.name()).append(' ').append(p.size()).append('\n');
            }
        }
        return sb.toString();
    }

    public static Loaded load(Path path, Kernels kernels) {
        try (Container c = ContainerReader.read(path, MODEL, MAX_FILE_BYTES)) {
            return readModel(c, kernels, false, path);
        }
    }

    /** Reads a model as a network to train on (fine-tuning): its weights are the starting point, not copied. */
    public static Loaded loadTrainable(Path path, Kernels kernels) {
        try (Container c = ContainerReader.read(path, MODEL, MAX_FILE_BYTES)) {
            return readModel(c, kernels, true, path);
        }
    }

    /**
     * Reads a model file's weights straight into {@code net}, which must have the same architecture and
     * layout: no second network is built (a training run that needs its best weights back keeps one
     * network in memory). A file of another architecture is refused before anything is read into {@code net}.
     */
    public static void loadWeightsInto(Path path, SiameseNet net) {
        try (Container c = ContainerReader.read(path, MODEL, MAX_FILE_BYTES)) {
            // the layout names every parameter tensor and its size, in order
            if (!text(c, "layout").equals(layout(net))
                    || !c.has("params") || c.count("params") != net.params().size()) {
                throw new BadInputException(path + ": its weights do not fit this network (another architecture)");
            }
            c.readFloatsInto("params", net.params().values(), 0, net.params().size());
            for (float v : net.params().values()) {
                if (!Float.isFinite(v)) {
                    throw new BadInputException(path + ": weights contain NaN or infinity");
                }
            }
        }
    }

    /** Reads a model from memory (the same validation as from a file); name is used in messages. */
    public static Loaded load(byte[] data, String name, Kernels kernels) {
        try (Container c = ContainerReader.read(data, name, MODEL, MAX_FILE_BYTES)) {
            return readModel(c, kernels, false, Path.of(name));
        }
    }

    public static Checkpoint loadCheckpoint(Path path, Kernels kernels) {
        try (Container c = ContainerReader.read(path, CHECKPOINT, MAX_FILE_BYTES)) {
            Loaded model = readModel(c, kernels, true, path);
            try {
                Map<String, String> opt = KeyValues.parse(text(c, "optimizer"));
                SgdMomentum.Schedule schedule = new SgdMomentum.Schedule(Long.parseLong(KeyValues.require(opt, "steps-per-epoch")),
                        KeyValues.number(opt, "momentum-start"), KeyValues.number(opt, "momentum-ramp-epochs"),
                        KeyValues.number(opt, "decay-per-epoch"),
                        opt.containsKey("cosine-steps") ? Long.parseLong(opt.get("cosine-steps")) : 0);
                List<SgdMomentum.LayerHyper> hyper = new ArrayList<>();
                for (int i = 0; i < model.net().groups().size(); i++) {
                    String[] f = KeyValues.require(opt, "layer." + i).split(",");
                    if (f.length != 3) {
                        throw new IllegalArgumentException("layer." + i + " needs lr,l2,momentum");
                    }
                    hyper.add(new SgdMomentum.LayerHyper(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])));
                }
                SgdMomentum optimizer = new SgdMomentum(model.net(), hyper, schedule);
                long step = Long.parseLong(KeyValues.require(opt, "step"));
                float[] velocity = c.floats("velocity", model.net().params().size());
                optimizer.restore(velocity, step);
                Map<String, String> trainer = KeyValues.parse(text(c, "trainer"));
                return new Checkpoint(model, optimizer, trainer);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(path + ": invalid optimizer state (" + e.getMessage() + ")");
            }
        }
    }

    private static Loaded readModel(Container c, Kernels kernels, boolean trainable, Path path) {
        Architecture arch;
        Preprocessing pre;
        Map<String, String> meta;
        try {
            Map<String, String> a = KeyValues.parse(text(c, "architecture"));
            arch = new Architecture(KeyValues.require(a, "name"), KeyValues.integer(a, "input-height"),
                    KeyValues.integer(a, "input-width"), LayerSpec.parseList(KeyValues.require(a, "tower")));
            pre = Preprocessing.fromMap(KeyValues.parse(text(c, "preprocessing")));
            meta = KeyValues.parse(text(c, "metadata"));
            arch.parameterCount(); // walks the shapes: refuses impossible or oversized networks before allocation
        } catch (IllegalArgumentException e) {
            throw new BadInputException(path + ": invalid model description (" + e.getMessage() + ")");
        }
        if (pre.width() != arch.inputWidth() || pre.height() != arch.inputHeight()) {
            throw new BadInputException(path + ": preprocessing size " + pre.width() + "x" + pre.height()
                    + " does not match the network input " + arch.inputWidth() + "x" + arch.inputHeight());
        }
        long expected = arch.parameterCount();
        boolean half = !c.has("params") && c.has(HALF_PARAMS);
        long held = half ? c.count(HALF_PARAMS) / 2 : c.has("params") ? c.count("params") : 0;
        if (held != expected || (half && c.count(HALF_PARAMS) % 2 != 0)) {
            throw new BadInputException(path + ": weights section holds " + held + " values but the architecture needs "
                    + expected);
        }
        double[] threshold = c.doubles("threshold", 1);
        if (!(threshold[0] >= 0 && threshold[0] <= 1)) {
            throw new BadInputException(path + ": decision threshold " + threshold[0] + " is not a probability");
        }
        // only now, with the size known to match, allocate the network
        SiameseNet net = SiameseNet.create(arch, kernels, trainable);
        if (!text(c, "layout").equals(layout(net))) {
            throw new BadInputException(path + ": parameter layout does not match the architecture");
        }
        if (half) {
            HalfFloats.decode(c.bytes(HALF_PARAMS), net.params().values());
        } else {
            c.readFloatsInto("params", net.params().values(), 0, net.params().size());
        }
        for (float v : net.params().values()) {
            if (!Float.isFinite(v)) {
                throw new BadInputException(path + ": weights contain NaN or infinity");
            }
        }
        return new Loaded(net, pre, threshold[0], meta, c.sha256(), openSet(c, path));
    }

    private static Optional<OpenSetCalibration> openSet(Container c, Path path) {
        if (!c.has(OPEN_SET)) {
            return Optional.empty();
        }
        if (c.count(OPEN_SET) > MAX_OPEN_SET_VALUES) {
            throw new BadInputException(path + ": open-set calibration is too large (" + c.count(OPEN_SET) + " values)");
        }
        try {
            return Optional.of(OpenSetCalibration.fromDoubles(c.doubles(OPEN_SET)));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(path + ": invalid open-set calibration (" + e.getMessage() + ")");
        }
    }

    private static String text(Container c, String name) {
        if (!c.has(name)) {
            throw new BadInputException(c.displayName() + ": missing section '" + name + "'");
        }
        if (c.count(name) > MAX_TEXT) {
            throw new BadInputException(c.displayName() + ": section '" + name + "' is too large (" + c.count(name) + " bytes)");
        }
        return c.text(name);
    }
}
