package org.maskpro4j.maskpro;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.maskpro4j.nm.FourPositionLanes;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.weights.MaskBits;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Logit8}'s codec at M = 4 with 16 groups in the lanes of AVX-512 vectors: the same operations on the same
 * values as the scalar code, hence the same bytes and floats, and no branch or store address that depends on where a
 * group's maximum sits (the scalar encoder's mispredictions cost a third of its time). The encoder can leave each value
 * as it decodes, so a caller that goes on with the stored values needs no second pass. Groups become four rows (one
 * per position) by the fused kernel's lane permutations ({@link FourPositionLanes#toRows}); each stored value's
 * random number (32-bit hash) and code (its u's bits plus the random number, shifted) are computed in lanes. The rows
 * forms move each group's three codes as one int (one scalar load or store a group) and compute the decoded levels
 * from them in lanes (a float's bits, no table); elsewhere the codes' bytes and the level table are a plain loop
 * (gathers of the values are slower than their loads, and on JDK 17 fall back to boxed lanes where C2 does not inline
 * them).
 *
 * <p>Vectors pass between the methods through scratch arrays: a vector argument of a method C2 did not inline (it
 * stops inlining the Vector API past a node budget, and does not inline a method it compiled big on its own) is boxed
 * on the heap, several times slower; for that reason a value's random number and its code are two methods.
 */
final class Logit8Lanes implements Logit8.Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final int LANES = 16;
    private static final float ROUNDER = 0x1p23f;
    private static final int ROUNDER_BITS = 0x4B000000;
    /** Lane i's shift of its maximum's 2 bits in the 16 groups' packed int. */
    private static final int[] PACK_SHIFT = new int[LANES];
    /** Lane i's group's first position in 16 groups: 4i. */
    private static final int[] POSITION_OFFSET = new int[LANES];
    /** Groups per batch: its scratch arrays stay in the first-level cache. */
    private static final int BATCH = 256;
    /** Lane L's position in its group, L mod 4. */
    private static final int[] POSITION = new int[LANES];
    /** Lane L of the v-th vector of 16 groups: the shift of its group's maximum's 2 bits in their packed int. */
    private static final int[][] TOP_SHIFT = new int[4][LANES];
    /** Four bytes as one little-endian int: a group's three codes (and the next byte), 16 groups' packed maxima. */
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    /** Groups of the kernel's rows: four rows of this many lanes. */
    private static final int ROWS = FusedGroupKernel.ROW_GROUPS;
    /** Lane i, position j: the bit of group i's position j in its half of the 16 groups' word, 4·(i mod 8) + j. */
    private static final int[][] BIT_SHIFT = new int[4][LANES];

    static {
        for (int i = 0; i < LANES; i++) {
            PACK_SHIFT[i] = 2 * i;
            POSITION_OFFSET[i] = 4 * i;
        }
        for (int lane = 0; lane < LANES; lane++) {
            POSITION[lane] = lane % 4;
            for (int v = 0; v < 4; v++) {
                TOP_SHIFT[v][lane] = 2 * (4 * v + lane / 4);
            }
            for (int j = 0; j < 4; j++) {
                BIT_SHIFT[j][lane] = 4 * (lane % 8) + j;
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
    public Logit8.Lanes another() {
        return new Logit8Lanes();
    }

    @Override
    public int encode4(float[] from, int groups, long firstGroup, long key, byte[] codes, byte[] maxAt,
            boolean decoded) {
        int whole = groups / LANES * LANES;
        Batch batch = new Batch();
        for (int first = 0; first < whole; first += BATCH) {
            int count = Math.min(BATCH, whole - first);
            for (int b = 0; b < count; b += LANES) {
                codes(batch, rows(from, (first + b) * 4, batch), key, firstGroup, first + b, b, maxAt);
            }
            int[] out = batch.code;
            float[] slots = batch.slots;
            for (int b = 0, c = 3 * first, q = 1; b < count; b += LANES) {
                for (int i = 3 * b, end = i + LANES; i < end; i++, c += 3, q += 4) {
                    int c0 = out[i] & 0xff; // at most 255: the mask lets C2 drop the table's range checks
                    int c1 = out[i + LANES] & 0xff;
                    int c2 = out[i + 2 * LANES] & 0xff;
                    codes[c] = (byte) c0;
                    codes[c + 1] = (byte) c1;
                    codes[c + 2] = (byte) c2;
                    if (decoded) { // invariant: C2 compiles a loop for each case
                        slots[q] = Logit8.LEVEL[c0];
                        slots[q + 1] = Logit8.LEVEL[c1];
                        slots[q + 2] = Logit8.LEVEL[c2];
                    }
                }
            }
            if (decoded) {
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
     * The rows forms' batch and a block's decoded values, one row of ROW_GROUPS per stored value: this instance's own, so
     * the rows forms are for one thread at a time ({@link Logit8#rowLanes} gives each caller its instance). A ThreadLocal
     * looked up per block of rows took about a tenth of the pass's JFR samples, its map probing past other entries.
     */
    private final Batch rowBatch = new Batch();

    @Override
    public void decodeRows(byte[] codes, byte[] maxAt, int first, float[] rows) {
        Batch batch = rowBatch;
        int[] three = batch.three;
        float[] levels = batch.levels;
        // a group's three codes in one load, and the next group's first byte with them, but for the last group, whose
        // fourth byte may lie past the array
        int c = 3 * first;
        for (int g = 0; g < ROWS - 1; g++, c += 3) {
            three[g] = (int) INT_LE.get(codes, c);
        }
        three[ROWS - 1] = codes[c] & 0xff | (codes[c + 1] & 0xff) << 8 | (codes[c + 2] & 0xff) << 16;
        levels(three, levels);
        placeRows(levels, maxAt, first, rows);
    }

    /** The levels of ROW_GROUPS groups' codes, three to an int, into one row per stored value: a method of its own. */
    private static void levels(int[] three, float[] levels) {
        for (int b = 0; b < ROWS; b += LANES) {
            level(three, b, 0, levels, b);
            level(three, b, 8, levels, ROWS + b);
            level(three, b, 16, levels, 2 * ROWS + b);
        }
    }

    @Override
    public void encodeRows(float[] rows, int first, long firstGroup, long key, byte[] codes, byte[] maxAt,
            boolean decoded) {
        Batch batch = rowBatch;
        for (int b = 0; b < ROWS; b += LANES) {
            for (int j = 0; j < 4; j++) {
                FloatVector.fromArray(F, rows, j * ROWS + b).intoArray(batch.rows, j * LANES);
            }
            codes(batch, maxima(batch), key, firstGroup, first + b, b, maxAt);
        }
        int[] out = batch.code;
        int[] three = batch.three;
        float[] levels = batch.levels;
        for (int b = 0; b < ROWS; b += LANES) {
            // codes are at most 255: a group's three as one int in lanes, and its levels by gathers (48 scalar loads and
            // stores a vector of groups otherwise)
            int i = 3 * b;
            IntVector.fromArray(I, out, i)
                    .or(IntVector.fromArray(I, out, i + LANES).lanewise(VectorOperators.LSHL, 8))
                    .or(IntVector.fromArray(I, out, i + 2 * LANES).lanewise(VectorOperators.LSHL, 16))
                    .intoArray(three, b);
            if (decoded) {
                level(out, i, 0, levels, b);
                level(out, i + LANES, 0, levels, ROWS + b);
                level(out, i + 2 * LANES, 0, levels, 2 * ROWS + b);
            }
        }
        // one store a group, whose fourth byte the next group's overwrites, but for the block's last group: its fourth
        // byte is the next block's, still to be decoded
        int c = 3 * first;
        for (int g = 0; g < ROWS - 1; g++, c += 3) {
            INT_LE.set(codes, c, three[g]);
        }
        int t = three[ROWS - 1];
        codes[c] = (byte) t;
        codes[c + 1] = (byte) (t >>> 8);
        codes[c + 2] = (byte) (t >>> 16);
        if (decoded) {
            placeRows(levels, maxAt, first, rows);
        }
    }

    /**
     * Logit8.level of the 16 codes in bits {@code shift …} of {@code codes[i …]} into {@code levels[at …]}: the same
     * operations, no table.
     */
    private static void level(int[] codes, int i, int shift, float[] levels, int at) {
        IntVector code = IntVector.fromArray(I, codes, i).lanewise(VectorOperators.LSHR, shift).and(0xff);
        FloatVector.broadcast(F, Logit8.A).sub(code.lanewise(VectorOperators.LSHL, Logit8.CODE_SHIFT)
                .add(Logit8.ONE_BITS).reinterpretAsFloats().mul(Logit8.A)).intoArray(levels, at);
    }

    /**
     * The decoded values of groups {@code first …} (ROW_GROUPS) into their rows: row j gets stored value j, or j − 1
     * from the maximum's position on, and 0 at it, as {@link #place} puts them in row-major groups.
     */
    private static void placeRows(float[] levels, byte[] maxAt, int first, float[] rows) {
        IntVector shifts = IntVector.fromArray(I, PACK_SHIFT, 0);
        for (int b = 0; b < ROWS; b += LANES) {
            int at = (first + b) / 4;
            int packed = (int) INT_LE.get(maxAt, at);
            IntVector top = IntVector.broadcast(I, packed).lanewise(VectorOperators.LSHR, shifts).and(3);
            IntVector l0 = FloatVector.fromArray(F, levels, b).reinterpretAsInts();
            IntVector l1 = FloatVector.fromArray(F, levels, ROWS + b).reinterpretAsInts();
            IntVector l2 = FloatVector.fromArray(F, levels, 2 * ROWS + b).reinterpretAsInts();
            l0.blend(0, top.compare(VectorOperators.EQ, 0)).reinterpretAsFloats().intoArray(rows, b);
            l0.blend(l1, top.compare(VectorOperators.GT, 1)).blend(0, top.compare(VectorOperators.EQ, 1))
                    .reinterpretAsFloats().intoArray(rows, ROWS + b);
            l1.blend(l2, top.compare(VectorOperators.GT, 2)).blend(0, top.compare(VectorOperators.EQ, 2))
                    .reinterpretAsFloats().intoArray(rows, 2 * ROWS + b);
            l2.blend(0, top.compare(VectorOperators.EQ, 3)).reinterpretAsFloats().intoArray(rows, 3 * ROWS + b);
        }
    }

    @Override
    public void bitsToRows(MaskBits bits, long firstGroup, float[] rows) {
        VectorMask<Integer> high = VectorMask.fromLong(I, 0xff00L);
        for (int b = 0; b < ROWS; b += LANES) {
            long word = bits.word((int) ((firstGroup + b) / LANES)); // 16 groups of 4 positions fill one word
            IntVector halves = IntVector.broadcast(I, (int) word).blend((int) (word >>> 32), high);
            for (int j = 0; j < 4; j++) {
                ((FloatVector) halves.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, BIT_SHIFT[j], 0)).and(1)
                        .convert(VectorOperators.I2F, 0)).intoArray(rows, j * ROWS + b);
            }
        }
    }

    @Override
    public void rowsToBits(float[] rows, MaskBits bits, long firstGroup) {
        int[] lanes = rowBatch.top;
        for (int b = 0; b < ROWS; b += LANES) {
            IntVector word = IntVector.zero(I);
            for (int j = 0; j < 4; j++) {
                // 1f and 0f differ in bit 23 (the exponent's lowest), so it is the 0/1 value; the draw writes no other
                word = word.or(FloatVector.fromArray(F, rows, j * ROWS + b).reinterpretAsInts()
                        .lanewise(VectorOperators.LSHR, 23).and(1)
                        .lanewise(VectorOperators.LSHL, IntVector.fromArray(I, BIT_SHIFT[j], 0)));
            }
            word.intoArray(lanes, 0);
            int low = 0;
            int up = 0;
            for (int i = 0; i < LANES / 2; i++) {
                low |= lanes[i];
                up |= lanes[i + LANES / 2];
            }
            bits.setWord((int) ((firstGroup + b) / LANES), low & 0xffffffffL | (long) up << 32);
        }
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
            int packed = (int) INT_LE.get(maxAt, at);
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

    /** A batch's scratch: per stored value (value k of group g at {@code (g / 16)·48 + 16k + g mod 16}), its code. */
    private static final class Batch {
        /** 4 positions' values, then less their group's maximum, and the maximum's position as a float. */
        final float[] rows = new float[5 * LANES];
        /** The maximum's position as an int. */
        final int[] top = new int[LANES];
        final int[] random = new int[LANES];
        final int[] code = new int[3 * BATCH];
        /** Decoded values, each group's 3 from 1 + 4g, the fourth 0 (see place). */
        final float[] slots = new float[4 * BATCH + 1];
        /** The rows forms': decoded values of ROW_GROUPS groups, one row per stored value. */
        final float[] levels = new float[3 * ROWS];
        /** The rows forms': each group's three codes as one little-endian int. */
        final int[] three = new int[ROWS];
    }

    /**
     * The 16 groups at {@code o} as 4 rows of values less their group's maximum into {@code rows[0, 64)}, the maximum's
     * position into {@code rows[64, 80)} and {@code top}; returns the positions packed 2 bits per group. Groups become
     * rows by the kernel's lane permutations (gathers are slower on this hardware).
     */
    private static int rows(float[] from, int o, Batch batch) {
        FourPositionLanes.toRows(from, o, batch.rows, 0, LANES);
        return maxima(batch);
    }

    /**
     * The 16 groups' values in {@code batch.rows[0, 64)} (4 rows of 16) less their group's maximum, the maximum's
     * position into {@code rows[64, 80)} and {@code top}; returns the positions packed 2 bits per group.
     */
    private static int maxima(Batch batch) {
        float[] rows = batch.rows;
        FloatVector x0 = FloatVector.fromArray(F, rows, 0);
        FloatVector x1 = FloatVector.fromArray(F, rows, LANES);
        FloatVector x2 = FloatVector.fromArray(F, rows, 2 * LANES);
        FloatVector x3 = FloatVector.fromArray(F, rows, 3 * LANES);
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
        top.intoArray(rows, 4 * LANES);
        // a small whole float plus 2^23 holds its value in the low mantissa bits (JDK 17 has no intrinsic for the
        // vector cast F2I: its fallback loops over boxed lanes)
        IntVector at = top.add(ROUNDER).reinterpretAsInts().sub(ROUNDER_BITS);
        at.intoArray(batch.top, 0);
        return at.lanewise(VectorOperators.LSHL, IntVector.fromArray(I, PACK_SHIFT, 0)).reduceLanes(VectorOperators.OR);
    }

    /**
     * The codes of the 16 groups at {@code group} (of the codes' groups, which start at {@code firstGroup} in the whole
     * matrix) whose rows {@link #maxima} left in {@code batch}, into {@code batch.code} from lane offset {@code 3·b}, and
     * their maxima's positions ({@code packed}) into {@code maxAt}.
     */
    private static void codes(Batch batch, int packed, long key, long firstGroup, int group, int b, byte[] maxAt) {
        long position = (firstGroup + group) * 4;
        for (int k = 0; k < 3; k++) {
            randoms(batch, k, key, position);
            stored(batch, k, 3 * b + k * LANES);
        }
        int m = group / 4;
        INT_LE.set(maxAt, m, packed);
    }

    /**
     * Logit8.random of stored value k of the 16 groups (position k, or k + 1 from the maximum on), lane i at position
     * {@code position + 4i + j}, into {@code batch.random}: the same operations in the same order.
     */
    private static void randoms(Batch batch, int k, long key, long position) {
        float[] rows = batch.rows;
        IntVector top = IntVector.fromArray(I, batch.top, 0);
        VectorMask<Integer> shift = top.compare(VectorOperators.LE, k);
        IntVector x = FloatVector.fromArray(F, rows, k * LANES).reinterpretAsInts()
                .blend(FloatVector.fromArray(F, rows, (k + 1) * LANES).reinterpretAsInts(), shift);
        // the low halves of the positions, and the high halves with the carry out of the low ones (unsigned)
        int low = (int) position;
        IntVector lows = IntVector.fromArray(I, POSITION_OFFSET, 0).add(low + k);
        lows = lows.blend(lows.add(1), shift);
        IntVector highs = IntVector.broadcast(I, (int) (position >>> 32));
        if (Integer.compareUnsigned(low + 4 * LANES, low) < 0) { // rare: the 16 groups' positions cross a multiple of 2^32
            highs = highs.blend(highs.add(1), lows.lanewise(VectorOperators.XOR, Integer.MIN_VALUE)
                    .compare(VectorOperators.LT, low ^ Integer.MIN_VALUE));
        }
        IntVector z = highs.mul(Logit8.HIGH_MULTIPLIER).lanewise(VectorOperators.XOR, Logit8.keyWord(key))
                .lanewise(VectorOperators.XOR, lows.mul(Logit8.POSITION_MULTIPLIER))
                .lanewise(VectorOperators.XOR, x.mul(Logit8.VALUE_MULTIPLIER));
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 16)).mul(Logit8.MIX_1);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 15)).mul(Logit8.MIX_2);
        z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 16))
                .lanewise(VectorOperators.LSHR, 32 - Logit8.CODE_SHIFT).intoArray(batch.random, 0);
    }

    /**
     * Logit8.encode of stored value k of the 16 groups with the random numbers in {@code batch.random}, into
     * {@code batch.code} from lane offset {@code at}: the same operations in the same order.
     */
    private static void stored(Batch batch, int k, int at) {
        float[] rows = batch.rows;
        VectorMask<Float> shift = FloatVector.fromArray(F, rows, 4 * LANES).compare(VectorOperators.LE, (float) k);
        FloatVector x = FloatVector.fromArray(F, rows, k * LANES).blend(FloatVector.fromArray(F, rows, (k + 1) * LANES),
                shift);
        FloatVector v = x.max(-Logit8.RANGE); // at most 0 already
        IntVector code = v.mul(Logit8.MINUS_INV_A).add(1f).reinterpretAsInts().sub(Logit8.ONE_BITS)
                .add(IntVector.fromArray(I, batch.random, 0)).lanewise(VectorOperators.ASHR, Logit8.CODE_SHIFT)
                .min(Logit8.MAX_CODE);
        VectorMask<Integer> nan = v.reinterpretAsInts().and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000);
        code.blend(0, nan).intoArray(batch.code, at);
    }
}
