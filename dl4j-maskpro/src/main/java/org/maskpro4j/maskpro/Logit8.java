package org.maskpro4j.maskpro;

import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.weights.MaskBits;

/**
 * One-byte policy logits: 256 levels on [−60, 0], spaced finely next to 0, where the largest logit of every group
 * sits and ties between the kept and the dropped positions are decided, and coarsely far below it, where a position's
 * probability (e^−10 ≈ 4.5·10^−5 at −10) no longer matters. Level c is −a(e^{c/80} − 1), with a ≈ 2.58 chosen so level
 * 255 is exactly −60: steps of 0.032 at 0, 0.09 at −5, 0.16 at −10, 0.78 at −60.
 *
 * <p>Encoding shifts each group so its largest value is 0 (softmax, sampling and top-N are invariant to the shift) and
 * stores where that 0 sits ({@link #indexBits}: 2 bits at M = 4) instead of its code, so a group of M takes M − 1 bytes
 * and a few bits: 0.8125 bytes per logit at 2:4. The other values are clamped at −60 and rounded stochastically between
 * the two neighbouring levels, so that the stored logit equals the value in expectation: REINFORCE's updates, many of
 * them smaller than a level step, add up as they do in floats instead of vanishing. The random number is a hash of the
 * value's bits, its position and a salt (the policy passes each ascent's scale), so the same inputs always give the
 * same bytes, whatever the thread count, and a policy restored from a checkpoint, or a replica replaying the same
 * steps, encodes as the original does. The encoder needs no table: a value's level and rounding probability follow
 * in closed form from B·ln(1 − v/a) ({@link #encode(float, float)}), and the hash is 32-bit, so both run in 16 SIMD
 * lanes as cheaply as in scalar code.
 *
 * <p>At M = 4, where the JVM runs with jdk.incubator.vector and 16 float lanes, {@code Logit8Lanes} encodes and decodes
 * 16 groups at a time, bit for bit as the scalar code here, which stays for the rest and for other JVMs.
 */
public final class Logit8 {
    /** The width of the stored range: logits are at most this far below their group's largest. */
    public static final float RANGE = (float) MaskPolicy.LOGIT_RANGE;
    /** Level growth: steps are about (|level| + a)/B wide, a ≈ 2.58. */
    private static final double B = 80;
    /** Every code's value, so decoding is one load per logit. */
    static final float[] LEVEL = new float[256];
    /** The levels' scale a ≈ 2.58: level c is −a(e^{c/B} − 1). */
    private static final double A = RANGE / Math.expm1(255 / B);
    /** −1/a: the continuous code of v is B·ln(1 − v/a) ({@link #codePoint}). */
    static final float MINUS_INV_A = (float) (-1 / A);
    /** B·ln 2 and 2B: B·ln(m·2^e) = e·B·ln 2 + 2B·atanh((m − 1)/(m + 1)). */
    static final float B_LN2 = (float) (B * Math.log(2));
    static final float TWO_B = (float) (2 * B);
    static final float THIRD = 1f / 3;
    static final float FIFTH = 1f / 5;
    static final float SEVENTH = 1f / 7;
    /** The mantissa bits of √2: a mantissa above them is halved, so atanh's argument stays within ±0.172. */
    static final int SQRT2_MANTISSA = 0x3504F3;
    /**
     * The rounding probability at fraction f of a step, (e^{f/B} − 1)/(e^{1/B} − 1), as f·(R0 + f·R1 + f²·R2): the
     * series of e^y − 1 to y³ (relative error below 7·10⁻⁷).
     */
    static final float R0 = (float) (1 / B / Math.expm1(1 / B));
    static final float R1 = (float) (1 / B / Math.expm1(1 / B) / (2 * B));
    static final float R2 = (float) (1 / B / Math.expm1(1 / B) / (6 * B * B));
    /**
     * Fractions of a step this close to a level round to it whatever the random number: the computed continuous code is
     * within ~5·10⁻⁵ of the exact one, so a value on a level always encodes to that level's code (a restored checkpoint
     * stores what it stored), at a bias of at most 2⁻¹⁰ of a step for values this close.
     */
    static final float SNAP = 0x1p-10f;

    static {
        for (int c = 1; c < 255; c++) {
            LEVEL[c] = (float) (-A * Math.expm1(c / B));
        }
        LEVEL[255] = -RANGE;
    }

    /**
     * The M = 4 encoder in SIMD lanes where the JVM has the Vector API and 16 float lanes, else null; after the levels,
     * which it reads.
     */
    private static final Lanes LANES = lanes();

    private Logit8() {
    }

    /**
     * Logit8's M = 4 codec in SIMD lanes (Logit8Lanes): the same bytes and floats as encode4 and decode4, without their
     * branches on where a group's maximum sits.
     */
    interface Lanes {
        /**
         * encode4 of the first {@code groups} rounded down to a multiple of 16, with the hash key, and with
         * {@code decoded}, what decode4 makes of the codes written over those groups of {@code from}; returns how many.
         */
        int encode4(float[] from, int groups, long firstGroup, long key, byte[] codes, byte[] maxAt, boolean decoded);

        /** decode4 of the first {@code groups} rounded down to a multiple of 16; returns how many. */
        int decode4(byte[] codes, byte[] maxAt, float[] to, int groups);

        /**
         * decode4 of groups {@code first …} ({@link FusedGroupKernel#ROW_GROUPS} of them, {@code first} a multiple of 16)
         * straight into the fused kernel's position-major rows ({@link FusedGroupKernel.ChunkRows}).
         */
        void decodeRows(byte[] codes, byte[] maxAt, int first, float[] rows);

        /**
         * encode4 of those groups from the kernel's rows, {@code firstGroup} the position of the codes' group 0 in the
         * whole matrix; with {@code decoded}, the rows become the values as stored. The same bytes as encode4.
         */
        void encodeRows(float[] rows, int first, long firstGroup, long key, byte[] codes, byte[] maxAt, boolean decoded);

        /** The 0/1 rows of {@code bits}' groups {@code firstGroup …} (a multiple of 16, M = 4). */
        void bitsToRows(MaskBits bits, long firstGroup, float[] rows);

        /** {@code bits}' groups {@code firstGroup …} from 0/1 rows, as {@link MaskBits#writeFloats} from groups. */
        void rowsToBits(float[] rows, MaskBits bits, long firstGroup);
    }

    private static Lanes lanes() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            // loaded by name: the class links against the incubator module, which may be absent
            return (Lanes) Class.forName("org.maskpro4j.maskpro.Logit8Lanes").getDeclaredMethod("create").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * The M = 4 codec and mask bits on the fused kernel's rows ({@link FusedGroupKernel#ascendAndSampleRows}), or null
     * where the lanes are absent.
     */
    static Lanes rowLanes() {
        return LANES;
    }

    /** The logit a code stands for (codes are unsigned bytes). */
    public static float decode(byte code) {
        return LEVEL[code & 0xff];
    }

    /**
     * The code of {@code value} (at most 0, at least −{@value #RANGE}; beyond are clamped), rounded down to the next
     * lower level with probability (level above − value)/(level step), given {@code uniform} in [0, 1). A value on a
     * level is that level's code. Computed in closed form, no table: the continuous code t = B·ln(1 − v/a)
     * ({@link #codePoint}) has its whole part c (the level at or above v) and its fraction f, and the probability is
     * (e^{f/B} − 1)/(e^{1/B} − 1), exact up to float rounding and {@link #SNAP}. Its comparisons are on the floats'
     * bits, so C2 compiles them to conditional moves (float selections become branches, which the random rounding
     * mispredicts half the time); a NaN gives code 0. Logit8Lanes computes the same operations in lanes.
     */
    public static byte encode(float value, float uniform) {
        float v = Math.max(-RANGE, Math.min(0, value));
        float t = Math.max(0f, codePoint(v));
        int c = Math.min((int) t, 254);
        float f = t - c;
        float p = f < SNAP ? 0f : f > 1 - SNAP ? 1f : f * Math.fma(f, Math.fma(f, R2, R1), R0); // rarely snapped
        int number = ((Float.floatToRawIntBits(v) & 0x7fffffff) - 0x7f800001) >> 31; // all ones unless v is NaN
        // uniform and p are at least +0, so their bits order as they do
        return (byte) ((c + ((Float.floatToRawIntBits(uniform) - Float.floatToRawIntBits(p)) >>> 31)) & number);
    }

    /**
     * B·ln(1 − v/a) for v in [−{@value #RANGE}, 0], level c at c (to ~5·10⁻⁵): with 1 − v/a = m·2^e, m in [√½, √2],
     * e·B·ln 2 + 2B·atanh(s), s = (m − 1)/(m + 1), by atanh's series to s⁷ (error below 4·10⁻⁸ for |s| ≤ 0.172).
     */
    static float codePoint(float v) {
        float x = Math.fma(v, MINUS_INV_A, 1f);
        int bits = Float.floatToRawIntBits(x);
        int mantissa = bits & 0x7fffff;
        int high = mantissa > SQRT2_MANTISSA ? 1 : 0;
        float m = Float.intBitsToFloat(mantissa | (0x3f800000 - (high << 23)));
        float e = (bits >> 23) - 127 + high;
        float s = (m - 1f) / (m + 1f);
        float w = s * s;
        float series = Math.fma(Math.fma(Math.fma(w, SEVENTH, FIFTH), w, THIRD), w, 1f);
        return Math.fma(e, B_LN2, s * TWO_B * series);
    }

    /**
     * Bits that say where a group's largest logit sits: log2 M rounded up to 1, 2, 4 or 8, so no group's straddles a
     * byte.
     */
    static int indexBits(int m) {
        int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, m - 1));
        return bits <= 1 ? 1 : bits <= 2 ? 2 : bits <= 4 ? 4 : 8;
    }

    /** Bytes for the logits of {@code groups} groups of {@code m}: M − 1 codes per group, then the maxima's positions. */
    public static long bytes(long groups, int m) {
        return groups * (m - 1) + (groups * indexBits(m) + 7) / 8;
    }

    /** Bytes of the maxima's positions of {@code groups} groups of {@code m}, packed. */
    static int indexBytes(int groups, int m) {
        return (int) (((long) groups * indexBits(m) + 7) / 8);
    }

    /**
     * Encodes {@code groups} groups of {@code m} values from {@code from}: each group is shifted so its largest is 0,
     * whose position (the first, on ties) goes into {@code maxAt}, {@link #indexBits} bits per group from bit 0 of byte
     * 0, and the M − 1 other values, clamped and rounded stochastically, into {@code codes} in position order. The
     * uniform for the value at position j of group g is drawn from the hash of the value, its position
     * {@code (firstGroup + g)·m + j} in the whole logits matrix and {@code salt}.
     */
    public static void encode(float[] from, int groups, int m, long firstGroup, long salt, byte[] codes, byte[] maxAt) {
        if (m == 4) {
            encode4(from, groups, firstGroup, salt, codes, maxAt, false);
            return;
        }
        long key = mix(salt);
        int bits = indexBits(m);
        java.util.Arrays.fill(maxAt, 0, indexBytes(groups, m), (byte) 0);
        for (int g = 0, o = 0, c = 0; g < groups; g++, o += m) {
            int top = 0;
            for (int j = 1; j < m; j++) {
                top = from[o + j] > from[o + top] ? j : top;
            }
            float max = from[o + top];
            long index = (firstGroup + g) * m;
            // the k-th stored value is position k, or k + 1 from the maximum on: no branch on the random position
            for (int k = 0; k < m - 1; k++) {
                int j = k + (k >= top ? 1 : 0);
                float v = from[o + j] - max;
                codes[c++] = encode(v, uniform(key, index + j, v));
            }
            maxAt[g * bits >>> 3] |= (byte) (top << (g * bits & 7));
        }
    }

    /**
     * {@link #encode(float[], int, int, long, long, byte[], byte[])}, then {@link #decode(byte[], byte[], float[], int,
     * int)} of what it wrote into {@code values}: the values as stored, for a caller that goes on with them.
     */
    public static void encodeAndDecode(float[] values, int groups, int m, long firstGroup, long salt, byte[] codes,
            byte[] maxAt) {
        if (m == 4) {
            int done = encode4(values, groups, firstGroup, salt, codes, maxAt, true);
            decode4(codes, maxAt, values, done, groups); // the lanes decoded what they encoded as they went
        } else {
            encode(values, groups, m, firstGroup, salt, codes, maxAt);
            decode(codes, maxAt, values, groups, m);
        }
    }

    /**
     * {@link #encode(float[], int, int, long, long, byte[], byte[])} at M = 4, the common case; returns how many of the
     * first groups the lanes encoded (and, with {@code decoded}, decoded into {@code from}). The scalar code, for the
     * rest or where the lanes are absent: the maximum's position by selections rather than branches on random data, and
     * four groups' positions packed in a register before one store.
     */
    private static int encode4(float[] from, int groups, long firstGroup, long salt, byte[] codes, byte[] maxAt,
            boolean decoded) {
        long key = mix(salt);
        int start = LANES == null ? 0 : LANES.encode4(from, groups, firstGroup, key, codes, maxAt, decoded);
        int packed = 0;
        for (int g = start, o = 4 * start, c = 3 * start; g < groups; g++, o += 4, c += 3) {
            // float selections compile to branches, integer ones to conditional moves: the running maximum is reloaded
            int top = from[o + 1] > from[o] ? 1 : 0;
            top = from[o + 2] > from[o + top] ? 2 : top;
            top = from[o + 3] > from[o + top] ? 3 : top;
            float max = from[o + top];
            int j0 = top == 0 ? 1 : 0;
            int j1 = top <= 1 ? 2 : 1;
            int j2 = top <= 2 ? 3 : 2;
            float v0 = from[o + j0] - max;
            float v1 = from[o + j1] - max;
            float v2 = from[o + j2] - max;
            long index = (firstGroup + g) * 4;
            codes[c] = encode(v0, uniform(key, index + j0, v0));
            codes[c + 1] = encode(v1, uniform(key, index + j1, v1));
            codes[c + 2] = encode(v2, uniform(key, index + j2, v2));
            packed |= top << ((g & 3) << 1);
            if ((g & 3) == 3) {
                maxAt[g >>> 2] = (byte) packed;
                packed = 0;
            }
        }
        if ((groups & 3) != 0) {
            maxAt[groups >>> 2] = (byte) packed;
        }
        return start;
    }

    /** Decodes {@code groups} groups of {@code m} that {@link #encode(float[], int, int, long, long, byte[], byte[])} wrote. */
    public static void decode(byte[] codes, byte[] maxAt, float[] to, int groups, int m) {
        if (m == 4) {
            decode4(codes, maxAt, to, LANES == null ? 0 : LANES.decode4(codes, maxAt, to, groups), groups);
            return;
        }
        int bits = indexBits(m);
        int field = (1 << bits) - 1;
        // the k-th code goes to position k, or k + 1 from the maximum on, whose 0 is written last: stores to positions
        // that depend on the random maximum, no branch on it
        for (int g = 0, o = 0, c = 0; g < groups; g++, o += m) {
            int top = (maxAt[g * bits >>> 3] >>> (g * bits & 7)) & field;
            for (int k = 0; k < m - 1; k++) {
                to[o + k + (k >= top ? 1 : 0)] = LEVEL[codes[c++] & 0xff];
            }
            to[o + top] = 0;
        }
    }

    /** {@link #decode(byte[], byte[], float[], int, int)} at M = 4 of groups {@code start …}, unrolled. */
    private static void decode4(byte[] codes, byte[] maxAt, float[] to, int start, int groups) {
        for (int g = start, o = 4 * start, c = 3 * start; g < groups; g++, o += 4, c += 3) {
            int top = maxAt[g >>> 2] >>> ((g & 3) << 1) & 3;
            float l0 = LEVEL[codes[c] & 0xff];
            float l1 = LEVEL[codes[c + 1] & 0xff];
            float l2 = LEVEL[codes[c + 2] & 0xff];
            to[o + (top == 0 ? 1 : 0)] = l0;
            to[o + (top <= 1 ? 2 : 1)] = l1;
            to[o + (top <= 2 ? 3 : 2)] = l2;
            to[o + top] = 0;
        }
    }

    /**
     * A uniform in [0, 1) from the hash of a value's bits, its position and a salt's key, in 32-bit arithmetic (Logit8Lanes
     * hashes 16 values per vector): two odd multipliers spread the position's low half and the value over the word, a
     * third the position's high half, and Wellons' lowbias32 finalizer mixes them into the top 24 bits.
     */
    static float uniform(long key, long index, float value) {
        int z = keyWord(key) ^ (int) (index >>> 32) * HIGH_MULTIPLIER ^ (int) index * POSITION_MULTIPLIER
                ^ Float.floatToRawIntBits(value) * VALUE_MULTIPLIER;
        z = (z ^ (z >>> 16)) * MIX_1;
        z = (z ^ (z >>> 15)) * MIX_2;
        return ((z ^ (z >>> 16)) >>> 8) * 0x1.0p-24f;
    }

    static final int HIGH_MULTIPLIER = 0x27D4EB2F;
    static final int POSITION_MULTIPLIER = 0x9E3779B9;
    static final int VALUE_MULTIPLIER = 0x85EBCA6B;
    static final int MIX_1 = 0x7FEB352D;
    static final int MIX_2 = 0x846CA68B;

    /** The 32 bits of a salt's key that {@link #uniform} starts from. */
    static int keyWord(long key) {
        return (int) key ^ (int) (key >>> 32);
    }

    /** SplitMix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
