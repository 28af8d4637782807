package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.siamese4j.engine.BadInputException;
import org.siamese4j.engine.Backend;
import org.siamese4j.engine.Kernels;
import org.siamese4j.model.io.Container;
import org.siamese4j.model.io.ContainerReader;
import org.siamese4j.model.io.ContainerWriter;
import org.siamese4j.model.io.RawContainer;

/**
 * SECURITY.md's budgets on model files, each at its limit (the file loads) and one past it (refused, naming the
 * budget): sections (1,024), section names (128 bytes), text sections (1 MiB), kernels (64) and layers (64).
 * Files past a limit are written by hand, with valid checksums, since the writer refuses to make them.
 */
class ModelBudgetsTest {
    private static Kernels kernels() {
        return Backend.kernels("scalar", 1);
    }

    /** A saved model of {@code arch}, read back as its sections. */
    private static Map<String, Object> sectionsOf(Architecture arch, Path dir) {
        SiameseNet net = SiameseNet.create(arch, kernels(), false);
        Initializer.HE.initialize(net, 3);
        Path f = dir.resolve(arch.name() + ".s4j");
        ModelFile.save(f, net, Preprocessing.plain(arch.inputWidth(), arch.inputHeight()), 0.5, Map.of("data", "x"));
        Map<String, Object> s = new LinkedHashMap<>();
        try (Container c = ContainerReader.read(f, ModelFile.MODEL, ModelFile.MAX_FILE_BYTES)) {
            for (String name : c.names()) {
                s.put(name, switch (name) {
                    case "threshold" -> c.doubles(name);
                    case "params" -> c.floats(name);
                    default -> c.text(name);
                });
            }
        }
        return s;
    }

    /** The sections again as a model file's bytes, with {@code extra} empty sections after them. */
    private static byte[] model(Map<String, Object> sections, String... extra) {
        ContainerWriter w = new ContainerWriter();
        sections.forEach((name, value) -> {
            if (value instanceof String text) {
                w.putText(name, text);
            } else if (value instanceof double[] d) {
                w.putDoubles(name, d);
            } else {
                w.putFloats(name, (float[]) value);
            }
        });
        for (String name : extra) {
            w.putInts(name, new int[0]);
        }
        return w.toBytes(ModelFile.MODEL.magic(), 1);
    }

    private static String refused(byte[] data) {
        return assertThrows(BadInputException.class, () -> ModelFile.load(data, "m.s4j", kernels())).getMessage();
    }

    private static final Architecture SMALL = new Architecture("small", 4, 4, LayerSpec.parseList("dense 2 sigmoid"));

    @Test
    void aModelOf1024SectionsLoadsAndOneOf1025IsRefused(@TempDir Path dir) {
        Map<String, Object> s = sectionsOf(SMALL, dir);
        String[] extra = new String[1024 - s.size()];
        for (int i = 0; i < extra.length; i++) {
            extra[i] = "extra" + i;
        }
        ModelFile.load(model(s, extra), "m.s4j", kernels());
        RawContainer past = new RawContainer().magic(ModelFile.MODEL.magic());
        for (int i = 0; i < 1025; i++) {
            past.entry("s" + i, 1, 0);
        }
        assertEquals("m.s4j: declares 1,025 sections (at most 1,024 allowed)", refused(past.build()));
    }

    @Test
    void aSectionNameOf128BytesLoadsAndOneOf129IsRefused(@TempDir Path dir) {
        Map<String, Object> s = sectionsOf(SMALL, dir);
        ModelFile.load(model(s, "n".repeat(128)), "m.s4j", kernels());
        byte[] name = "n".repeat(129).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] past = new RawContainer().magic(ModelFile.MODEL.magic()).entry(name, 129, 1, 0).build();
        assertEquals("m.s4j: section table entry 1 of 1 has a name of 129 bytes (1 to 128 allowed)", refused(past));
    }

    @Test
    void aTextSectionOfOneMebibyteLoadsAndOneByteMoreIsRefused(@TempDir Path dir) {
        Map<String, Object> s = sectionsOf(SMALL, dir);
        String at = "note=" + "x".repeat((1 << 20) - 6) + "\n";
        assertEquals(1 << 20, at.length());
        s.put("metadata", at);
        assertEquals((1 << 20) - 6, ModelFile.load(model(s), "m.s4j", kernels()).metadata().get("note").length());
        s.put("metadata", "note=" + "x".repeat((1 << 20) - 5) + "\n");
        assertEquals("m.s4j: section 'metadata' is too large (1048577 bytes)", refused(model(s)));
    }

    @Test
    void aKernelOf64LoadsAndOneOf65IsRefused(@TempDir Path dir) {
        Architecture at = new Architecture("k64", 64, 64, LayerSpec.parseList("conv 64x64 1 relu; dense 2 sigmoid"));
        ModelFile.load(model(sectionsOf(at, dir)), "m.s4j", kernels());
        // the same network one pixel larger in kernel and input, with as many weights as it would need
        Map<String, Object> s = sectionsOf(at, dir);
        s.put("architecture", ((String) s.get("architecture")).replace("64", "65"));
        s.put("preprocessing", ((String) s.get("preprocessing")).replace("64", "65"));
        s.put("params", new float[65 * 65 + 1 + 2 * 1 + 2 + 2 + 1]);
        assertEquals("m.s4j: invalid model description (layer 'conv 65x65 1 relu': conv kernel/stride must be 1..64 and"
                + " padding 0..64)", refused(model(s)));
    }

    @Test
    void aTowerOf64LayersLoadsAndOneOf65IsRefused(@TempDir Path dir) {
        String layer = "dense 2 relu; ";
        Architecture at = new Architecture("deep", 2, 2, LayerSpec.parseList(layer.repeat(63) + "dense 2 sigmoid"));
        ModelFile.load(model(sectionsOf(at, dir)), "m.s4j", kernels());
        Map<String, Object> s = sectionsOf(at, dir);
        s.put("architecture", ((String) s.get("architecture")).replace("tower=", "tower=" + layer));
        s.put("params", new float[((float[]) s.get("params")).length + 6]);
        assertEquals("m.s4j: invalid model description (a tower needs 1..64 layers, got 65)", refused(model(s)));
    }
}
