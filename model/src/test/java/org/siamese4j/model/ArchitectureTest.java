package org.siamese4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.siamese4j.engine.Backend;

class ArchitectureTest {

    @Test
    void kochHasThePapersParameterCount() {
        Architecture koch = Architecture.koch();
        assertEquals(38_951_745L, koch.parameterCount());
        assertEquals(4096, koch.embeddingSize());
        SiameseNet net = SiameseNet.create(koch, Backend.kernels("scalar", 1), false);
        assertEquals(38_951_745, net.params().size());
    }

    @Test
    void specsRoundTripThroughText() {
        for (String name : Architecture.presetNames()) {
            Architecture a = Architecture.preset(name);
            Architecture b = new Architecture(a.name(), a.inputHeight(), a.inputWidth(), LayerSpec.parseList(a.towerSpec()));
            assertEquals(a, b);
            assertEquals(a.parameterCount(), b.parameterCount());
        }
    }

    @Test
    void badSpecsAreRefusedWithTheItemNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerSpec.parseList("conv 3x3 64 relu; pul 2"));
        assertTrue(e.getMessage().contains("pul"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerSpec.parse("conv 3x4 8 relu"));
        assertThrows(IllegalArgumentException.class, () -> LayerSpec.parse("dense -5 relu"));
        assertThrows(IllegalArgumentException.class, () -> LayerSpec.parse("dense 999999999 relu"));
        assertThrows(IllegalArgumentException.class, () -> LayerSpec.parse("conv 3x3 8 sigmoid"));
        // a kernel larger than what reaches it
        e = assertThrows(IllegalArgumentException.class,
                () -> new Architecture("x", 10, 10, LayerSpec.parseList("conv 5x5 4 relu; pool 2; conv 5x5 4 relu")).parameterCount());
        assertTrue(e.getMessage().contains("larger"), e.getMessage());
        // a huge but syntactically valid net is refused before allocation
        assertThrows(IllegalArgumentException.class,
                () -> new Architecture("x", 4096, 4096, LayerSpec.parseList("conv 3x3 65536 relu; dense 65536 relu")).parameterCount());
    }
}
