package org.maskpro4j.maskpro;

/**
 * One-byte policy logits: 256 levels on [−{@value #RANGE}, 0], spaced finely next to 0, where the largest logit of
 * every group sits and ties between the kept and the dropped positions are decided, and coarsely far below it, where
 * a position's probability (e^−10 ≈ 4.5·10^−5 at −10) no longer matters. Level c is −a(e^{c/b} − 1) with b = {@value #B}
 * and a chosen so level 255 is exactly −{@value #RANGE}: steps of 0.031 at 0, 0.09 at −5, 0.16 at −10, 0.78 at −60.
 *
 * <p>Encoding shifts each group so its largest value is 0 (softmax, sampling and top-N are invariant to the shift),
 * clamps at −{@value #RANGE} and rounds stochastically between the two neighbouring levels, so that the stored
 * logit equals the value in expectation: REINFORCE's updates, many of them smaller than a level step, add up as they do
 * in floats instead of vanishing. The random number is a hash of the value's bits, its position and a salt (the
 * policy passes each ascent's scale), so the same inputs always give the same bytes, whatever the thread count, and a
 * policy restored from a checkpoint, or a replica replaying the same steps, encodes as the original does.
 */
public final class Logit8 {
    /** The width of the stored range: logits are at most this far below their group's largest. */
    public static final float RANGE = (float) MaskPolicy.LOGIT_RANGE;
    /** Level growth: steps are (|level| + a)/B wide, a ≈ 2.46. */
    private static final double B = 80;
    /** Every code's value, so decoding is one load per logit. */
    private static final float[] LEVEL = new float[256];
    /** Buckets of width {@value #BUCKET} (no wider than the finest level step) over [0, RANGE] of |value|. */
    private static final float BUCKET = 1f / 32;
    /** The code of the level at or above the top of each bucket: the value's code is it or the next one. */
    private static final byte[] BUCKET_CODE = new byte[(int) (RANGE / BUCKET) + 2];

    static {
        double a = RANGE / Math.expm1(255 / B);
        for (int c = 1; c < 255; c++) {
            LEVEL[c] = (float) (-a * Math.expm1(c / B));
        }
        LEVEL[255] = -RANGE;
        int c = 0;
        for (int k = 0; k < BUCKET_CODE.length; k++) {
            float top = -k * BUCKET;
            while (c < 255 && LEVEL[c + 1] >= top) {
                c++;
            }
            BUCKET_CODE[k] = (byte) c;
        }
    }

    private Logit8() {
    }

    /** The logit a code stands for (codes are unsigned bytes). */
    public static float decode(byte code) {
        return LEVEL[code & 0xff];
    }

    /** Decodes {@code count} codes from {@code from} into {@code to}. */
    public static void decode(byte[] from, float[] to, int count) {
        for (int i = 0; i < count; i++) {
            to[i] = LEVEL[from[i] & 0xff];
        }
    }

    /**
     * The code of {@code value} (at most 0, at least −{@value #RANGE}; beyond are clamped), rounded down to the next
     * lower level with probability (level above − value)/(level step), given {@code uniform} in [0, 1). A value on a
     * level is that level's code.
     */
    public static byte encode(float value, float uniform) {
        float v = Math.max(-RANGE, Math.min(0, value));
        int c = BUCKET_CODE[(int) (-v / BUCKET)] & 0xff;
        if (c < 255 && LEVEL[c] < v) {
            c--; // a float rounding of the bucket index landed one bucket low
        }
        while (c < 255 && LEVEL[c + 1] >= v) {
            c++;
        }
        if (c == 255) {
            return (byte) 255;
        }
        float down = (LEVEL[c] - v) / (LEVEL[c] - LEVEL[c + 1]);
        return (byte) (uniform < down ? c + 1 : c);
    }

    /**
     * Encodes {@code count} values (whole groups of {@code m}) from {@code from} into {@code to}: each group shifted so
     * its largest is 0, clamped and rounded stochastically with a uniform drawn from the hash of the value, its position
     * {@code firstIndex + i} in the whole logits matrix and {@code salt}.
     */
    public static void encode(float[] from, byte[] to, int count, int m, long firstIndex, long salt) {
        long key = mix(salt);
        for (int o = 0; o < count; o += m) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                max = Math.max(max, from[o + j]);
            }
            for (int j = 0; j < m; j++) {
                float v = from[o + j] - max;
                to[o + j] = encode(v, uniform(key, firstIndex + o + j, v));
            }
        }
    }

    /** A uniform in [0, 1) from the hash of a value's bits, its position and a salt's key. */
    static float uniform(long key, long index, float value) {
        long h = mix(key + index * 0x9E3779B97F4A7C15L + (Float.floatToRawIntBits(value) & 0xffffffffL) * 0xC2B2AE3D27D4EB4FL);
        return (h >>> 40) * 0x1.0p-24f;
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
