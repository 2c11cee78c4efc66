package org.maskpro4j.maskpro;

import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.weights.MaskBits;

/**
 * One-byte policy logits: 256 levels on [−59.5, 0], spaced finely next to 0, where the largest logit of every group
 * sits and ties between the kept and the dropped positions are decided, and coarsely far below it, where a position's
 * probability (e^−10 ≈ 4.5·10^−5 at −10) no longer matters. The levels are log-linear (a minifloat): with u = 1 − v/a,
 * a = 4, level c sits at u = 2^⌊c/64⌋·(1 + (c mod 64)/64), 64 levels per octave of u, evenly spaced within each octave,
 * so level c is a float's bits: u = intBitsToFloat(0x3F800000 + (c << 17)), v = a − a·u. Steps are a·2^k/64: 0.0625 on
 * [−4, 0], 0.125 down to −12, 0.25 down to −28, 0.5 down to level 255, −59.5 (the octaves of u ≥ 16 would take code
 * 256: values in [−60, −59.5) store as −59.5, at probabilities below e^−59.5 that no softmax tells apart). With a a
 * power of two every level, v and u, is exact in floats both ways, so a value on a level encodes to that level
 * whatever the random number (a restored checkpoint stores what it stored).
 *
 * <p>Encoding shifts each group so its largest value is 0 (softmax, sampling and top-N are invariant to the shift) and
 * stores where that 0 sits ({@link #indexBits}: 2 bits at M = 4) instead of its code, so a group of M takes M − 1 bytes
 * and a few bits: 0.8125 bytes per logit at 2:4. The other values are clamped at −60 and rounded stochastically between
 * the two neighbouring levels, so that the stored logit equals the value in expectation: REINFORCE's updates, many of
 * them smaller than a level step, add up as they do in floats instead of vanishing. Because u is linear in a float's
 * low 17 bits within an octave, and v linear in u, adding a uniform 17-bit random integer to u's bits and shifting
 * right by 17 ({@link #encode(float, int)}) rounds up with probability exactly (u − u_c)/(u_{c+1} − u_c): unbiased in
 * v, with no logarithm and no probability to compute. The random number is a hash of the value's bits, its position
 * and a salt (the policy passes each ascent's scale), so the same inputs always give the same bytes, whatever the
 * thread count, and a policy restored from a checkpoint, or a replica replaying the same steps, encodes as the
 * original does. The hash is 32-bit integer arithmetic, so encoder and decoder run in 16 SIMD lanes as cheaply as in
 * scalar code.
 *
 * <p>Until session 10 the levels were −a(e^{c/80} − 1), a ≈ 2.58 (steps 0.032 at 0, 0.78 at −60), rounded by a
 * closed-form probability. Checkpoints hold decoded floats, not codes ({@link MaskProCheckpoint}), so one written
 * with those levels restores by rounding each stored value to one of the two levels around it, unbiased, and carries
 * on; its {@link MaskProCheckpoint#LOGIT_LEVELS} marker is absent.
 *
 * <p>At M = 4, where the JVM runs with jdk.incubator.vector and 16 float lanes, {@code Logit8Lanes} encodes and decodes
 * 16 groups at a time, bit for bit as the scalar code here, which stays for the rest and for other JVMs.
 */
public final class Logit8 {
    /** The name of this level set, which checkpoints record ({@link MaskProCheckpoint#LOGIT_LEVELS}). */
    public static final String LEVELS = "log-linear-64";
    /** The name of the level set before session 10, −a(e^{c/80} − 1), for checkpoints that record none. */
    public static final String LEVELS_BEFORE_10 = "exponential-80";
    /** The width of the stored range: logits are at most this far below their group's largest. */
    public static final float RANGE = (float) MaskPolicy.LOGIT_RANGE;
    /** The levels' scale: level c is a − a·u_c. A power of two, so levels and their u are exact both ways. */
    static final float A = 4f;
    /** −1/a: u = 1 + v·(−1/a), exact for a power of two. */
    static final float MINUS_INV_A = -1 / A;
    /** The bits of 1f: u's bits less these are the continuous code times 2^CODE_SHIFT. */
    static final int ONE_BITS = 0x3F800000;
    /** Mantissa bits below a code: 23 − log2(64 levels per octave). */
    static final int CODE_SHIFT = 17;
    /** The largest code the encoder writes: the last level at or above −RANGE. */
    static final int MAX_CODE = 255;
    /** Every code's value, so decoding is one load per logit. */
    static final float[] LEVEL = new float[256];

    static {
        for (int c = 0; c < 256; c++) {
            LEVEL[c] = level(c);
        }
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

        /** A new instance, with scratch of its own for the rows forms (which one thread at a time may use). */
        Lanes another();

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
     * where the lanes are absent: a new instance, whose rows forms hold scratch of their own, for one thread at a time.
     */
    static Lanes rowLanes() {
        return LANES == null ? null : LANES.another();
    }

    /** Whether {@link #rowLanes} gives lanes. */
    static boolean hasRowLanes() {
        return LANES != null;
    }

    /** The logit a code stands for (codes are unsigned bytes). */
    public static float decode(byte code) {
        return LEVEL[code & 0xff];
    }

    /** Level c, a − a·u_c with u_c from its bits; Logit8Lanes computes the same operations in lanes. */
    static float level(int c) {
        return A - A * Float.intBitsToFloat(ONE_BITS + (c << CODE_SHIFT));
    }

    /**
     * The code of {@code value} (at most 0, at least −{@value #RANGE}; beyond are clamped, and below level 255 store
     * as it), rounded stochastically between the levels around it by {@code random}, uniform in [0, 2^17): u = 1 − v/a
     * in bits, plus the random number, shifted right by 17. A value on a level is that level's code. A NaN gives code 0.
     * Logit8Lanes computes the same operations in lanes.
     */
    public static byte encode(float value, int random) {
        float v = Math.max(-RANGE, Math.min(0, value));
        int code = Math.min(MAX_CODE, (Float.floatToRawIntBits(1f + v * MINUS_INV_A) - ONE_BITS + random) >> CODE_SHIFT);
        int number = ((Float.floatToRawIntBits(v) & 0x7fffffff) - 0x7f800001) >> 31; // all ones unless v is NaN
        return (byte) (code & number);
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
     * random number for the value at position j of group g is drawn from the hash of the value, its position
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
                codes[c++] = encode(v, random(key, index + j, v));
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
            codes[c] = encode(v0, random(key, index + j0, v0));
            codes[c + 1] = encode(v1, random(key, index + j1, v1));
            codes[c + 2] = encode(v2, random(key, index + j2, v2));
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
     * A uniform random integer in [0, 2^17) from the hash of a value's bits, its position and a salt's key, in 32-bit
     * arithmetic (Logit8Lanes hashes 16 values per vector): two odd multipliers spread the position's low half and the
     * value over the word, a third the position's high half, and Wellons' lowbias32 finalizer mixes them into the top
     * 17 bits.
     */
    static int random(long key, long index, float value) {
        int z = keyWord(key) ^ (int) (index >>> 32) * HIGH_MULTIPLIER ^ (int) index * POSITION_MULTIPLIER
                ^ Float.floatToRawIntBits(value) * VALUE_MULTIPLIER;
        z = (z ^ (z >>> 16)) * MIX_1;
        z = (z ^ (z >>> 15)) * MIX_2;
        return (z ^ (z >>> 16)) >>> (32 - CODE_SHIFT);
    }

    static final int HIGH_MULTIPLIER = 0x27D4EB2F;
    static final int POSITION_MULTIPLIER = 0x9E3779B9;
    static final int VALUE_MULTIPLIER = 0x85EBCA6B;
    static final int MIX_1 = 0x7FEB352D;
    static final int MIX_2 = 0x846CA68B;

    /** The 32 bits of a salt's key that {@link #random} starts from. */
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
