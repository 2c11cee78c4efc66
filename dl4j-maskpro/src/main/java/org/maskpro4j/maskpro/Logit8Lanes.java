package org.maskpro4j.maskpro;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Logit8}'s codec at M = 4 with 16 groups in the lanes of AVX-512 vectors: the same operations on the same
 * values as the scalar code, hence the same bytes and floats, and no branch or store address that depends on where a
 * group's maximum sits (the scalar encoder's mispredictions cost a third of its time). The encoder can leave each value
 * as it decodes, so a caller that goes on with the stored values needs no second pass. Groups are gathered into four rows (one per position), every position's
 * uniform is hashed in 64-bit lanes (the top position's too, then dropped), and the stored values are clamped and
 * bucketed in lanes. The table lookups are a plain loop over a batch (gathers are slower than loads on this hardware
 * and, on JDK 17, fall back to boxed lanes where C2 does not inline them): every table is indexed by the bucket, both
 * neighbouring levels' values side by side, so no lookup waits for another.
 *
 * <p>Vectors pass between the methods through scratch arrays: a vector argument of a method C2 did not inline (it
 * stops inlining the Vector API past a node budget, and does not inline a method it compiled big on its own) is boxed
 * on the heap, several times slower.
 */
final class Logit8Lanes implements Logit8.Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_512;
    private static final int LANES = 16;
    private static final float ROUNDER = 0x1p23f;
    private static final int ROUNDER_BITS = 0x4B000000;
    private static final long STEP = 0x9E3779B97F4A7C15L;
    private static final long BITS_MULTIPLIER = 0xC2B2AE3D27D4EB4FL;
    private static final long MIX_MULTIPLIER = 0xD6E8FEB86659FD93L;
    /** Row j of 16 groups: lane i reads value 4i + j. */
    private static final int[][] ROW = new int[4][LANES];
    /** Lane i's shift of its maximum's 2 bits in the 16 groups' packed int. */
    private static final int[] PACK_SHIFT = new int[LANES];
    /** The position offsets of groups 0, 2, …, 14 and 1, 3, …, 15: 4 per group. */
    private static final long[] EVEN_POSITION = new long[LANES / 2];
    private static final long[] ODD_POSITION = new long[LANES / 2];
    /** Groups per batch: its scratch arrays stay in the first-level cache. */
    private static final int BATCH = 256;
    // per bucket k of Logit8.BUCKET_CODE, with c its code: c, levels c and c + 1, and their rounding factors
    private static final int[] BUCKET_CODE = new int[Logit8.BUCKET_CODE.length];
    private static final float[] BUCKET_LEVEL = new float[BUCKET_CODE.length];
    private static final float[] BUCKET_BELOW = new float[BUCKET_CODE.length];
    private static final float[] BUCKET_INV_STEP = new float[BUCKET_CODE.length];
    private static final float[] BUCKET_INV_STEP_BELOW = new float[BUCKET_CODE.length];
    /** Level c + 2, what a value rounded down from level c + 1 decodes to. */
    private static final float[] BUCKET_BELOW_NEXT = new float[BUCKET_CODE.length];
    /** Lane L's position in its group, L mod 4. */
    private static final int[] POSITION = new int[LANES];
    /** Lane L of the v-th vector of 16 groups: the shift of its group's maximum's 2 bits in their packed int. */
    private static final int[][] TOP_SHIFT = new int[4][LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            for (int j = 0; j < 4; j++) {
                ROW[j][i] = 4 * i + j;
            }
            PACK_SHIFT[i] = 2 * i;
            (i % 2 == 0 ? EVEN_POSITION : ODD_POSITION)[i / 2] = 4L * i;
        }
        for (int k = 0; k < BUCKET_CODE.length; k++) {
            int c = Logit8.BUCKET_CODE[k] & 0xff;
            BUCKET_CODE[k] = c;
            BUCKET_LEVEL[k] = Logit8.LEVEL[c];
            BUCKET_BELOW[k] = Logit8.LEVEL[c + 1];
            BUCKET_INV_STEP[k] = Logit8.INV_STEP[c];
            BUCKET_INV_STEP_BELOW[k] = c + 1 < Logit8.INV_STEP.length ? Logit8.INV_STEP[c + 1] : 0;
            BUCKET_BELOW_NEXT[k] = c + 2 < Logit8.LEVEL.length ? Logit8.LEVEL[c + 2] : Float.NEGATIVE_INFINITY;
        }
        for (int lane = 0; lane < LANES; lane++) {
            POSITION[lane] = lane % 4;
            for (int v = 0; v < 4; v++) {
                TOP_SHIFT[v][lane] = 2 * (4 * v + lane / 4);
            }
        }
    }

    private Logit8Lanes() {
    }

    /** The encoder, or null where the JVM's vectors hold fewer than 16 floats (512-bit forms would be emulated, slowly). */
    static Logit8.Lanes create() {
        return FloatVector.SPECIES_PREFERRED.length() == LANES ? new Logit8Lanes() : null;
    }

    @Override
    public int encode4(float[] from, int groups, long firstGroup, long key, byte[] codes, byte[] maxAt,
            boolean decoded) {
        int whole = groups / LANES * LANES;
        Batch batch = new Batch();
        for (int first = 0; first < whole; first += BATCH) {
            int count = Math.min(BATCH, whole - first);
            for (int b = 0; b < count; b += LANES) {
                int packed = rows(from, (first + b) * 4, batch.rows);
                long position = (firstGroup + first + b) * 4;
                for (int j = 0; j < 4; j++) {
                    uniforms(key, position + j, batch.rows, j);
                }
                for (int k = 0; k < 3; k++) {
                    stored(batch, k, 3 * b + k * LANES);
                }
                int m = (first + b) / 4;
                maxAt[m] = (byte) packed;
                maxAt[m + 1] = (byte) (packed >>> 8);
                maxAt[m + 2] = (byte) (packed >>> 16);
                maxAt[m + 3] = (byte) (packed >>> 24);
            }
            lookUp(batch, 3 * count);
            for (int i = 0; i < 3 * count; i += LANES) {
                code(batch, i);
            }
            int[] out = batch.bucket;
            for (int b = 0, c = 3 * first; b < count; b += LANES) {
                for (int i = 3 * b, end = i + LANES; i < end; i++, c += 3) {
                    codes[c] = (byte) out[i];
                    codes[c + 1] = (byte) out[i + LANES];
                    codes[c + 2] = (byte) out[i + 2 * LANES];
                }
            }
            if (decoded) {
                float[] levels = batch.level;
                float[] slots = batch.slots;
                for (int b = 0, q = 1; b < count; b += LANES) {
                    for (int i = 3 * b, end = i + LANES; i < end; i++, q += 4) {
                        slots[q] = levels[i];
                        slots[q + 1] = levels[i + LANES];
                        slots[q + 2] = levels[i + 2 * LANES];
                    }
                }
                place(slots, maxAt, first, count, from);
            }
        }
        return whole;
    }

    @Override
    public int decode4(byte[] codes, byte[] maxAt, float[] to, int groups) {
        int whole = groups / LANES * LANES;
        float[] slots = new float[4 * BATCH + 1];
        for (int first = 0; first < whole; first += BATCH) {
            int count = Math.min(BATCH, whole - first);
            for (int g = 0, c = 3 * first, q = 1; g < count; g++, c += 3, q += 4) {
                slots[q] = Logit8.LEVEL[codes[c] & 0xff];
                slots[q + 1] = Logit8.LEVEL[codes[c + 1] & 0xff];
                slots[q + 2] = Logit8.LEVEL[codes[c + 2] & 0xff];
            }
            place(slots, maxAt, first, count, to);
        }
        return whole;
    }

    /**
     * Groups {@code first …} ({@code count}, a multiple of 16) of decoded values into {@code to}: group g's three stored
     * values sit at {@code slots[1 + 4g …]} (the fourth slot 0), and go to positions 0, 1, 2 but from its maximum's
     * position on one further, which gets the 0. Lanes select from the slots and the slots one lane back, so no store
     * depends on where the maximum sits.
     */
    private static void place(float[] slots, byte[] maxAt, int first, int count, float[] to) {
        IntVector position = IntVector.fromArray(I, POSITION, 0);
        for (int b = 0; b < count; b += LANES) {
            int at = (first + b) / 4;
            int packed = maxAt[at] & 0xff | (maxAt[at + 1] & 0xff) << 8 | (maxAt[at + 2] & 0xff) << 16
                    | (maxAt[at + 3] & 0xff) << 24;
            for (int v = 0; v < 4; v++) {
                int q = 4 * b + LANES * v;
                IntVector top = IntVector.broadcast(I, packed)
                        .lanewise(VectorOperators.LSHR, IntVector.fromArray(I, TOP_SHIFT[v], 0)).and(3);
                FloatVector.fromArray(F, slots, q + 1).reinterpretAsInts()
                        .blend(FloatVector.fromArray(F, slots, q).reinterpretAsInts(),
                                position.compare(VectorOperators.GT, top))
                        .blend(0, position.compare(VectorOperators.EQ, top)).reinterpretAsFloats()
                        .intoArray(to, 4 * (first + b) + LANES * v);
            }
        }
    }

    /**
     * A batch's scratch: per stored value (value k of group g at {@code (g / 16)·48 + 16k + g mod 16}), its value
     * clamped, uniform, bucket (then code), and the bucket's table entries.
     */
    private static final class Batch {
        final float[] rows = new float[9 * LANES]; // 4 positions' values less the maximum, their 4 uniforms, top
        final float[] value = new float[3 * BATCH];
        final float[] uniform = new float[3 * BATCH];
        final int[] bucket = new int[3 * BATCH];
        final int[] code = new int[3 * BATCH];
        final float[] level = new float[3 * BATCH];
        final float[] below = new float[3 * BATCH];
        final float[] invStep = new float[3 * BATCH];
        final float[] invStepBelow = new float[3 * BATCH];
        final float[] belowNext = new float[3 * BATCH];
        /** Decoded values, each group's 3 from 1 + 4g, the fourth 0 (see place). */
        final float[] slots = new float[4 * BATCH + 1];
    }

    /**
     * The 16 groups at {@code o} as 4 rows of values less their group's maximum into {@code rows[0, 64)}, the maximum's
     * position into {@code rows[128, 144)}; returns the positions packed 2 bits per group.
     */
    private static int rows(float[] from, int o, float[] rows) {
        FloatVector x0 = FloatVector.fromArray(F, from, o, ROW[0], 0);
        FloatVector x1 = FloatVector.fromArray(F, from, o, ROW[1], 0);
        FloatVector x2 = FloatVector.fromArray(F, from, o, ROW[2], 0);
        FloatVector x3 = FloatVector.fromArray(F, from, o, ROW[3], 0);
        // the scalar code's selections: strictly greater than the maximum so far, so NaN never wins but at 0
        VectorMask<Float> at1 = x1.compare(VectorOperators.GT, x0);
        FloatVector max = x0.blend(x1, at1);
        FloatVector top = FloatVector.zero(F).blend(1f, at1);
        VectorMask<Float> at2 = x2.compare(VectorOperators.GT, max);
        max = max.blend(x2, at2);
        top = top.blend(2f, at2);
        VectorMask<Float> at3 = x3.compare(VectorOperators.GT, max);
        max = max.blend(x3, at3);
        top = top.blend(3f, at3);
        x0.sub(max).intoArray(rows, 0);
        x1.sub(max).intoArray(rows, LANES);
        x2.sub(max).intoArray(rows, 2 * LANES);
        x3.sub(max).intoArray(rows, 3 * LANES);
        top.intoArray(rows, 8 * LANES);
        // a small whole float plus 2^23 holds its value in the low mantissa bits (JDK 17 has no intrinsic for the
        // vector cast F2I: its fallback loops over boxed lanes)
        return top.add(ROUNDER).reinterpretAsInts().sub(ROUNDER_BITS)
                .lanewise(VectorOperators.LSHL, IntVector.fromArray(I, PACK_SHIFT, 0)).reduceLanes(VectorOperators.OR);
    }

    /**
     * Stored value k of the 16 groups (position k, or k + 1 from the maximum on), clamped at −{@value Logit8#RANGE}
     * (NaN stays), its uniform and its bucket (0 for NaN), from lane offset {@code at} of the batch.
     */
    private static void stored(Batch batch, int k, int at) {
        float[] rows = batch.rows;
        VectorMask<Float> shift = FloatVector.fromArray(F, rows, 8 * LANES).compare(VectorOperators.LE, (float) k);
        FloatVector v = FloatVector.fromArray(F, rows, k * LANES)
                .blend(FloatVector.fromArray(F, rows, (k + 1) * LANES), shift).max(-Logit8.RANGE);
        v.intoArray(batch.value, at);
        FloatVector.fromArray(F, rows, (4 + k) * LANES).blend(FloatVector.fromArray(F, rows, (5 + k) * LANES), shift)
                .intoArray(batch.uniform, at);
        // (int) (v · −32), from 0 to 1920: adding 2^23 rounds to the nearest whole number, held in the low mantissa bits
        FloatVector t = v.mul(-Logit8.BUCKETS_PER_UNIT);
        FloatVector nearest = t.add(ROUNDER).sub(ROUNDER);
        VectorMask<Integer> nan = v.reinterpretAsInts().and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
        nearest.blend(nearest.sub(1f), nearest.compare(VectorOperators.GT, t)).add(ROUNDER).reinterpretAsInts()
                .sub(ROUNDER_BITS).blend(0, nan).intoArray(batch.bucket, at);
    }

    /** The table entries of the first {@code n} values' buckets. */
    private static void lookUp(Batch batch, int n) {
        for (int i = 0; i < n; i++) {
            int k = batch.bucket[i];
            batch.code[i] = BUCKET_CODE[k];
            batch.level[i] = BUCKET_LEVEL[k];
            batch.below[i] = BUCKET_BELOW[k];
            batch.invStep[i] = BUCKET_INV_STEP[k];
            batch.invStepBelow[i] = BUCKET_INV_STEP_BELOW[k];
            batch.belowNext[i] = BUCKET_BELOW_NEXT[k];
        }
    }

    /**
     * Logit8.encodeUnbranched of 16 values from {@code at} given their table entries, into {@code batch.bucket}, and
     * the levels the codes decode to into {@code batch.level}: its comparisons are of floats that never straddle 0,
     * made on their sign-less bits as there.
     */
    private static void code(Batch batch, int at) {
        FloatVector v = FloatVector.fromArray(F, batch.value, at);
        IntVector size = v.reinterpretAsInts().and(0x7fffffff);
        VectorMask<Integer> nan = size.compare(VectorOperators.GT, 0x7f800000);
        IntVector below = FloatVector.fromArray(F, batch.below, at).reinterpretAsInts();
        VectorMask<Integer> up = below.and(0x7fffffff).compare(VectorOperators.LE, size);
        IntVector c = IntVector.fromArray(I, batch.code, at);
        c = c.blend(c.add(1), up);
        FloatVector level = FloatVector.fromArray(F, batch.level, at).reinterpretAsInts().blend(below, up)
                .reinterpretAsFloats();
        FloatVector invStep = FloatVector.fromArray(F, batch.invStep, at).reinterpretAsInts()
                .blend(FloatVector.fromArray(F, batch.invStepBelow, at).reinterpretAsInts(), up).reinterpretAsFloats();
        FloatVector down = level.sub(v).mul(invStep);
        VectorMask<Integer> round = FloatVector.fromArray(F, batch.uniform, at).reinterpretAsInts()
                .compare(VectorOperators.LT, down.reinterpretAsInts());
        c.blend(c.add(1), round).blend(0, nan).intoArray(batch.bucket, at);
        IntVector next = below.blend(FloatVector.fromArray(F, batch.belowNext, at).reinterpretAsInts(), up);
        level.reinterpretAsInts().blend(next, round).blend(0, nan).reinterpretAsFloats().intoArray(batch.level, at);
    }

    /**
     * Logit8.uniformSpread of position j of the 16 groups, lane i at position {@code position + 4i}, for the values in
     * row j of {@code rows}, into row 4 + j. The 64-bit lanes hold the even groups' values in their low halves and the
     * odd groups' in their high halves, so ints and longs pass between each other by reinterpretation: only 512-bit
     * shapes, as the kernel uses (a second shape through the Vector API's shared methods splits their type profiles,
     * and C2 then falls back to boxed lanes in the kernel's hot loops).
     */
    private static void uniforms(long key, long position, float[] rows, int j) {
        LongVector pairs = FloatVector.fromArray(F, rows, j * LANES).reinterpretAsInts().reinterpretAsLongs();
        LongVector even = hash(key, position, pairs.lanewise(VectorOperators.LSHL, 32)
                .lanewise(VectorOperators.ASHR, 32), EVEN_POSITION);
        LongVector odd = hash(key, position, pairs.lanewise(VectorOperators.ASHR, 32), ODD_POSITION);
        ((FloatVector) even.or(odd.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts()
                .convert(VectorOperators.I2F, 0)).mul(0x1.0p-24f).intoArray(rows, (4 + j) * LANES);
    }

    /** The top 24 bits of the hash of 8 lanes' values' bits, lane i at position {@code position + offsets[i]}. */
    private static LongVector hash(long key, long position, LongVector bits, long[] offsets) {
        LongVector spread = LongVector.fromArray(L, offsets, 0).add(position).mul(STEP);
        LongVector z = bits.mul(BITS_MULTIPLIER).lanewise(VectorOperators.XOR, spread.lanewise(VectorOperators.XOR, key));
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 32)).mul(MIX_MULTIPLIER);
        return z.lanewise(VectorOperators.LSHR, 40);
    }

}
