package org.siamese4j.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.cli.CliResult;
import org.siamese4j.cli.Main;
import org.siamese4j.engine.Backend;
import org.siamese4j.model.Architecture;
import org.siamese4j.model.Initializer;
import org.siamese4j.model.LayerSpec;
import org.siamese4j.model.ModelFile;
import org.siamese4j.model.Preprocessing;
import org.siamese4j.model.SiameseNet;
import org.siamese4j.model.io.Container;
import org.siamese4j.model.io.ContainerReader;
import org.siamese4j.model.io.ContainerWriter;

/**
 * SECURITY.md's budgets where a user meets them, on the command line, at their real defaults: one past the limit
 * gets exit code 2 and one line naming the budget, and nothing is written; at the limit the input gets through
 * the budget (to work, or to the next check). Smaller values of the same budgets are tried at and past the limit
 * in the modules' own tests (PixelBudgetTest, SafeZipBudgetTest, CascadeBudgetTest, PairListTest,
 * ModelBudgetsTest); the download size in DownloadCommandTest.
 */
class BudgetsCliTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static Path photo;

    @BeforeAll
    static void fixtures() throws IOException {
        Architecture arch = new Architecture("tiny", 8, 8, LayerSpec.parseList("conv 3x3 2 relu; pool 2; dense 4 sigmoid"));
        SiameseNet net = SiameseNet.create(arch, Backend.kernels("scalar", 1), false);
        Initializer.HE.initialize(net, 1);
        model = dir.resolve("tiny.s4j");
        ModelFile.save(model, net, Preprocessing.plain(8, 8), 0.5, Map.of());
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        photo = dir.resolve("photo.png");
        ImageIO.write(img, "png", photo.toFile());
    }

    private static CliResult run(String... args) {
        return CliResult.inProcess(Main.commands(), args);
    }

    /** Exit 2, one line on stderr naming the budget, nothing on stdout. */
    private static void refusedWithOneLine(CliResult r, String... fragments) {
        assertEquals(2, r.exitCode(), r.toString());
        r.assertOneMessage(fragments);
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void anImageOfFiftyMillionPixelsPassesTheBudgetAndOneMorePixelIsRefused() throws IOException {
        // header-only PGMs: at the limit the budget lets it through to the truncation check, which stops it
        Path at = Files.write(dir.resolve("at.pgm"), "P5\n50000000 1\n255\n\0".getBytes(StandardCharsets.US_ASCII));
        CliResult r = run("verify", "--model", model.toString(), at.toString(), photo.toString());
        refusedWithOneLine(r, at + ": truncated PGM (50000000x1 needs 50000000 bytes of pixel data, file has 1)");
        Path past = Files.write(dir.resolve("past.pgm"), "P5\n50000001 1\n255\n\0".getBytes(StandardCharsets.US_ASCII));
        r = run("verify", "--model", model.toString(), past.toString(), photo.toString());
        refusedWithOneLine(r, past + ": image too large: 50000001x1 = 50000001 pixels (limit 50000000)");
    }

    @Test
    void aModelOf1024SectionsIsReadAndOneOf1025IsRefused() throws Exception {
        ContainerWriter w = new ContainerWriter();
        int sections;
        try (Container c = ContainerReader.read(model, ModelFile.MODEL, ModelFile.MAX_FILE_BYTES)) {
            sections = c.names().size();
            for (String name : c.names()) {
                switch (name) {
                    case "threshold" -> w.putDoubles(name, c.doubles(name));
                    case "params" -> w.putFloats(name, c.floats(name));
                    default -> w.putText(name, c.text(name));
                }
            }
        }
        for (int i = sections; i < 1024; i++) {
            w.putInts("extra" + i, new int[0]);
        }
        Path at = dir.resolve("at.s4j");
        w.write(at, ModelFile.MODEL.magic(), 1);
        CliResult ok = run("info", "--model", at.toString(), "--json");
        assertEquals(0, ok.exitCode(), ok.toString());

        // the header of a model file that declares 1,025 sections, and a valid SHA-256 over it
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        header.put(ModelFile.MODEL.magic().getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(1025);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(header.array());
        Path past = dir.resolve("past.s4j");
        Files.write(past, ByteBuffer.allocate(48).put(header.array()).put(sha).array());
        refusedWithOneLine(run("info", "--model", past.toString()), past + ": declares 1,025 sections (at most 1,024 allowed)");
    }

    @Test
    void aTowerWithA64KernelTrainsAndOneWithA65KernelIsRefusedWritingNothing() throws IOException {
        Path at = dir.resolve("k64");
        CliResult ok = run("train", "--size", "64", "--tower", "conv 64x64 2 relu; dense 4 sigmoid", "--steps", "1",
                "--classes-per-batch", "4", "--val-trials", "10", "--way", "5", "--no-test", "--threads", "1",
                "--out", at.toString(), "--json");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(Files.exists(at.resolve("model.s4j")), ok.toString());
        Path past = dir.resolve("k65");
        refusedWithOneLine(run("train", "--size", "65", "--tower", "conv 65x65 2 relu; dense 4 sigmoid", "--steps", "1",
                        "--out", past.toString()),
                "--tower: layer 'conv 65x65 2 relu': conv kernel/stride must be 1..64 and padding 0..64");
        assertFalse(Files.exists(past), "nothing written");
    }

    @Test
    void aZipOfMoreThan200000EntriesIsRefusedWritingNothing() throws IOException {
        Path zip = dir.resolve("many.zip");
        try (ZipOutputStream out = new ZipOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(zip), 1 << 16))) {
            out.setLevel(0);
            for (int i = 0; i <= 200_000; i++) {
                out.putNextEntry(new ZipEntry(Integer.toString(i, 36)));
                out.closeEntry();
            }
        }
        Path out = dir.resolve("zip-run");
        CliResult r = run("train", "--data", zip.toString(), "--steps", "1", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
        r.assertNoStackTrace();
        List<String> m = r.messages();
        assertEquals("siamese: " + zip + ": too many zip entries (200001; limit 200000)", m.get(m.size() - 1), r.toString());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void cascadeWindowAndTreeBudgetsAtTheLimitAndOnePast() throws IOException {
        Path window = Files.writeString(dir.resolve("w129.xml"), cascade(129, 1));
        refusedWithOneLine(run("detect", "--cascade", window.toString(), photo.toString()),
                "bad cascade file " + window + ": height 129 is outside [3, 128]");
        Path at = Files.writeString(dir.resolve("t10000.xml"), cascade(128, 10_000));
        CliResult ok = run("detect", "--cascade", at.toString(), photo.toString(), "--json");
        assertEquals(0, ok.exitCode(), ok.toString());
        Path past = Files.writeString(dir.resolve("t10001.xml"), cascade(24, 10_001));
        refusedWithOneLine(run("detect", "--cascade", past.toString(), photo.toString()),
                "bad cascade file " + past + ": maxWeakCount of stage 0 10001 is outside [1, 10000]");
    }

    /** Stumps on one two-rectangle feature: a {@code side} x {@code side} window, one stage of {@code trees}. */
    private static String cascade(int side, int trees) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>\n<opencv_storage>\n<cascade>"
                + "<stageType>BOOST</stageType><featureType>HAAR</featureType>"
                + "<height>" + side + "</height><width>" + side + "</width>"
                + "<featureParams><maxCatCount>0</maxCatCount></featureParams><stageNum>1</stageNum>\n<stages>\n"
                + "<_><maxWeakCount>" + trees + "</maxWeakCount><stageThreshold>-1.</stageThreshold><weakClassifiers>\n");
        for (int t = 0; t < trees; t++) {
            sb.append("<_><internalNodes>0 -1 0 0.5</internalNodes><leafValues>-1. 1.</leafValues></_>\n");
        }
        sb.append("</weakClassifiers></_>\n</stages>\n<features><_><rects><_>0 0 ").append(side).append(' ').append(side)
                .append(" -1.</_><_>0 0 ").append(side).append(' ').append(side / 2)
                .append(" 2.</_></rects></_></features></cascade>\n</opencv_storage>\n");
        return sb.toString();
    }

    @Test
    void aPairsFileOverSixtyFourMebibytesIsRefused() throws IOException {
        Path pairs = dir.resolve("pairs.txt");
        try (RandomAccessFile f = new RandomAccessFile(pairs.toFile(), "rw")) {
            f.setLength((64L << 20) + 1); // sparse: costs no disk
        }
        refusedWithOneLine(run("eval", "--model", model.toString(), "--pairs", pairs.toString(), "--data", dir.toString()),
                pairs + ": pairs file too large (67108865 bytes; limit 67108864)");
    }
}
