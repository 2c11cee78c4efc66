package org.maskpro4j.maskpro;

/**
 * IEEE 754 binary16 ("half") conversion, bit-exact: round to nearest, ties to even, with subnormals, infinities and
 * NaN, as ND4J's {@code HALF} cast writes it. JDK 17 has no {@code Float.floatToFloat16}; the policy needs it to read
 * and write its 16-bit logits chunk by chunk on the CPU fast path.
 *
 * <p>Half keeps 11 significant bits: a logit in [−60, 0] (the policy's range) is stored to within 2⁻⁶ (1/64) near
 * −60, 2⁻¹⁰ near −1 and finer towards 0, where the largest logit of every group sits after the shift.
 */
public final class Float16 {
    /** Every half's float, so bulk decoding is one load per value. */
    private static final float[] TABLE = new float[1 << 16];

    static {
        for (int h = 0; h < TABLE.length; h++) {
            TABLE[h] = decode((short) h);
        }
    }

    private Float16() {
    }

    /** The half nearest to {@code value} (ties to even), as its 16 bits. */
    public static short encode(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = (bits >>> 23) & 0xff;
        int mantissa = bits & 0x7fffff;
        if (exponent == 0xff) {
            // infinity stays infinity; NaN stays a quiet NaN with its top payload bits
            return (short) (sign | 0x7c00 | (mantissa == 0 ? 0 : 0x200 | (mantissa >>> 13)));
        }
        int halfExponent = exponent - 127 + 15;
        if (halfExponent >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (halfExponent <= 0) {
            if (halfExponent < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            // subnormal half: shift the full significand (with its implicit 1) into place, rounding once
            int significand = mantissa | 0x800000;
            int shift = 14 - halfExponent;
            return (short) (sign | roundShift(significand, shift));
        }
        // a carry out of the mantissa moves into the exponent, which is right (and reaches infinity at the top)
        return (short) (sign | ((halfExponent << 10) + roundShift(mantissa, 13)));
    }

    /** The float equal to the half {@code bits} (every half is exactly a float). */
    public static float decode(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // zero or subnormal: mantissa · 2⁻²⁴, exact in float
            float magnitude = mantissa * 0x1.0p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** Decodes {@code count} halves from {@code from} into {@code to}. */
    public static void decode(short[] from, float[] to, int count) {
        for (int i = 0; i < count; i++) {
            to[i] = TABLE[from[i] & 0xffff];
        }
    }

    /**
     * Encodes {@code count} floats from {@code from} into {@code to}, as {@link #encode(float)} does. Values whose half
     * is normal (and zeros) take a branch-free rounding: adding 0xfff plus the lowest kept bit rounds to nearest, ties
     * to even, and a carry out of the mantissa moves into the exponent. The loop has no branch (a policy's logits mix
     * 0s, where each group's largest sits, with negative normals, a mix a branch would mispredict), and the rare other
     * values (subnormal halves, overflow, NaN) are redone one by one afterwards.
     */
    public static void encode(float[] from, short[] to, int count) {
        int outside = 0;
        for (int i = 0; i < count; i++) {
            int bits = Float.floatToRawIntBits(from[i]);
            int magnitude = bits & 0x7fffffff;
            int sign = (bits >>> 16) & 0x8000;
            int nonZero = (magnitude | -magnitude) >> 31; // all ones unless the value is ±0
            int off = magnitude - 0x38800000;
            outside |= (off | (NORMAL_SPAN - off)) & nonZero; // negative where a non-zero has no normal half
            int rounded = (magnitude - 0x38000000 + 0xfff + ((magnitude >>> 13) & 1)) >>> 13;
            to[i] = (short) (sign | (rounded & nonZero));
        }
        if (outside < 0) {
            for (int i = 0; i < count; i++) {
                int magnitude = Float.floatToRawIntBits(from[i]) & 0x7fffffff;
                if (magnitude != 0 && (magnitude < 0x38800000 || magnitude >= 0x477fefff)) {
                    to[i] = encode(from[i]);
                }
            }
        }
    }

    /** Float magnitudes 0x38800000 … 0x38800000 + this have a normal half the fast rounding gets right. */
    private static final int NORMAL_SPAN = 0x477fefff - 0x38800000 - 1;

    /** {@code value >> shift} rounded to nearest, ties to even ({@code shift} in 1..24). */
    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int rest = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) != 0)) {
            kept++;
        }
        return kept;
    }
}
