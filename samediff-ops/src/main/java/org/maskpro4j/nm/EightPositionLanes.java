package org.maskpro4j.nm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorChunkMath}'s transposition for M = 8 (4:8, 2:8, 3:8, ...): 16 row-major groups (8 vectors of 2
 * groups each) to 8 rows of 16 lanes and back by lane permutations and blends, instead of 128 scalar moves each way
 * (which measured a quarter of the 4:8 step). Data movement only, so the same bits. AVX-512 floats only (16 lanes).
 */
final class EightPositionLanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int M = 8;
    private static final VectorShuffle<Float> ROW_0 = RowShuffles.toRow(M, 0);
    private static final VectorShuffle<Float> ROW_1 = RowShuffles.toRow(M, 1);
    private static final VectorShuffle<Float> ROW_2 = RowShuffles.toRow(M, 2);
    private static final VectorShuffle<Float> ROW_3 = RowShuffles.toRow(M, 3);
    private static final VectorShuffle<Float> ROW_4 = RowShuffles.toRow(M, 4);
    private static final VectorShuffle<Float> ROW_5 = RowShuffles.toRow(M, 5);
    private static final VectorShuffle<Float> ROW_6 = RowShuffles.toRow(M, 6);
    private static final VectorShuffle<Float> ROW_7 = RowShuffles.toRow(M, 7);
    private static final VectorShuffle<Float> GROUPS_0 = RowShuffles.toGroups(M, 0);
    private static final VectorShuffle<Float> GROUPS_1 = RowShuffles.toGroups(M, 1);
    private static final VectorShuffle<Float> GROUPS_2 = RowShuffles.toGroups(M, 2);
    private static final VectorShuffle<Float> GROUPS_3 = RowShuffles.toGroups(M, 3);
    private static final VectorShuffle<Float> GROUPS_4 = RowShuffles.toGroups(M, 4);
    private static final VectorShuffle<Float> GROUPS_5 = RowShuffles.toGroups(M, 5);
    private static final VectorShuffle<Float> GROUPS_6 = RowShuffles.toGroups(M, 6);
    private static final VectorShuffle<Float> GROUPS_7 = RowShuffles.toGroups(M, 7);
    private static final VectorMask<Float> PAIR_1 = RowShuffles.vectorLanes(M, 1);
    private static final VectorMask<Float> PAIR_2 = RowShuffles.vectorLanes(M, 2);
    private static final VectorMask<Float> PAIR_3 = RowShuffles.vectorLanes(M, 3);
    private static final VectorMask<Float> PAIR_4 = RowShuffles.vectorLanes(M, 4);
    private static final VectorMask<Float> PAIR_5 = RowShuffles.vectorLanes(M, 5);
    private static final VectorMask<Float> PAIR_6 = RowShuffles.vectorLanes(M, 6);
    private static final VectorMask<Float> PAIR_7 = RowShuffles.vectorLanes(M, 7);
    private static final VectorMask<Float> POSITION_1 = RowShuffles.positionLanes(M, 1);
    private static final VectorMask<Float> POSITION_2 = RowShuffles.positionLanes(M, 2);
    private static final VectorMask<Float> POSITION_3 = RowShuffles.positionLanes(M, 3);
    private static final VectorMask<Float> POSITION_4 = RowShuffles.positionLanes(M, 4);
    private static final VectorMask<Float> POSITION_5 = RowShuffles.positionLanes(M, 5);
    private static final VectorMask<Float> POSITION_6 = RowShuffles.positionLanes(M, 6);
    private static final VectorMask<Float> POSITION_7 = RowShuffles.positionLanes(M, 7);

    private EightPositionLanes() {
    }

    /** Whether this JVM runs these forms for groups of {@code m}: m = 8 and 16 float lanes. */
    static boolean supported(int m) {
        return m == M && FloatVector.SPECIES_PREFERRED.length() == F.length();
    }

    // one method per direction, all rows written out: its bytecode is past C2's FreqInlineSize, so it is compiled on
    // its own rather than inlined into VectorChunkMath.step, whose other Vector API calls then stop being inlined
    // (the 4:8 step measured 1.75 times slower); shuffles and masks are constants (as arguments they are not, for C2)

    /** The 16 groups at {@code o} to 8 rows of {@code rowLength} lanes, from lane {@code at}. */
    static void toRows(float[] groups, int o, float[] rows, int at, int rowLength) {
        int lanes = F.length();
        FloatVector v0 = FloatVector.fromArray(F, groups, o);
        FloatVector v1 = FloatVector.fromArray(F, groups, o + lanes);
        FloatVector v2 = FloatVector.fromArray(F, groups, o + 2 * lanes);
        FloatVector v3 = FloatVector.fromArray(F, groups, o + 3 * lanes);
        FloatVector v4 = FloatVector.fromArray(F, groups, o + 4 * lanes);
        FloatVector v5 = FloatVector.fromArray(F, groups, o + 5 * lanes);
        FloatVector v6 = FloatVector.fromArray(F, groups, o + 6 * lanes);
        FloatVector v7 = FloatVector.fromArray(F, groups, o + 7 * lanes);
        v0.rearrange(ROW_0).blend(v1.rearrange(ROW_0), PAIR_1).blend(v2.rearrange(ROW_0), PAIR_2)
                .blend(v3.rearrange(ROW_0), PAIR_3).blend(v4.rearrange(ROW_0), PAIR_4)
                .blend(v5.rearrange(ROW_0), PAIR_5).blend(v6.rearrange(ROW_0), PAIR_6)
                .blend(v7.rearrange(ROW_0), PAIR_7).intoArray(rows, at + 0 * rowLength);
        v0.rearrange(ROW_1).blend(v1.rearrange(ROW_1), PAIR_1).blend(v2.rearrange(ROW_1), PAIR_2)
                .blend(v3.rearrange(ROW_1), PAIR_3).blend(v4.rearrange(ROW_1), PAIR_4)
                .blend(v5.rearrange(ROW_1), PAIR_5).blend(v6.rearrange(ROW_1), PAIR_6)
                .blend(v7.rearrange(ROW_1), PAIR_7).intoArray(rows, at + 1 * rowLength);
        v0.rearrange(ROW_2).blend(v1.rearrange(ROW_2), PAIR_1).blend(v2.rearrange(ROW_2), PAIR_2)
                .blend(v3.rearrange(ROW_2), PAIR_3).blend(v4.rearrange(ROW_2), PAIR_4)
                .blend(v5.rearrange(ROW_2), PAIR_5).blend(v6.rearrange(ROW_2), PAIR_6)
                .blend(v7.rearrange(ROW_2), PAIR_7).intoArray(rows, at + 2 * rowLength);
        v0.rearrange(ROW_3).blend(v1.rearrange(ROW_3), PAIR_1).blend(v2.rearrange(ROW_3), PAIR_2)
                .blend(v3.rearrange(ROW_3), PAIR_3).blend(v4.rearrange(ROW_3), PAIR_4)
                .blend(v5.rearrange(ROW_3), PAIR_5).blend(v6.rearrange(ROW_3), PAIR_6)
                .blend(v7.rearrange(ROW_3), PAIR_7).intoArray(rows, at + 3 * rowLength);
        v0.rearrange(ROW_4).blend(v1.rearrange(ROW_4), PAIR_1).blend(v2.rearrange(ROW_4), PAIR_2)
                .blend(v3.rearrange(ROW_4), PAIR_3).blend(v4.rearrange(ROW_4), PAIR_4)
                .blend(v5.rearrange(ROW_4), PAIR_5).blend(v6.rearrange(ROW_4), PAIR_6)
                .blend(v7.rearrange(ROW_4), PAIR_7).intoArray(rows, at + 4 * rowLength);
        v0.rearrange(ROW_5).blend(v1.rearrange(ROW_5), PAIR_1).blend(v2.rearrange(ROW_5), PAIR_2)
                .blend(v3.rearrange(ROW_5), PAIR_3).blend(v4.rearrange(ROW_5), PAIR_4)
                .blend(v5.rearrange(ROW_5), PAIR_5).blend(v6.rearrange(ROW_5), PAIR_6)
                .blend(v7.rearrange(ROW_5), PAIR_7).intoArray(rows, at + 5 * rowLength);
        v0.rearrange(ROW_6).blend(v1.rearrange(ROW_6), PAIR_1).blend(v2.rearrange(ROW_6), PAIR_2)
                .blend(v3.rearrange(ROW_6), PAIR_3).blend(v4.rearrange(ROW_6), PAIR_4)
                .blend(v5.rearrange(ROW_6), PAIR_5).blend(v6.rearrange(ROW_6), PAIR_6)
                .blend(v7.rearrange(ROW_6), PAIR_7).intoArray(rows, at + 6 * rowLength);
        v0.rearrange(ROW_7).blend(v1.rearrange(ROW_7), PAIR_1).blend(v2.rearrange(ROW_7), PAIR_2)
                .blend(v3.rearrange(ROW_7), PAIR_3).blend(v4.rearrange(ROW_7), PAIR_4)
                .blend(v5.rearrange(ROW_7), PAIR_5).blend(v6.rearrange(ROW_7), PAIR_6)
                .blend(v7.rearrange(ROW_7), PAIR_7).intoArray(rows, at + 7 * rowLength);
    }

    /** 8 rows of {@code rowLength} lanes from lane {@code at} back to the 16 groups at {@code o}. */
    static void fromRows(float[] rows, int at, int rowLength, float[] groups, int o) {
        int lanes = F.length();
        FloatVector r0 = FloatVector.fromArray(F, rows, at);
        FloatVector r1 = FloatVector.fromArray(F, rows, at + rowLength);
        FloatVector r2 = FloatVector.fromArray(F, rows, at + 2 * rowLength);
        FloatVector r3 = FloatVector.fromArray(F, rows, at + 3 * rowLength);
        FloatVector r4 = FloatVector.fromArray(F, rows, at + 4 * rowLength);
        FloatVector r5 = FloatVector.fromArray(F, rows, at + 5 * rowLength);
        FloatVector r6 = FloatVector.fromArray(F, rows, at + 6 * rowLength);
        FloatVector r7 = FloatVector.fromArray(F, rows, at + 7 * rowLength);
        r0.rearrange(GROUPS_0).blend(r1.rearrange(GROUPS_0), POSITION_1).blend(r2.rearrange(GROUPS_0), POSITION_2)
                .blend(r3.rearrange(GROUPS_0), POSITION_3).blend(r4.rearrange(GROUPS_0), POSITION_4)
                .blend(r5.rearrange(GROUPS_0), POSITION_5).blend(r6.rearrange(GROUPS_0), POSITION_6)
                .blend(r7.rearrange(GROUPS_0), POSITION_7).intoArray(groups, o + 0 * lanes);
        r0.rearrange(GROUPS_1).blend(r1.rearrange(GROUPS_1), POSITION_1).blend(r2.rearrange(GROUPS_1), POSITION_2)
                .blend(r3.rearrange(GROUPS_1), POSITION_3).blend(r4.rearrange(GROUPS_1), POSITION_4)
                .blend(r5.rearrange(GROUPS_1), POSITION_5).blend(r6.rearrange(GROUPS_1), POSITION_6)
                .blend(r7.rearrange(GROUPS_1), POSITION_7).intoArray(groups, o + 1 * lanes);
        r0.rearrange(GROUPS_2).blend(r1.rearrange(GROUPS_2), POSITION_1).blend(r2.rearrange(GROUPS_2), POSITION_2)
                .blend(r3.rearrange(GROUPS_2), POSITION_3).blend(r4.rearrange(GROUPS_2), POSITION_4)
                .blend(r5.rearrange(GROUPS_2), POSITION_5).blend(r6.rearrange(GROUPS_2), POSITION_6)
                .blend(r7.rearrange(GROUPS_2), POSITION_7).intoArray(groups, o + 2 * lanes);
        r0.rearrange(GROUPS_3).blend(r1.rearrange(GROUPS_3), POSITION_1).blend(r2.rearrange(GROUPS_3), POSITION_2)
                .blend(r3.rearrange(GROUPS_3), POSITION_3).blend(r4.rearrange(GROUPS_3), POSITION_4)
                .blend(r5.rearrange(GROUPS_3), POSITION_5).blend(r6.rearrange(GROUPS_3), POSITION_6)
                .blend(r7.rearrange(GROUPS_3), POSITION_7).intoArray(groups, o + 3 * lanes);
        r0.rearrange(GROUPS_4).blend(r1.rearrange(GROUPS_4), POSITION_1).blend(r2.rearrange(GROUPS_4), POSITION_2)
                .blend(r3.rearrange(GROUPS_4), POSITION_3).blend(r4.rearrange(GROUPS_4), POSITION_4)
                .blend(r5.rearrange(GROUPS_4), POSITION_5).blend(r6.rearrange(GROUPS_4), POSITION_6)
                .blend(r7.rearrange(GROUPS_4), POSITION_7).intoArray(groups, o + 4 * lanes);
        r0.rearrange(GROUPS_5).blend(r1.rearrange(GROUPS_5), POSITION_1).blend(r2.rearrange(GROUPS_5), POSITION_2)
                .blend(r3.rearrange(GROUPS_5), POSITION_3).blend(r4.rearrange(GROUPS_5), POSITION_4)
                .blend(r5.rearrange(GROUPS_5), POSITION_5).blend(r6.rearrange(GROUPS_5), POSITION_6)
                .blend(r7.rearrange(GROUPS_5), POSITION_7).intoArray(groups, o + 5 * lanes);
        r0.rearrange(GROUPS_6).blend(r1.rearrange(GROUPS_6), POSITION_1).blend(r2.rearrange(GROUPS_6), POSITION_2)
                .blend(r3.rearrange(GROUPS_6), POSITION_3).blend(r4.rearrange(GROUPS_6), POSITION_4)
                .blend(r5.rearrange(GROUPS_6), POSITION_5).blend(r6.rearrange(GROUPS_6), POSITION_6)
                .blend(r7.rearrange(GROUPS_6), POSITION_7).intoArray(groups, o + 6 * lanes);
        r0.rearrange(GROUPS_7).blend(r1.rearrange(GROUPS_7), POSITION_1).blend(r2.rearrange(GROUPS_7), POSITION_2)
                .blend(r3.rearrange(GROUPS_7), POSITION_3).blend(r4.rearrange(GROUPS_7), POSITION_4)
                .blend(r5.rearrange(GROUPS_7), POSITION_5).blend(r6.rearrange(GROUPS_7), POSITION_6)
                .blend(r7.rearrange(GROUPS_7), POSITION_7).intoArray(groups, o + 7 * lanes);
    }

    /** min(max − x_j, MAX_SPREAD) of the 16 groups at lane offset b of the rows, one row of 16 per position. */
    static void spreads(float[] xs, int b, int rowLength, float[] lane) {
        FloatVector x0 = FloatVector.fromArray(F, xs, b);
        FloatVector x1 = FloatVector.fromArray(F, xs, b + 1 * rowLength);
        FloatVector x2 = FloatVector.fromArray(F, xs, b + 2 * rowLength);
        FloatVector x3 = FloatVector.fromArray(F, xs, b + 3 * rowLength);
        FloatVector x4 = FloatVector.fromArray(F, xs, b + 4 * rowLength);
        FloatVector x5 = FloatVector.fromArray(F, xs, b + 5 * rowLength);
        FloatVector x6 = FloatVector.fromArray(F, xs, b + 6 * rowLength);
        FloatVector x7 = FloatVector.fromArray(F, xs, b + 7 * rowLength);
        FloatVector max = x0.max(x1).max(x2).max(x3).max(x4).max(x5).max(x6).max(x7);
        FloatVector spread = FloatVector.broadcast(F, ChunkMath.MAX_SPREAD);
        max.sub(x0).min(spread).intoArray(lane, 0);
        max.sub(x1).min(spread).intoArray(lane, 16);
        max.sub(x2).min(spread).intoArray(lane, 32);
        max.sub(x3).min(spread).intoArray(lane, 48);
        max.sub(x4).min(spread).intoArray(lane, 64);
        max.sub(x5).min(spread).intoArray(lane, 80);
        max.sub(x6).min(spread).intoArray(lane, 96);
        max.sub(x7).min(spread).intoArray(lane, 112);
    }

    /**
     * The race of 16 groups: keys E_j · exp(max − x_j) from the rows of E (replaced by the keys) and of exp(max − x)
     * (8 rows of 16 each), the N smallest win, ties going to the lower index; 0/1 rows into out at lane offset b.
     */
    static void draw(float[] exponentials, float[] scales, int n, float[] out, int b, int rowLength) {
        FloatVector.fromArray(F, exponentials, 0).mul(FloatVector.fromArray(F, scales, 0))
                .intoArray(exponentials, 0);
        FloatVector.fromArray(F, exponentials, 16).mul(FloatVector.fromArray(F, scales, 16))
                .intoArray(exponentials, 16);
        FloatVector.fromArray(F, exponentials, 32).mul(FloatVector.fromArray(F, scales, 32))
                .intoArray(exponentials, 32);
        FloatVector.fromArray(F, exponentials, 48).mul(FloatVector.fromArray(F, scales, 48))
                .intoArray(exponentials, 48);
        FloatVector.fromArray(F, exponentials, 64).mul(FloatVector.fromArray(F, scales, 64))
                .intoArray(exponentials, 64);
        FloatVector.fromArray(F, exponentials, 80).mul(FloatVector.fromArray(F, scales, 80))
                .intoArray(exponentials, 80);
        FloatVector.fromArray(F, exponentials, 96).mul(FloatVector.fromArray(F, scales, 96))
                .intoArray(exponentials, 96);
        FloatVector.fromArray(F, exponentials, 112).mul(FloatVector.fromArray(F, scales, 112))
                .intoArray(exponentials, 112);
        ranks01(exponentials, n, out, b, rowLength);
        ranks23(exponentials, n, out, b, rowLength);
        ranks45(exponentials, n, out, b, rowLength);
        ranks67(exponentials, n, out, b, rowLength);
    }

    /** Whether positions 0 and 1 are among the N smallest keys, by their ranks (as the general lanes count them). */
    private static void ranks01(float[] keys, int n, float[] out, int b, int rowLength) {
        FloatVector key0 = FloatVector.fromArray(F, keys, 0);
        FloatVector key1 = FloatVector.fromArray(F, keys, 16);
        FloatVector key2 = FloatVector.fromArray(F, keys, 32);
        FloatVector key3 = FloatVector.fromArray(F, keys, 48);
        FloatVector key4 = FloatVector.fromArray(F, keys, 64);
        FloatVector key5 = FloatVector.fromArray(F, keys, 80);
        FloatVector key6 = FloatVector.fromArray(F, keys, 96);
        FloatVector key7 = FloatVector.fromArray(F, keys, 112);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector kept = FloatVector.broadcast(F, n);
        FloatVector rank0 = zero.add(one, key1.compare(VectorOperators.LT, key0))
                .add(one, key2.compare(VectorOperators.LT, key0))
                .add(one, key3.compare(VectorOperators.LT, key0))
                .add(one, key4.compare(VectorOperators.LT, key0))
                .add(one, key5.compare(VectorOperators.LT, key0))
                .add(one, key6.compare(VectorOperators.LT, key0))
                .add(one, key7.compare(VectorOperators.LT, key0));
        zero.blend(one, rank0.compare(VectorOperators.LT, kept)).intoArray(out, b + 0 * rowLength);
        FloatVector rank1 = zero.add(one, key0.compare(VectorOperators.LE, key1))
                .add(one, key2.compare(VectorOperators.LT, key1))
                .add(one, key3.compare(VectorOperators.LT, key1))
                .add(one, key4.compare(VectorOperators.LT, key1))
                .add(one, key5.compare(VectorOperators.LT, key1))
                .add(one, key6.compare(VectorOperators.LT, key1))
                .add(one, key7.compare(VectorOperators.LT, key1));
        zero.blend(one, rank1.compare(VectorOperators.LT, kept)).intoArray(out, b + 1 * rowLength);
    }

    /** Whether positions 2 and 3 are among the N smallest keys, by their ranks (as the general lanes count them). */
    private static void ranks23(float[] keys, int n, float[] out, int b, int rowLength) {
        FloatVector key0 = FloatVector.fromArray(F, keys, 0);
        FloatVector key1 = FloatVector.fromArray(F, keys, 16);
        FloatVector key2 = FloatVector.fromArray(F, keys, 32);
        FloatVector key3 = FloatVector.fromArray(F, keys, 48);
        FloatVector key4 = FloatVector.fromArray(F, keys, 64);
        FloatVector key5 = FloatVector.fromArray(F, keys, 80);
        FloatVector key6 = FloatVector.fromArray(F, keys, 96);
        FloatVector key7 = FloatVector.fromArray(F, keys, 112);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector kept = FloatVector.broadcast(F, n);
        FloatVector rank2 = zero.add(one, key0.compare(VectorOperators.LE, key2))
                .add(one, key1.compare(VectorOperators.LE, key2))
                .add(one, key3.compare(VectorOperators.LT, key2))
                .add(one, key4.compare(VectorOperators.LT, key2))
                .add(one, key5.compare(VectorOperators.LT, key2))
                .add(one, key6.compare(VectorOperators.LT, key2))
                .add(one, key7.compare(VectorOperators.LT, key2));
        zero.blend(one, rank2.compare(VectorOperators.LT, kept)).intoArray(out, b + 2 * rowLength);
        FloatVector rank3 = zero.add(one, key0.compare(VectorOperators.LE, key3))
                .add(one, key1.compare(VectorOperators.LE, key3))
                .add(one, key2.compare(VectorOperators.LE, key3))
                .add(one, key4.compare(VectorOperators.LT, key3))
                .add(one, key5.compare(VectorOperators.LT, key3))
                .add(one, key6.compare(VectorOperators.LT, key3))
                .add(one, key7.compare(VectorOperators.LT, key3));
        zero.blend(one, rank3.compare(VectorOperators.LT, kept)).intoArray(out, b + 3 * rowLength);
    }

    /** Whether positions 4 and 5 are among the N smallest keys, by their ranks (as the general lanes count them). */
    private static void ranks45(float[] keys, int n, float[] out, int b, int rowLength) {
        FloatVector key0 = FloatVector.fromArray(F, keys, 0);
        FloatVector key1 = FloatVector.fromArray(F, keys, 16);
        FloatVector key2 = FloatVector.fromArray(F, keys, 32);
        FloatVector key3 = FloatVector.fromArray(F, keys, 48);
        FloatVector key4 = FloatVector.fromArray(F, keys, 64);
        FloatVector key5 = FloatVector.fromArray(F, keys, 80);
        FloatVector key6 = FloatVector.fromArray(F, keys, 96);
        FloatVector key7 = FloatVector.fromArray(F, keys, 112);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector kept = FloatVector.broadcast(F, n);
        FloatVector rank4 = zero.add(one, key0.compare(VectorOperators.LE, key4))
                .add(one, key1.compare(VectorOperators.LE, key4))
                .add(one, key2.compare(VectorOperators.LE, key4))
                .add(one, key3.compare(VectorOperators.LE, key4))
                .add(one, key5.compare(VectorOperators.LT, key4))
                .add(one, key6.compare(VectorOperators.LT, key4))
                .add(one, key7.compare(VectorOperators.LT, key4));
        zero.blend(one, rank4.compare(VectorOperators.LT, kept)).intoArray(out, b + 4 * rowLength);
        FloatVector rank5 = zero.add(one, key0.compare(VectorOperators.LE, key5))
                .add(one, key1.compare(VectorOperators.LE, key5))
                .add(one, key2.compare(VectorOperators.LE, key5))
                .add(one, key3.compare(VectorOperators.LE, key5))
                .add(one, key4.compare(VectorOperators.LE, key5))
                .add(one, key6.compare(VectorOperators.LT, key5))
                .add(one, key7.compare(VectorOperators.LT, key5));
        zero.blend(one, rank5.compare(VectorOperators.LT, kept)).intoArray(out, b + 5 * rowLength);
    }

    /** Whether positions 6 and 7 are among the N smallest keys, by their ranks (as the general lanes count them). */
    private static void ranks67(float[] keys, int n, float[] out, int b, int rowLength) {
        FloatVector key0 = FloatVector.fromArray(F, keys, 0);
        FloatVector key1 = FloatVector.fromArray(F, keys, 16);
        FloatVector key2 = FloatVector.fromArray(F, keys, 32);
        FloatVector key3 = FloatVector.fromArray(F, keys, 48);
        FloatVector key4 = FloatVector.fromArray(F, keys, 64);
        FloatVector key5 = FloatVector.fromArray(F, keys, 80);
        FloatVector key6 = FloatVector.fromArray(F, keys, 96);
        FloatVector key7 = FloatVector.fromArray(F, keys, 112);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector kept = FloatVector.broadcast(F, n);
        FloatVector rank6 = zero.add(one, key0.compare(VectorOperators.LE, key6))
                .add(one, key1.compare(VectorOperators.LE, key6))
                .add(one, key2.compare(VectorOperators.LE, key6))
                .add(one, key3.compare(VectorOperators.LE, key6))
                .add(one, key4.compare(VectorOperators.LE, key6))
                .add(one, key5.compare(VectorOperators.LE, key6))
                .add(one, key7.compare(VectorOperators.LT, key6));
        zero.blend(one, rank6.compare(VectorOperators.LT, kept)).intoArray(out, b + 6 * rowLength);
        FloatVector rank7 = zero.add(one, key0.compare(VectorOperators.LE, key7))
                .add(one, key1.compare(VectorOperators.LE, key7))
                .add(one, key2.compare(VectorOperators.LE, key7))
                .add(one, key3.compare(VectorOperators.LE, key7))
                .add(one, key4.compare(VectorOperators.LE, key7))
                .add(one, key5.compare(VectorOperators.LE, key7))
                .add(one, key6.compare(VectorOperators.LE, key7));
        zero.blend(one, rank7.compare(VectorOperators.LT, kept)).intoArray(out, b + 7 * rowLength);
    }
}
