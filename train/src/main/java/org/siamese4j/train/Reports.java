package org.siamese4j.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.io.AtomicFile;
import org.siamese4j.train.data.LoadedDataset;
import org.siamese4j.train.eval.EmbeddingTable;
import org.siamese4j.train.eval.OneShot;

/**
 * The training report folder: {@code log.csv}, {@code chart.png} (loss and validation accuracy over
 * steps, drawn with Java2D) and {@code trials.png} (a few one-shot trials: query, support set, the pick
 * and the truth). Every file is written atomically.
 */
public final class Reports {
    private static final int CELL = 56;

    private Reports() {
    }

    public static void write(Path dir, List<Trainer.LogRow> log, SiameseNet net, Preprocessing pre, LoadedDataset validation,
                             List<OneShot.Trial> trials) {
        writeCsv(dir.resolve("log.csv"), log);
        writePng(dir.resolve("chart.png"), chart(log));
        if (validation != null && !trials.isEmpty()) {
            writePng(dir.resolve("trials.png"), trialGrid(net, pre, validation, trials.subList(0, Math.min(6, trials.size()))));
        }
    }

    public static void writeCsv(Path file, List<Trainer.LogRow> log) {
        StringBuilder sb = new StringBuilder("step,epoch,loss,pair_loss,l2,images_per_second,val_accuracy,seconds\n");
        for (Trainer.LogRow r : log) {
            // a value not measured at this step (no validation, no loss before the first step) is an empty field
            sb.append(String.format(Locale.ROOT, "%d,%.4f,%s,%s,%s,%.1f,%s,%.1f%n", r.step(), r.epoch(), field(r.loss(), "%.6f"),
                    field(r.pairLoss(), "%.6f"), field(r.weightDecay(), "%.6f"), r.imagesPerSecond(),
                    field(r.valAccuracy(), "%.4f"), r.seconds()));
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, sink -> sink.writeBytes(bytes));
    }

    /**
     * Reads back a log written by {@link #writeCsv}, keeping rows up to {@code lastStep}: a resumed run
     * continues the history of the run it resumes. A missing file, or a line that does not parse, yields
     * no rows for it rather than an error, since the log is a report and not state.
     */
    public static List<Trainer.LogRow> readCsv(Path file, long lastStep) {
        List<Trainer.LogRow> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return rows;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",", -1);
            if (f.length != 8) {
                continue;
            }
            try {
                long step = Long.parseLong(f[0]);
                if (step > lastStep) {
                    continue;
                }
                rows.add(new Trainer.LogRow(step, Double.parseDouble(f[1]), parseField(f[2]), parseField(f[3]),
                        parseField(f[4]), Double.parseDouble(f[5]), parseField(f[6]), Double.parseDouble(f[7])));
            } catch (NumberFormatException e) {
                // a damaged line is left out of the report
            }
        }
        return rows;
    }

    private static String field(double value, String format) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, format, value);
    }

    private static double parseField(String field) {
        return field.isEmpty() ? Double.NaN : Double.parseDouble(field);
    }

    public static void writePng(Path file, BufferedImage image) {
        AtomicFile.write(file, sink -> {
            // a memory cache: ImageIO's default file cache registers a shutdown hook, which fails while Ctrl-C
            // shuts the JVM down, and that is exactly when the last reports are written
            try (MemoryCacheImageOutputStream png = new MemoryCacheImageOutputStream(sink.asOutputStream())) {
                if (!ImageIO.write(image, "png", png)) {
                    throw new IOException("no PNG writer");
                }
            }
        });
    }

    /** Loss (left axis, log scale) and validation accuracy (right axis, 0-100%) against steps. */
    static BufferedImage chart(List<Trainer.LogRow> log) {
        int w = 900;
        int h = 420;
        int left = 70;
        int right = 70;
        int top = 40;
        int bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString("training loss (blue, log scale) and validation one-shot accuracy (red)", left, 22);
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.drawRect(left, top, pw, ph);
        long maxStep = 1;
        double minLoss = Double.POSITIVE_INFINITY;
        double maxLoss = Double.NEGATIVE_INFINITY;
        for (Trainer.LogRow r : log) {
            maxStep = Math.max(maxStep, r.step());
            if (r.loss() > 0 && Double.isFinite(r.loss())) {
                minLoss = Math.min(minLoss, r.loss());
                maxLoss = Math.max(maxLoss, r.loss());
            }
        }
        if (!(minLoss < maxLoss)) {
            minLoss = 0.01;
            maxLoss = 1;
        }
        double lo = Math.log10(minLoss);
        double hi = Math.log10(maxLoss);
        g.drawString("step", left + pw / 2 - 10, h - 12);
        for (int i = 0; i <= 5; i++) {
            int x = left + pw * i / 5;
            g.drawLine(x, top + ph, x, top + ph + 4);
            g.drawString(Long.toString(maxStep * i / 5), x - 12, top + ph + 18);
            int y = top + ph - ph * i / 5;
            g.setColor(new Color(0, 70, 200));
            g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, lo + (hi - lo) * i / 5)), 8, y + 4);
            g.setColor(new Color(200, 30, 30));
            g.drawString((20 * i) + "%", left + pw + 8, y + 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, left + pw - 1, y);
            g.setColor(Color.BLACK);
        }
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(new Color(0, 70, 200));
        int px = -1;
        int py = -1;
        for (Trainer.LogRow r : log) {
            if (!(r.loss() > 0) || !Double.isFinite(r.loss())) {
                continue;
            }
            int x = left + (int) (pw * r.step() / (double) maxStep);
            int y = top + ph - (int) (ph * (Math.log10(r.loss()) - lo) / Math.max(1e-9, hi - lo));
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
        g.setColor(new Color(200, 30, 30));
        px = -1;
        for (Trainer.LogRow r : log) {
            if (Double.isNaN(r.valAccuracy())) {
                continue;
            }
            int x = left + (int) (pw * r.step() / (double) maxStep);
            int y = top + ph - (int) (ph * r.valAccuracy());
            g.fillOval(x - 3, y - 3, 6, 6);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
        g.dispose();
        return img;
    }

    /** One row per trial: the query, then the support set; the pick is framed red (green when right), the truth underlined. */
    static BufferedImage trialGrid(SiameseNet net, Preprocessing pre, LoadedDataset data, List<OneShot.Trial> trials) {
        EmbeddingTable table = new EmbeddingTable(net, pre, data);
        int way = trials.get(0).supportClasses().length;
        int cols = way + 1;
        int w = cols * CELL + 24;
        int h = trials.size() * (CELL + 12) + 30;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("query | support set (pick framed: green = right, red = wrong; truth underlined)", 6, 16);
        for (int t = 0; t < trials.size(); t++) {
            OneShot.Trial trial = trials.get(t);
            int y = 24 + t * (CELL + 12);
            int pick = OneShot.pick(trial, table);
            draw(g, data.classes().get(trial.queryClass()).images().get(trial.queryImage()), pre, 4, y);
            for (int k = 0; k < way; k++) {
                int x = 14 + (k + 1) * CELL;
                draw(g, data.classes().get(trial.supportClasses()[k]).images().get(trial.supportImages()[k]), pre, x, y);
                if (k == pick) {
                    g.setColor(pick == trial.answer() ? new Color(0, 160, 0) : Color.RED);
                    g.setStroke(new BasicStroke(3));
                    g.drawRect(x - 1, y - 1, CELL - 2, CELL - 2);
                }
                if (k == trial.answer()) {
                    g.setColor(Color.BLUE);
                    g.setStroke(new BasicStroke(3));
                    g.drawLine(x, y + CELL + 2, x + CELL - 4, y + CELL + 2);
                }
            }
        }
        g.dispose();
        return img;
    }

    private static void draw(Graphics2D g, float[] pixels, Preprocessing pre, int x, int y) {
        int pw = pre.width();
        int ph = pre.height();
        BufferedImage tile = new BufferedImage(pw, ph, BufferedImage.TYPE_BYTE_GRAY);
        for (int j = 0; j < ph; j++) {
            for (int i = 0; i < pw; i++) {
                int v = Math.max(0, Math.min(255, Math.round(pixels[j * pw + i])));
                tile.getRaster().setSample(i, j, 0, v);
            }
        }
        g.drawImage(tile, x, y, CELL - 4, CELL - 4, null);
    }

    static void ensureDir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BadInputException(dir + ": cannot create the output folder (" + e.getMessage() + ")");
        }
    }
}
