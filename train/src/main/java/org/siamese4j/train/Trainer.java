package org.siamese4j.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.LossParts;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.OpenSetCalibration;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SgdMomentum;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.eval.EmbeddingTable;
import org.siamese4j.train.eval.OneShot;

/**
 * The training loop: draws batches in the background, runs forward/backward and the SGD update, shows
 * progress, validates with N-way one-shot trials on held-out classes, keeps the best model, writes
 * checkpoints, and stops on a step, epoch or time budget, on early stopping, on a non-finite loss or on
 * request (Ctrl-C), always leaving a resumable checkpoint and the best model behind.
 */
public final class Trainer {
    /**
     * How a run ended. {@code model} is null when no model was kept; {@code checkpoint} is null when the run
     * diverged before it wrote its first checkpoint.
     */
    public record Result(long steps, double epochs, double bestAccuracy, long bestStep, double lastLoss, Duration elapsed,
                         double threshold, double imagesPerSecond, double pairsPerSecond, String stopReason,
                         boolean diverged, Path model, Path checkpoint, List<LogRow> log) {
    }

    /** One line of the training log. */
    public record LogRow(long step, double epoch, double loss, double pairLoss, double weightDecay,
                         double imagesPerSecond, double valAccuracy, double seconds) {
    }

    private final TrainOptions options;
    private final SiameseNet net;
    private final SgdMomentum optimizer;
    private final Preprocessing preprocessing;
    private final LoadedDataset train;
    private final LoadedDataset validation;
    private final Path outDir;
    private final Map<String, String> metadata;
    private final PrintStream out;
    private final boolean interactive;
    private final BatchSampler sampler;
    private final List<OneShot.Trial> valTrials;
    private final List<LogRow> log = new ArrayList<>();
    private volatile String stopRequest;
    private final CountDownLatch finished = new CountDownLatch(1);

    // state that a checkpoint carries
    private double bestAccuracy = -1;
    private long bestStep = -1;
    private int evalsSinceBest;
    private boolean validateAtStart;
    private long elapsedMillisBefore;
    private float[] bestWeights;
    /** The step of the checkpoint on disk that this run wrote or resumed from; -1 while there is none. */
    private long checkpointStep = -1;

    public Trainer(TrainOptions options, SiameseNet net, SgdMomentum optimizer, Preprocessing preprocessing,
                   LoadedDataset train, LoadedDataset validation, Path outDir, Map<String, String> metadata,
                   PrintStream out, boolean interactive) {
        this.options = options;
        this.net = net;
        this.optimizer = optimizer;
        this.preprocessing = preprocessing;
        this.train = train;
        this.validation = validation;
        this.outDir = outDir;
        this.metadata = new LinkedHashMap<>(metadata);
        this.out = out;
        this.interactive = interactive;
        this.sampler = new BatchSampler(train, preprocessing, options.scheme, options.pairsPerBatch, options.classesPerBatch,
                options.imagesPerClass, options.withinGroup, options.augmentParams(), options.pixelAugment, options.fill,
                options.seed);
        this.valTrials = validation == null ? List.of() : validationTrials(validation, options);
    }

    private static List<OneShot.Trial> validationTrials(LoadedDataset val, TrainOptions o) {
        int classes = (int) val.classes().stream().filter(c -> c.size() >= 2).count();
        int way = Math.min(o.valWay, classes);
        if (way < 2) {
            return List.of();
        }
        try {
            return OneShot.trials(val, way, o.valTrials, o.valWithinGroup, o.seed ^ 0x5EEDL);
        } catch (BadInputException e) {
            // no group is big enough for a within-group trial: fall back to trials across groups
            return OneShot.trials(val, way, o.valTrials, false, o.seed ^ 0x5EEDL);
        }
    }

    public BatchSampler sampler() {
        return sampler;
    }

    /** Restores the bookkeeping of a checkpoint (see {@link #state()}). */
    public void restore(Map<String, String> state) {
        bestAccuracy = Double.parseDouble(state.getOrDefault("best-accuracy", "-1"));
        bestStep = Long.parseLong(state.getOrDefault("best-step", "-1"));
        evalsSinceBest = Integer.parseInt(state.getOrDefault("evals-since-best", "0"));
        elapsedMillisBefore = Long.parseLong(state.getOrDefault("elapsed-ms", "0"));
        checkpointStep = optimizer.step();
        log.clear();
        log.addAll(Reports.readCsv(outDir.resolve("log.csv"), optimizer.step()));
    }

    /** The trainer's part of a checkpoint. */
    public Map<String, String> state() {
        Map<String, String> m = new LinkedHashMap<>(options.trajectory());
        m.put("best-accuracy", Double.toString(bestAccuracy));
        m.put("best-step", Long.toString(bestStep));
        m.put("evals-since-best", Integer.toString(evalsSinceBest));
        m.put("elapsed-ms", Long.toString(elapsedMillisBefore));
        return m;
    }

    /**
     * Validates the network before the first step as well (a run started from a trained model): the log shows
     * where fine-tuning began, and if no step beats it the starting weights are the model kept.
     */
    public void validateBeforeTraining() {
        validateAtStart = true;
    }

    /** Asks the loop to stop after the current step (from a signal handler or another thread). */
    public void requestStop(String reason) {
        stopRequest = reason;
    }

    /** Waits until the run has saved its state after a stop request; false on timeout. */
    public boolean awaitFinished(long millis) throws InterruptedException {
        return finished.await(millis, TimeUnit.MILLISECONDS);
    }

    public Path modelPath() {
        return outDir.resolve("model.s4j");
    }

    public Path checkpointPath() {
        return outDir.resolve("checkpoint.s4j");
    }

    public Result run() {
        try {
            return loop();
        } finally {
            finished.countDown();
        }
    }

    /** Wall-clock milliseconds; a test replaces it to run the time budget without waiting. */
    private LongSupplier clock = System::currentTimeMillis;

    /** Uses another clock for the time limit and the schedule's time budget (tests). */
    void useClock(LongSupplier millis) {
        this.clock = millis;
    }

    SgdMomentum optimizer() {
        return optimizer;
    }

    private Result loop() {
        long stepsPerEpoch = Math.max(1, sampler.datasetImages() / sampler.imagesPerBatch());
        long startMillis = clock.getAsLong();
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "siamese4j-batches");
            t.setDaemon(true);
            return t;
        });
        BatchSampler.Batch[] buffers = {new BatchSampler.Batch(), new BatchSampler.Batch()};
        double[] l2 = optimizer.l2PerGroup();
        String stopReason = null;
        boolean diverged = false;
        LossParts loss = null;
        double lossEma = Double.NaN;
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        double imagesPerSecond = 0;
        long lastPrint = 0;
        long step = optimizer.step();
        long pairsPerStep = 0;
        if (validateAtStart && step == 0 && !valTrials.isEmpty()) {
            double acc = validate(0);
            log.add(new LogRow(0, 0, Double.NaN, Double.NaN, Double.NaN, 0, acc, elapsedSeconds(startMillis)));
            out.printf(Locale.ROOT, "step 0 (the starting weights): val %.1f%%%n", 100 * acc);
        }
        try {
            Future<BatchSampler.Batch> next = prefetch.submit(() -> fill(buffers[(int) (optimizer.step() % 2)], optimizer.step()));
            while (true) {
                spendBudget(startMillis);
                stopReason = stopCondition(step, stepsPerEpoch, startMillis);
                if (stopReason != null) {
                    break;
                }
                BatchSampler.Batch batch = next.get();
                long following = step + 1;
                next = prefetch.submit(() -> fill(buffers[(int) (following % 2)], following));
                net.params().zeroGrads();
                loss = net.forwardBackward(batch.images(), batch.count(), batch.pairs(), l2, options.loss);
                pairsPerStep = batch.pairs().size();
                if (!loss.finite()) {
                    diverged = true;
                    stopReason = String.format(Locale.ROOT, "the loss became %s at step %d; %s",
                            Double.isNaN(loss.total()) ? "NaN" : "infinite", step, keptCheckpoint());
                    break;
                }
                optimizer.update();
                step = optimizer.step();
                windowSteps++;
                lossEma = Double.isNaN(lossEma) ? loss.total() : 0.98 * lossEma + 0.02 * loss.total();
                long now = System.nanoTime();
                double windowSeconds = (now - windowStart) / 1e9;
                if (windowSeconds >= 5 && windowSteps > 0) {
                    imagesPerSecond = windowSteps * (double) batch.count() / windowSeconds;
                    windowStart = now;
                    windowSteps = 0;
                }
                double valAcc = Double.NaN;
                if (!valTrials.isEmpty() && step % options.evalEvery == 0) {
                    valAcc = validate(step);
                }
                if (step % 50 == 0 || !Double.isNaN(valAcc)) {
                    log.add(new LogRow(step, (double) step / stepsPerEpoch, loss.total(), loss.pairLoss(), loss.weightDecay(),
                            imagesPerSecond, valAcc, elapsedSeconds(startMillis)));
                }
                if (step % options.checkpointEvery == 0) {
                    if (!weightsFinite()) {
                        diverged = true;
                        stopReason = "the weights became NaN or infinite by step " + step + "; " + keptCheckpoint();
                        break;
                    }
                    saveCheckpoint(startMillis);
                }
                long nowMs = clock.getAsLong();
                if (nowMs - lastPrint >= (interactive ? 500 : 10_000) || !Double.isNaN(valAcc)) {
                    lastPrint = nowMs;
                    progress(step, stepsPerEpoch, lossEma, loss, imagesPerSecond, pairsPerStep, startMillis);
                }
                if (options.patience > 0 && evalsSinceBest >= options.patience) {
                    stopReason = "early stop: no better validation accuracy in " + options.patience + " evaluations";
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopReason = "interrupted";
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IllegalStateException(cause);
        } finally {
            prefetch.shutdownNow();
        }
        if (interactive) {
            out.println();
        }
        if (!diverged && weightsFinite()) {
            saveCheckpoint(startMillis);
        } else if (!diverged) {
            diverged = true;
            stopReason = "the weights became NaN or infinite; " + keptCheckpoint();
        }
        // a last validation when the run ended between evaluations
        if (!diverged && !valTrials.isEmpty() && (log.isEmpty() || Double.isNaN(log.get(log.size() - 1).valAccuracy()))
                && optimizer.step() > 0 && optimizer.step() != bestStep) {
            double acc = validate(optimizer.step());
            log.add(new LogRow(optimizer.step(), (double) optimizer.step() / stepsPerEpoch, loss == null ? Double.NaN : loss.total(),
                    loss == null ? Double.NaN : loss.pairLoss(), loss == null ? Double.NaN : loss.weightDecay(),
                    imagesPerSecond, acc, elapsedSeconds(startMillis)));
        }
        double threshold = 0.5;
        Path model = null;
        boolean haveBest = bestWeights != null;
        if (haveBest) {
            System.arraycopy(bestWeights, 0, net.params().values(), 0, bestWeights.length);
        } else if (bestStep >= 0 && Files.exists(modelPath())) {
            // resumed after the best step: its weights are in the model file written then (the last
            // weights are safe in the checkpoint just written); read in place, no second network
            ModelFile.loadWeightsInto(modelPath(), net);
            haveBest = true;
        }
        // the final model is the best validated one, or the last one when nothing was validated (never NaN)
        if (haveBest || (valTrials.isEmpty() && !diverged)) {
            threshold = validation == null ? 0.5 : Calibration.eerThreshold(net, preprocessing, validation, options.calibrationPairs,
                    options.valWithinGroup, options.seed ^ 0xCA1BL);
            // what keeps gallery searches' false-positive identification rate at a target, per gallery size
            OpenSetCalibration openSet = OpenSetData.calibrate(net, preprocessing, validation);
            model = writeModel(threshold, openSet, haveBest ? bestStep : optimizer.step());
        } else if (Files.exists(modelPath())) {
            model = modelPath();
        }
        Reports.write(outDir, log, net, preprocessing, validation, valTrials);
        double seconds = elapsedSeconds(startMillis);
        double pairsPerSecond = imagesPerSecond / sampler.imagesPerBatch() * pairsPerStep;
        return new Result(optimizer.step(), (double) optimizer.step() / stepsPerEpoch, bestAccuracy, bestStep,
                loss == null ? Double.NaN : loss.total(), Duration.ofMillis((long) (seconds * 1000)), threshold,
                imagesPerSecond, pairsPerSecond, stopReason, diverged, model, checkpointStep >= 0 ? checkpointPath() : null,
                List.copyOf(log));
    }

    /** What a run that diverged leaves to resume from, for its stop reason. */
    private String keptCheckpoint() {
        return checkpointStep >= 0 ? "kept the last good checkpoint (step " + checkpointStep + ")"
                : "no checkpoint was written before it (the first was due at step " + options.checkpointEvery + ")";
    }

    private boolean weightsFinite() {
        for (float v : net.params().values()) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private BatchSampler.Batch fill(BatchSampler.Batch b, long step) {
        sampler.fill(step, b);
        return b;
    }

    private String stopCondition(long step, long stepsPerEpoch, long startMillis) {
        if (stopRequest != null) {
            return stopRequest;
        }
        if (step >= options.maxSteps) {
            return "reached " + options.maxSteps + " steps";
        }
        if ((double) step / stepsPerEpoch >= options.maxEpochs) {
            return "reached " + options.maxEpochs + " epochs";
        }
        if (options.timeLimit != null && elapsedSeconds(startMillis) * 1000 >= options.timeLimit.toMillis()) {
            return "reached the time limit of " + Progress.duration(options.timeLimit.toSeconds());
        }
        return null;
    }

    /** With a time limit, the share of it spent drives the cosine schedule too (whichever budget ends first). */
    private void spendBudget(long startMillis) {
        if (options.timeLimit != null && options.timeLimit.toMillis() > 0) {
            optimizer.setBudgetSpent(elapsedSeconds(startMillis) * 1000 / options.timeLimit.toMillis());
        }
    }

    private double elapsedSeconds(long startMillis) {
        return (elapsedMillisBefore + clock.getAsLong() - startMillis) / 1000.0;
    }

    private double validate(long step) {
        EmbeddingTable table = new EmbeddingTable(net, preprocessing, validation);
        double acc = OneShot.evaluate(valTrials, table).accuracy();
        if (acc > bestAccuracy && weightsFinite()) { // weights that turned NaN are never the best model
            bestAccuracy = acc;
            bestStep = step;
            evalsSinceBest = 0;
            bestWeights = net.params().values().clone();
            writeModel(0.5, null, step);
        } else {
            evalsSinceBest++;
        }
        return acc;
    }

    private Path writeModel(double threshold, OpenSetCalibration openSet, long step) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("steps", Long.toString(step));
        meta.put("validation-accuracy", bestAccuracy < 0 ? "" : String.format(Locale.ROOT, "%.4f", bestAccuracy));
        meta.put("validation-way", valTrials.isEmpty() ? "" : Integer.toString(valTrials.get(0).supportClasses().length));
        meta.put("threshold-method", threshold == 0.5 && validation == null ? "default" : "eer-on-validation");
        ModelFile.save(modelPath(), net, preprocessing, threshold, meta, openSet);
        return modelPath();
    }

    private void saveCheckpoint(long startMillis) {
        long saved = elapsedMillisBefore;
        elapsedMillisBefore = (long) (elapsedSeconds(startMillis) * 1000);
        Map<String, String> state = state();
        elapsedMillisBefore = saved;
        // the log first: a kill between the two leaves rows past the checkpoint, which a resume drops
        Reports.writeCsv(outDir.resolve("log.csv"), log);
        ModelFile.saveCheckpoint(checkpointPath(), net, preprocessing, 0.5, metadata, optimizer, state);
        checkpointStep = optimizer.step();
    }

    private void progress(long step, long stepsPerEpoch, double lossEma, LossParts loss, double imagesPerSecond,
                          long pairsPerStep, long startMillis) {
        double elapsed = elapsedSeconds(startMillis);
        String eta = Progress.eta(step, stepsPerEpoch, options, elapsed, imagesPerSecond / sampler.imagesPerBatch());
        String val = bestStep < 0 ? "-" : String.format(Locale.ROOT, "%.1f%% (best %.1f%% @%d)",
                100 * lastValidation(), 100 * bestAccuracy, bestStep);
        String line = String.format(Locale.ROOT, "step %d | epoch %.2f | loss %.4f (average; last step: pair %.4f + l2 %.4f) | lr %.3g | %.0f img/s, %.0f pairs/s | %s | ETA %s | val %s",
                step, (double) step / stepsPerEpoch, lossEma, loss.pairLoss(), loss.weightDecay(), optimizer.learningRate(0), imagesPerSecond,
                imagesPerSecond / sampler.imagesPerBatch() * pairsPerStep, Progress.duration((long) elapsed), eta, val);
        if (interactive) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    private double lastValidation() {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (!Double.isNaN(log.get(i).valAccuracy())) {
                return log.get(i).valAccuracy();
            }
        }
        return Double.NaN;
    }
}
