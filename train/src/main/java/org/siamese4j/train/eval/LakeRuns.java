package org.siamese4j.train.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.image.GrayImage;
import org.siamese4j.image.ImageLoader;

/**
 * Lake et al.'s fixed 20-way within-alphabet one-shot benchmark (the one behind Koch's 92.0%): a folder of
 * {@code run01}..{@code run20}, each with {@code class_labels.txt} whose lines read
 * {@code runNN/test/itemKK.png runNN/training/classMM.png}, 20 training images (one per class) and 20 test
 * images. Each test image is matched against the run's training images.
 */
public final class LakeRuns {
    private static final int MAX_RUNS = 1000;
    private static final int MAX_LINES = 10_000;

    /** One run: the test images, the training images, and the true training image of each test image. */
    public record Run(String name, List<Path> tests, List<Path> trainings, int[] answer) {
    }

    /** Accuracy per run and overall. */
    public record Result(Map<String, Double> perRun, int correct, int trials) {
        public double accuracy() {
            return trials == 0 ? 0 : (double) correct / trials;
        }
    }

    private LakeRuns() {
    }

    public static List<Run> read(Path root) {
        if (!Files.isDirectory(root)) {
            throw new BadInputException(root + ": not a folder of Lake's runs (run01..run20)");
        }
        List<Path> runDirs = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("run\\d+")).sorted().forEach(runDirs::add);
        } catch (IOException e) {
            throw new BadInputException(root + ": cannot list (" + e.getMessage() + ")");
        }
        if (runDirs.isEmpty()) {
            throw new BadInputException(root + ": no runNN folders found");
        }
        if (runDirs.size() > MAX_RUNS) {
            throw new BadInputException(root + ": more than " + MAX_RUNS + " runs");
        }
        List<Run> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            runs.add(readRun(root, dir));
        }
        return runs;
    }

    private static Run readRun(Path root, Path dir) {
        Path labels = dir.resolve("class_labels.txt");
        List<String> lines;
        try {
            if (!Files.isRegularFile(labels) || Files.size(labels) > (1 << 20)) {
                throw new BadInputException(labels + ": missing or too large");
            }
            lines = Files.readAllLines(labels, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException(labels + ": cannot read (" + e.getMessage() + ")");
        }
        List<Path> tests = new ArrayList<>();
        List<Path> trainings = new ArrayList<>();
        Map<Path, Integer> trainingIndex = new LinkedHashMap<>();
        List<Integer> answers = new ArrayList<>();
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (lineNo > MAX_LINES) {
                throw new BadInputException(labels + ": too many lines");
            }
            String[] t = line.trim().split("\\s+");
            if (t.length != 2) {
                throw new BadInputException(labels + ": line " + lineNo + " should be 'test-image training-image'");
            }
            Path test = inside(root, t[0], labels, lineNo);
            Path training = inside(root, t[1], labels, lineNo);
            tests.add(test);
            Integer idx = trainingIndex.get(training);
            if (idx == null) {
                idx = trainings.size();
                trainingIndex.put(training, idx);
                trainings.add(training);
            }
            answers.add(idx);
        }
        if (tests.isEmpty()) {
            throw new BadInputException(labels + ": no pairs");
        }
        // every training image of the run takes part, labelled or not
        Path trainingDir = dir.resolve("training");
        if (Files.isDirectory(trainingDir)) {
            try (Stream<Path> s = Files.list(trainingDir)) {
                s.filter(Files::isRegularFile).sorted().forEach(p -> {
                    Path n = p.normalize();
                    if (!trainingIndex.containsKey(n)) {
                        trainingIndex.put(n, trainings.size());
                        trainings.add(n);
                    }
                });
            } catch (IOException e) {
                throw new BadInputException(trainingDir + ": cannot list (" + e.getMessage() + ")");
            }
        }
        return new Run(dir.getFileName().toString(), tests, trainings, answers.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Resolves a path of the labels file against the runs' root, refusing anything that leaves it. */
    private static Path inside(Path root, String rel, Path labels, int lineNo) {
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root.normalize()) || rel.startsWith("/")) {
            throw new BadInputException(labels + ": line " + lineNo + " points outside the runs folder: " + rel);
        }
        return p;
    }

    public static Result evaluate(List<Run> runs, Matcher matcher) {
        Map<String, Double> perRun = new LinkedHashMap<>();
        int correct = 0;
        int trials = 0;
        for (Run run : runs) {
            List<GrayImage> tests = load(run.tests());
            List<GrayImage> trainings = load(run.trainings());
            double[][] s = matcher.similarities(tests, trainings);
            int ok = 0;
            for (int i = 0; i < tests.size(); i++) {
                int best = 0;
                for (int j = 1; j < trainings.size(); j++) {
                    if (s[i][j] > s[i][best]) {
                        best = j;
                    }
                }
                if (best == run.answer()[i]) {
                    ok++;
                }
            }
            perRun.put(run.name(), (double) ok / tests.size());
            correct += ok;
            trials += tests.size();
        }
        return new Result(perRun, correct, trials);
    }

    private static List<GrayImage> load(List<Path> paths) {
        List<GrayImage> out = new ArrayList<>();
        for (Path p : paths) {
            out.add(ImageLoader.load(p));
        }
        return out;
    }
}
