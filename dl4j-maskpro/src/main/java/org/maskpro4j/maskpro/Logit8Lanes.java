package org.maskpro4j.maskpro;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Logit8}'s encoder at M = 4 with 16 groups in the lanes of AVX-512 vectors: the same operations on the same
 * values as the scalar code, hence the same bytes. Groups are gathered into four rows (one per position), every
 * position's uniform is hashed in 64-bit lanes (the top position's too, then dropped, so no lane's hash depends on
 * where its maximum sits), and the table lookups are gathers.
 */
final class Logit8Lanes implements Logit8.Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_512;
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> HALF_INTS = IntVector.SPECIES_256;
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
    /** Lane i's group offset, times 4: the first factor of its hash's position term. */
    private static final long[] LANE_POSITION = new long[LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            for (int j = 0; j < 4; j++) {
                ROW[j][i] = 4 * i + j;
            }
            PACK_SHIFT[i] = 2 * i;
            LANE_POSITION[i] = 4L * i;
        }
    }

    private Logit8Lanes() {
    }

    /** The encoder, or null where the JVM's vectors hold fewer than 16 floats (512-bit forms would be emulated, slowly). */
    static Logit8.Lanes create() {
        return FloatVector.SPECIES_PREFERRED.length() == LANES ? new Logit8Lanes() : null;
    }

    /**
     * Encodes the first {@code groups / 16 · 16} groups as Logit8's encode4 does, with the hash key {@code key}; the
     * caller encodes the rest.
     *
     * @return the groups encoded
     */
    @Override
    public void prepare4(float[] from, int group, int count, long firstGroup, long key, float[] values,
            float[] uniforms, byte[] maxAt) {
        int blocks = count / LANES;
        // vectors pass between the steps through scratch arrays: a vector argument of a method C2 did not inline (it
        // stops inlining the Vector API past a node budget) is boxed on the heap, several times slower
        float[] rows = new float[9 * LANES]; // the 4 positions' values less the maximum, their 4 uniforms, top
        for (int b = 0; b < blocks; b++) {
            int packed = rows(from, (group + b * LANES) * 4, rows);
            long base = (firstGroup + group + (long) b * LANES) * 4;
            for (int j = 0; j < 4; j++) {
                uniforms(key, base + j, rows, j);
            }
            for (int k = 0; k < 3; k++) {
                stored(rows, k, values, uniforms, b * 3 * LANES);
            }
            int m = (group + b * LANES) / 4;
            maxAt[m] = (byte) packed;
            maxAt[m + 1] = (byte) (packed >>> 8);
            maxAt[m + 2] = (byte) (packed >>> 16);
            maxAt[m + 3] = (byte) (packed >>> 24);
        }
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
     * Stored value k of the 16 groups (position k, or k + 1 from the maximum on) and its uniform into
     * {@code values[at + 16k ...]} and {@code uniforms[at + 16k ...]}.
     */
    private static void stored(float[] rows, int k, float[] values, float[] uniforms, int at) {
        VectorMask<Float> shift = FloatVector.fromArray(F, rows, 8 * LANES).compare(VectorOperators.LE, (float) k);
        FloatVector.fromArray(F, rows, k * LANES).blend(FloatVector.fromArray(F, rows, (k + 1) * LANES), shift)
                .intoArray(values, at + k * LANES);
        FloatVector.fromArray(F, rows, (4 + k) * LANES).blend(FloatVector.fromArray(F, rows, (5 + k) * LANES), shift)
                .intoArray(uniforms, at + k * LANES);
    }

    /**
     * Logit8.uniformSpread of position j of the 16 groups, lane i at position {@code position + 4i}, for the values in
     * row j of {@code rows}, into row 4 + j: 8 lanes at a time, whose ints and longs convert lane for lane (a
     * conversion that splits or joins vectors is not intrinsic on JDK 17).
     */
    private static void uniforms(long key, long position, float[] rows, int j) {
        for (int half = 0; half < LANES; half += HALF.length()) {
            IntVector bits = FloatVector.fromArray(HALF, rows, j * LANES + half).reinterpretAsInts();
            LongVector top24 = hash(key, position, (LongVector) bits.castShape(L, 0), half);
            ((FloatVector) top24.castShape(HALF_INTS, 0).convert(VectorOperators.I2F, 0)).mul(0x1.0p-24f)
                    .intoArray(rows, (4 + j) * LANES + half);
        }
    }

    /** The top 24 bits of the hash of 8 lanes' values' bits, lane i at position {@code position + 4(first + i)}. */
    private static LongVector hash(long key, long position, LongVector bits, int first) {
        LongVector spread = LongVector.fromArray(L, LANE_POSITION, first).add(position).mul(STEP);
        LongVector z = bits.mul(BITS_MULTIPLIER).lanewise(VectorOperators.XOR, spread.lanewise(VectorOperators.XOR, key));
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 32)).mul(MIX_MULTIPLIER);
        return z.lanewise(VectorOperators.LSHR, 40);
    }

}
