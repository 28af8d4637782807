package org.siamese4j.model.io;

/**
 * IEEE 754 half precision (binary16) for storing weights compactly: a model shipped inside a jar at half the
 * size. Stored as two byte planes (every value's high byte, then every low byte), which deflate compresses
 * better than interleaved pairs, since the high bytes (sign and exponent) repeat a lot.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The nearest half-precision value (ties to even); overflow becomes infinity, NaN stays NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;
        if (exponent == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0));
        }
        int e = exponent - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal
            }
            int m = mantissa | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rest > midpoint || (rest == midpoint && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1FFF;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++; // may carry into the exponent, up to infinity: still the nearest
        }
        return (short) (sign | half);
    }

    public static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -magnitude : magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** High bytes of every value, then low bytes. */
    public static byte[] encode(float[] values) {
        int n = values.length;
        byte[] out = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            short h = fromFloat(values[i]);
            out[i] = (byte) (h >>> 8);
            out[n + i] = (byte) h;
        }
        return out;
    }

    /** The inverse of {@link #encode}, into {@code out}. */
    public static void decode(byte[] planes, float[] out) {
        int n = out.length;
        if (planes.length != 2L * n) {
            throw new IllegalArgumentException(planes.length + " bytes do not hold " + n + " half floats");
        }
        for (int i = 0; i < n; i++) {
            out[i] = toFloat((short) (((planes[i] & 0xFF) << 8) | (planes[n + i] & 0xFF)));
        }
    }
}
