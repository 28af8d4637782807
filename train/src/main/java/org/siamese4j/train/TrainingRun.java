package org.siamese4j.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SgdMomentum;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;

/** Starting a training run from scratch, or resuming one exactly from its checkpoint. */
public final class TrainingRun {
    private TrainingRun() {
    }

    /** The optimizer schedule for a run: an epoch is one pass of tower images over the training set. */
    public static SgdMomentum optimizer(SiameseNet net, TrainOptions o, long stepsPerEpoch) {
        return new SgdMomentum(net, SgdMomentum.uniform(net, o.learningRate, o.l2, o.momentum),
                new SgdMomentum.Schedule(Math.max(1, stepsPerEpoch), 0.5, o.momentumRampEpochs, o.decayPerEpoch,
                        o.cosineSteps));
    }

    public static Trainer start(TrainOptions o, Architecture arch, Preprocessing pre, Kernels kernels, LoadedDataset train,
                                LoadedDataset validation, Path outDir, Map<String, String> metadata, PrintStream out,
                                boolean interactive) {
        return start(o, arch, pre, kernels, null, train, validation, outDir, metadata, out, interactive);
    }

    /**
     * A new run whose network starts from the weights of the model file {@code startFrom} (fine-tuning; it must
     * hold {@code arch}), or from {@code o.init} when it is null. The optimizer starts afresh either way.
     */
    public static Trainer start(TrainOptions o, Architecture arch, Preprocessing pre, Kernels kernels, Path startFrom,
                                LoadedDataset train, LoadedDataset validation, Path outDir, Map<String, String> metadata,
                                PrintStream out, boolean interactive) {
        if (startFrom == null) {
            SiameseNet net = SiameseNet.create(arch, kernels, true);
            o.init.initialize(net, o.seed);
            return begin(o, net, pre, train, validation, outDir, metadata, out, interactive, false);
        }
        ModelFile.Loaded source = ModelFile.loadTrainable(startFrom, kernels);
        if (!source.net().architecture().equals(arch)) {
            throw new BadInputException(startFrom + ": its weights do not fit this network (another architecture)");
        }
        return fineTune(o, source, pre, train, validation, outDir, metadata, out, interactive);
    }

    /**
     * A new run on a model read with {@link ModelFile#loadTrainable}: its network is trained on (not copied), with a
     * fresh optimizer, and validated before the first step, so that the starting weights are kept if no step beats
     * them.
     */
    public static Trainer fineTune(TrainOptions o, ModelFile.Loaded source, Preprocessing pre, LoadedDataset train,
                                   LoadedDataset validation, Path outDir, Map<String, String> metadata, PrintStream out,
                                   boolean interactive) {
        return begin(o, source.net(), pre, train, validation, outDir, metadata, out, interactive, true);
    }

    private static Trainer begin(TrainOptions o, SiameseNet net, Preprocessing pre, LoadedDataset train,
                                 LoadedDataset validation, Path outDir, Map<String, String> metadata, PrintStream out,
                                 boolean interactive, boolean validateFirst) {
        Reports.ensureDir(outDir);
        BatchSampler probe = new BatchSampler(train, pre, o.scheme, o.pairsPerBatch, o.classesPerBatch, o.imagesPerClass,
                o.withinGroup, null, null, o.fill, o.seed);
        SgdMomentum opt = optimizer(net, o, probe.datasetImages() / probe.imagesPerBatch());
        Trainer trainer = new Trainer(o, net, opt, pre, train, validation, outDir, metadata, out, interactive);
        if (validateFirst) {
            trainer.validateBeforeTraining();
        }
        return trainer;
    }

    /**
     * Continues from a checkpoint: the network, optimizer state and trajectory settings come from the file;
     * {@code o}'s stopping settings (steps, epochs, time, evaluation cadence) apply to the continued run.
     */
    public static Trainer resume(Path checkpoint, TrainOptions o, Kernels kernels, LoadedDataset train,
                                 LoadedDataset validation, Path outDir, PrintStream out, boolean interactive) {
        return resume(ModelFile.loadCheckpoint(checkpoint, kernels), o, train, validation, outDir, out, interactive);
    }

    /** The same from a checkpoint already read (its network and optimizer are trained on, not copied). */
    public static Trainer resume(ModelFile.Checkpoint c, TrainOptions o, LoadedDataset train, LoadedDataset validation,
                                 Path outDir, PrintStream out, boolean interactive) {
        Reports.ensureDir(outDir);
        o.applyTrajectory(c.trainerState());
        Map<String, String> metadata = new LinkedHashMap<>(c.model().metadata());
        Trainer t = new Trainer(o, c.model().net(), c.optimizer(), c.model().preprocessing(), train, validation, outDir,
                metadata, out, interactive);
        t.restore(c.trainerState());
        return t;
    }
}
