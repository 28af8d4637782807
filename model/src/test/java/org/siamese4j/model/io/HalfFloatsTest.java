package org.siamese4j.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    @Test
    void knownValuesHaveTheirIeeeBits() {
        assertEquals((short) 0x3C00, HalfFloats.fromFloat(1f));
        assertEquals((short) 0xC000, HalfFloats.fromFloat(-2f));
        assertEquals((short) 0x7BFF, HalfFloats.fromFloat(65504f), "the largest half");
        assertEquals((short) 0x7C00, HalfFloats.fromFloat(1e6f), "overflow is infinity");
        assertEquals((short) 0x0001, HalfFloats.fromFloat(0x1p-24f), "the smallest subnormal");
        assertEquals((short) 0x0000, HalfFloats.fromFloat(0x1p-26f), "below half of it");
        assertEquals((short) 0x8000, HalfFloats.fromFloat(-0f));
        assertTrue(Float.isNaN(HalfFloats.toFloat(HalfFloats.fromFloat(Float.NaN))));
        // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa, 1
        assertEquals((short) 0x3C00, HalfFloats.fromFloat(1f + 0x1p-11f));
        assertEquals((short) 0x3C02, HalfFloats.fromFloat(1f + 3 * 0x1p-11f));
    }

    @Test
    void everyHalfRoundTripsExactly() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, HalfFloats.fromFloat(f), "bits " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void weightsKeepElevenSignificantBitsThroughTheBytePlanes() {
        Random r = new Random(3);
        float[] w = new float[1001];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.1);
        }
        byte[] planes = HalfFloats.encode(w);
        assertEquals(2 * w.length, planes.length);
        float[] back = new float[w.length];
        HalfFloats.decode(planes, back);
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], back[i], Math.max(Math.abs(w[i]) * 0x1p-11, 0x1p-25), "weight " + i);
        }
        float[] again = new float[w.length];
        HalfFloats.decode(HalfFloats.encode(back), again);
        assertArrayEquals(back, again);
        assertThrows(IllegalArgumentException.class, () -> HalfFloats.decode(new byte[3], new float[2]));
    }
}
