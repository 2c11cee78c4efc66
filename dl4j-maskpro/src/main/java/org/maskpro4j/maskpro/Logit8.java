package org.maskpro4j.maskpro;

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
 * steps, encodes as the original does.
 *
 * <p>At M = 4, where the JVM runs with jdk.incubator.vector and 16 float lanes, {@code Logit8Lanes} encodes and decodes
 * 16 groups at a time, bit for bit as the scalar code here, which stays for the rest and for other JVMs.
 */
public final class Logit8 {
    /** The width of the stored range: logits are at most this far below their group's largest. */
    public static final float RANGE = (float) MaskPolicy.LOGIT_RANGE;
    /** Level growth: steps are about (|level| + a)/B wide, a ≈ 2.58. */
    private static final double B = 80;
    /** Every code's value, so decoding is one load per logit; a 257th, −∞, ends the table for the encoder. */
    static final float[] LEVEL = new float[257];
    /** 1 / (level c − level c + 1), 0 for the last: the encoder's rounding probability is a product. */
    static final float[] INV_STEP = new float[256];
    /**
     * Buckets per unit of |value|: a power of 2, so the bucket index is exact, and no more than the finest level step
     * (a/B ≈ 0.0323) is wide, so a bucket holds at most one level below its top.
     */
    static final float BUCKETS_PER_UNIT = 32;
    /** The code of the lowest level at or above the top of each bucket: a value's upper level is it or the next one. */
    static final byte[] BUCKET_CODE = new byte[(int) (RANGE * BUCKETS_PER_UNIT) + 1];

    static {
        double a = RANGE / Math.expm1(255 / B);
        for (int c = 1; c < 255; c++) {
            LEVEL[c] = (float) (-a * Math.expm1(c / B));
        }
        LEVEL[255] = -RANGE;
        LEVEL[256] = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < 255; c++) {
            INV_STEP[c] = 1 / (LEVEL[c] - LEVEL[c + 1]);
        }
        int c = 0;
        for (int k = 0; k < BUCKET_CODE.length; k++) {
            float top = -k / BUCKETS_PER_UNIT;
            while (c < 255 && LEVEL[c + 1] >= top) {
                c++;
            }
            BUCKET_CODE[k] = (byte) c;
        }
    }

    /**
     * The M = 4 encoder in SIMD lanes where the JVM has the Vector API and 16 float lanes, else null; after the tables,
     * which it copies.
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

    /** The logit a code stands for (codes are unsigned bytes). */
    public static float decode(byte code) {
        return LEVEL[code & 0xff];
    }

    /**
     * The code of {@code value} (at most 0, at least −{@value #RANGE}; beyond are clamped), rounded down to the next
     * lower level with probability (level above − value)/(level step), given {@code uniform} in [0, 1). A value on a
     * level is that level's code.
     */
    public static byte encode(float value, float uniform) {
        float v = Math.max(-RANGE, Math.min(0, value));
        int c = BUCKET_CODE[(int) (v * -BUCKETS_PER_UNIT)] & 0xff;
        c += LEVEL[c + 1] >= v ? 1 : 0; // no branch on data: the JIT makes both selections conditional moves
        float down = (LEVEL[c] - v) * INV_STEP[c];
        return (byte) (uniform < down ? c + 1 : c);
    }

    /**
     * {@link #encode(float, float)} with its two float comparisons done on the floats' bits, given {@code uniform} in
     * [0, 1): C2 compiles float selections to branches, which the random rounding mispredicts half the time (three
     * times the cost of the rest). The values compared never straddle 0, so their sign-less bits order as they do; a
     * NaN, which the definition gives code 0, is masked out.
     */
    private static byte encodeUnbranched(float value, float uniform) {
        float v = Math.max(-RANGE, Math.min(0, value));
        int c = BUCKET_CODE[(int) (v * -BUCKETS_PER_UNIT)] & 0xff;
        int size = Float.floatToRawIntBits(v) & 0x7fffffff;
        int number = (size - 0x7f800001) >> 31; // all ones unless v is NaN
        // the level below is at or above v (it is at most 0, v at most 0): its size is at most v's
        c -= ((Float.floatToRawIntBits(LEVEL[c + 1]) & 0x7fffffff) - size - 1 >> 31) & number;
        float down = (LEVEL[c] - v) * INV_STEP[c]; // at least +0 (or NaN)
        return (byte) (c - ((Float.floatToRawIntBits(uniform) - Float.floatToRawIntBits(down) >> 31) & number));
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
                codes[c++] = encodeUnbranched(v, uniform(key, index + j, v));
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
     * rest or where the lanes are absent: the maximum's position by selections rather than branches on random data, the
     * hash's position term advanced by addition (the product wraps the same way), and four groups' positions packed in
     * a register before one store.
     */
    private static int encode4(float[] from, int groups, long firstGroup, long salt, byte[] codes, byte[] maxAt,
            boolean decoded) {
        long key = mix(salt);
        int start = LANES == null ? 0 : LANES.encode4(from, groups, firstGroup, key, codes, maxAt, decoded);
        long step = 0x9E3779B97F4A7C15L;
        long spread = (firstGroup + start) * 4 * step;
        int packed = 0;
        for (int g = start, o = 4 * start, c = 3 * start; g < groups; g++, o += 4, c += 3, spread += 4 * step) {
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
            codes[c] = encodeUnbranched(v0, uniformSpread(key, spread + j0 * step, v0));
            codes[c + 1] = encodeUnbranched(v1, uniformSpread(key, spread + j1 * step, v1));
            codes[c + 2] = encodeUnbranched(v2, uniformSpread(key, spread + j2 * step, v2));
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
     * A uniform in [0, 1) from the hash of a value's bits, its position and a salt's key: two odd multipliers spread
     * position and value over all 64 bits, one xor-shift-multiply round mixes them into the top 24.
     */
    static float uniform(long key, long index, float value) {
        return uniformSpread(key, index * 0x9E3779B97F4A7C15L, value);
    }

    /** {@link #uniform(long, long, float)} given the position's product with the first multiplier. */
    private static float uniformSpread(long key, long spread, float value) {
        long z = key ^ spread ^ Float.floatToRawIntBits(value) * 0xC2B2AE3D27D4EB4FL;
        z = (z ^ (z >>> 32)) * 0xD6E8FEB86659FD93L;
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** SplitMix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
