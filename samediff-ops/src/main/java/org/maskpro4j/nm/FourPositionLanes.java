package org.maskpro4j.nm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorChunkMath}'s work on 16 groups for M = 4 (2:4, 1:4, 3:4), written out position by position with the
 * four rows in registers instead of passing through scratch accumulators: the transposition between row-major groups
 * and rows (lane permutations and blends, not 64 scalar moves each way), the softmax, the N = 2 closed form and
 * update, and the race's keys and ranks. Each does the general lanes' operations in the same order, so the results are
 * the same bits (FusedGroupKernelTest checks it). AVX-512 floats only (16 lanes).
 *
 * <p>Each method stays small: C2 on JDK 17 stops inlining the Vector API's methods in a compilation past its node
 * budget (NodeCountInliningCutoff), and a vector passed to a method it did not inline is boxed on the heap (48 to
 * 120 bytes per group, and 2 to 4 times slower, where one form did not fit); so the closed form, for one, is three
 * methods with three vectors of scratch between them.
 */
public final class FourPositionLanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    /** The one bit that tells 1f from 0f: bit 23, the lowest of the exponent. */
    private static final int ONE_BIT = 0x00800000;
    private static final int M = 4;
    /**
     * The lanes of one position's row in VectorChunkMath's scratch rows, a whole block: the 2:4 stages below each loop
     * over it with this constant stride and bound, so the JIT checks their array indexes once before the loop rather
     * than at each of the Vector API's accesses (see VectorChunkMath.rowsMath).
     */
    static final int ROW = VectorChunkMath.BLOCK;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VectorShuffle<Float> ROW_0 = RowShuffles.toRow(M, 0);
    private static final VectorShuffle<Float> ROW_1 = RowShuffles.toRow(M, 1);
    private static final VectorShuffle<Float> ROW_2 = RowShuffles.toRow(M, 2);
    private static final VectorShuffle<Float> ROW_3 = RowShuffles.toRow(M, 3);
    private static final VectorShuffle<Float> GROUPS_0 = RowShuffles.toGroups(M, 0);
    private static final VectorShuffle<Float> GROUPS_1 = RowShuffles.toGroups(M, 1);
    private static final VectorShuffle<Float> GROUPS_2 = RowShuffles.toGroups(M, 2);
    private static final VectorShuffle<Float> GROUPS_3 = RowShuffles.toGroups(M, 3);
    private static final VectorMask<Float> QUARTER_1 = RowShuffles.vectorLanes(M, 1);
    private static final VectorMask<Float> QUARTER_2 = RowShuffles.vectorLanes(M, 2);
    private static final VectorMask<Float> QUARTER_3 = RowShuffles.vectorLanes(M, 3);
    private static final VectorMask<Float> POSITION_1 = RowShuffles.positionLanes(M, 1);
    private static final VectorMask<Float> POSITION_2 = RowShuffles.positionLanes(M, 2);
    private static final VectorMask<Float> POSITION_3 = RowShuffles.positionLanes(M, 3);

    private FourPositionLanes() {
    }

    /** Whether this JVM runs these forms for groups of {@code m}: m = 4 and 16 float lanes. */
    static boolean supported(int m) {
        return m == M && FloatVector.SPECIES_PREFERRED.length() == F.length();
    }

    // toRows and fromRows have the same shape with different shuffles and masks: as one method taking them as
    // arguments, C2 no longer treats them as constants, which measured 10 to 20 % slower at 2:4

    /**
     * The 16 groups at {@code o} to 4 rows of {@code rowLength} lanes, from lane {@code at}; public for the byte
     * logits' encoder (dl4j-maskpro Logit8Lanes), which reads groups as rows too.
     */
    public static void toRows(float[] groups, int o, float[] rows, int at, int rowLength) {
        int lanes = F.length();
        FloatVector v0 = FloatVector.fromArray(F, groups, o);
        FloatVector v1 = FloatVector.fromArray(F, groups, o + lanes);
        FloatVector v2 = FloatVector.fromArray(F, groups, o + 2 * lanes);
        FloatVector v3 = FloatVector.fromArray(F, groups, o + 3 * lanes);
        v0.rearrange(ROW_0).blend(v1.rearrange(ROW_0), QUARTER_1).blend(v2.rearrange(ROW_0), QUARTER_2)
                .blend(v3.rearrange(ROW_0), QUARTER_3).intoArray(rows, at);
        v0.rearrange(ROW_1).blend(v1.rearrange(ROW_1), QUARTER_1).blend(v2.rearrange(ROW_1), QUARTER_2)
                .blend(v3.rearrange(ROW_1), QUARTER_3).intoArray(rows, at + rowLength);
        v0.rearrange(ROW_2).blend(v1.rearrange(ROW_2), QUARTER_1).blend(v2.rearrange(ROW_2), QUARTER_2)
                .blend(v3.rearrange(ROW_2), QUARTER_3).intoArray(rows, at + 2 * rowLength);
        v0.rearrange(ROW_3).blend(v1.rearrange(ROW_3), QUARTER_1).blend(v2.rearrange(ROW_3), QUARTER_2)
                .blend(v3.rearrange(ROW_3), QUARTER_3).intoArray(rows, at + 3 * rowLength);
    }

    /** 4 rows of {@code rowLength} lanes from lane {@code at} back to the 16 groups at {@code o}. */
    static void fromRows(float[] rows, int at, int rowLength, float[] groups, int o) {
        int lanes = F.length();
        FloatVector r0 = FloatVector.fromArray(F, rows, at);
        FloatVector r1 = FloatVector.fromArray(F, rows, at + rowLength);
        FloatVector r2 = FloatVector.fromArray(F, rows, at + 2 * rowLength);
        FloatVector r3 = FloatVector.fromArray(F, rows, at + 3 * rowLength);
        r0.rearrange(GROUPS_0).blend(r1.rearrange(GROUPS_0), POSITION_1).blend(r2.rearrange(GROUPS_0), POSITION_2)
                .blend(r3.rearrange(GROUPS_0), POSITION_3).intoArray(groups, o);
        r0.rearrange(GROUPS_1).blend(r1.rearrange(GROUPS_1), POSITION_1).blend(r2.rearrange(GROUPS_1), POSITION_2)
                .blend(r3.rearrange(GROUPS_1), POSITION_3).intoArray(groups, o + lanes);
        r0.rearrange(GROUPS_2).blend(r1.rearrange(GROUPS_2), POSITION_1).blend(r2.rearrange(GROUPS_2), POSITION_2)
                .blend(r3.rearrange(GROUPS_2), POSITION_3).intoArray(groups, o + 2 * lanes);
        r0.rearrange(GROUPS_3).blend(r1.rearrange(GROUPS_3), POSITION_1).blend(r2.rearrange(GROUPS_3), POSITION_2)
                .blend(r3.rearrange(GROUPS_3), POSITION_3).intoArray(groups, o + 3 * lanes);
    }

    /**
     * {@link #toRows} from the 16 groups at byte {@code at} of a buffer in native order. Written out again rather than
     * sharing the permutations with the array form through a method taking the four vectors: C2 compiles such a
     * method on its own and then boxes the vectors passed to it (see the class comment).
     */
    static void toRows(ByteBuffer groups, int at, float[] rows, int r, int rowLength) {
        int bytes = F.vectorByteSize();
        FloatVector v0 = FloatVector.fromByteBuffer(F, groups, at, ORDER);
        FloatVector v1 = FloatVector.fromByteBuffer(F, groups, at + bytes, ORDER);
        FloatVector v2 = FloatVector.fromByteBuffer(F, groups, at + 2 * bytes, ORDER);
        FloatVector v3 = FloatVector.fromByteBuffer(F, groups, at + 3 * bytes, ORDER);
        v0.rearrange(ROW_0).blend(v1.rearrange(ROW_0), QUARTER_1).blend(v2.rearrange(ROW_0), QUARTER_2)
                .blend(v3.rearrange(ROW_0), QUARTER_3).intoArray(rows, r);
        v0.rearrange(ROW_1).blend(v1.rearrange(ROW_1), QUARTER_1).blend(v2.rearrange(ROW_1), QUARTER_2)
                .blend(v3.rearrange(ROW_1), QUARTER_3).intoArray(rows, r + rowLength);
        v0.rearrange(ROW_2).blend(v1.rearrange(ROW_2), QUARTER_1).blend(v2.rearrange(ROW_2), QUARTER_2)
                .blend(v3.rearrange(ROW_2), QUARTER_3).intoArray(rows, r + 2 * rowLength);
        v0.rearrange(ROW_3).blend(v1.rearrange(ROW_3), QUARTER_1).blend(v2.rearrange(ROW_3), QUARTER_2)
                .blend(v3.rearrange(ROW_3), QUARTER_3).intoArray(rows, r + 3 * rowLength);
    }

    /** {@link #fromRows} into the 16 groups at byte {@code at} of a buffer in native order. */
    static void fromRows(float[] rows, int r, int rowLength, ByteBuffer groups, int at) {
        int bytes = F.vectorByteSize();
        FloatVector r0 = FloatVector.fromArray(F, rows, r);
        FloatVector r1 = FloatVector.fromArray(F, rows, r + rowLength);
        FloatVector r2 = FloatVector.fromArray(F, rows, r + 2 * rowLength);
        FloatVector r3 = FloatVector.fromArray(F, rows, r + 3 * rowLength);
        r0.rearrange(GROUPS_0).blend(r1.rearrange(GROUPS_0), POSITION_1).blend(r2.rearrange(GROUPS_0), POSITION_2)
                .blend(r3.rearrange(GROUPS_0), POSITION_3).intoByteBuffer(groups, at, ORDER);
        r0.rearrange(GROUPS_1).blend(r1.rearrange(GROUPS_1), POSITION_1).blend(r2.rearrange(GROUPS_1), POSITION_2)
                .blend(r3.rearrange(GROUPS_1), POSITION_3).intoByteBuffer(groups, at + bytes, ORDER);
        r0.rearrange(GROUPS_2).blend(r1.rearrange(GROUPS_2), POSITION_1).blend(r2.rearrange(GROUPS_2), POSITION_2)
                .blend(r3.rearrange(GROUPS_2), POSITION_3).intoByteBuffer(groups, at + 2 * bytes, ORDER);
        r0.rearrange(GROUPS_3).blend(r1.rearrange(GROUPS_3), POSITION_1).blend(r2.rearrange(GROUPS_3), POSITION_2)
                .blend(r3.rearrange(GROUPS_3), POSITION_3).intoByteBuffer(groups, at + 3 * bytes, ORDER);
    }

    /**
     * The 0/1 bytes of a block's groups (one per position, row-major groups from byte {@code at} of {@code groups}) to
     * 0/1 floats in the block's 4 rows of {@code rows}: each group's 4 bytes are one int lane (little-endian, so byte j
     * is bits 8j to 8j + 7), position j its byte j sign-extended and converted, what a widening cast gives. No lane
     * permutations, and a quarter of the FLOAT mask's bytes.
     */
    static void bytesToRows(ByteBuffer groups, int at, float[] rows) {
        for (int g = 0; g < ROW; g += F.length()) {
            IntVector v = IntVector.fromByteBuffer(I, groups, at + g * M, ByteOrder.LITTLE_ENDIAN);
            v.lanewise(VectorOperators.LSHL, 24).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    .reinterpretAsFloats().intoArray(rows, g);
            v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    .reinterpretAsFloats().intoArray(rows, g + ROW);
            v.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    .reinterpretAsFloats().intoArray(rows, g + 2 * ROW);
            v.lanewise(VectorOperators.ASHR, 24).convert(VectorOperators.I2F, 0)
                    .reinterpretAsFloats().intoArray(rows, g + 3 * ROW);
        }
    }

    /**
     * The block's 4 rows of 0/1 floats in {@code rows} (a drawn mask) to one byte per position, row-major groups from
     * byte {@code at} of {@code groups}: 1f's bits are 0x3F800000, 0f's none, so bit 23 of position j's lane, moved to
     * bit 8j, is byte j of its group's int lane (little-endian).
     */
    static void rowsToBytes(float[] rows, ByteBuffer groups, int at) {
        for (int g = 0; g < ROW; g += F.length()) {
            IntVector b0 = FloatVector.fromArray(F, rows, g).reinterpretAsInts().and(ONE_BIT)
                    .lanewise(VectorOperators.LSHR, 23);
            IntVector b1 = FloatVector.fromArray(F, rows, g + ROW).reinterpretAsInts().and(ONE_BIT)
                    .lanewise(VectorOperators.LSHR, 15);
            IntVector b2 = FloatVector.fromArray(F, rows, g + 2 * ROW).reinterpretAsInts().and(ONE_BIT)
                    .lanewise(VectorOperators.LSHR, 7);
            IntVector b3 = FloatVector.fromArray(F, rows, g + 3 * ROW).reinterpretAsInts().and(ONE_BIT)
                    .lanewise(VectorOperators.LSHL, 1);
            b0.or(b1).or(b2.or(b3)).intoByteBuffer(groups, at + g * M, ByteOrder.LITTLE_ENDIAN);
        }
    }

    /**
     * VectorChunkMath's gradientOfPairs and update for the block's groups of 2:4, in three parts each small enough for
     * the JIT to keep its vectors in registers (it stops inlining the Vector API's methods in larger ones): the same
     * operations, so the same bits. The rows of ps hold the softmax; R, Q·R and the four W_j of the closed form pass
     * through six rows of {@code acc}.
     */
    static void ascendPairs(float[] xs, float[] ks, float[] ps, float scale, float range, float[] nan,
            float[] acc) {
        pairWeights(ks, ps, acc);
        updatePositions(xs, ks, ps, scale, acc, 0);
        updatePositions(xs, ks, ps, scale, acc, 2);
        shift(xs, range, nan);
    }

    /**
     * With o_j = 1 − p_j summed from the other three probabilities and t_j = k_j·o_j: W_j = t_j·o_j, Q = ΣW (o_a² +
     * o_b²), R = 1/(Σ_{j&lt;l} t_j·t_l · Σt) = 1/(o_a·o_b·(o_a + o_b)) into acc as R, Q·R, W_0..W_3. Each sum over
     * t or W has at most two non-zero terms and the pair product one, so VectorChunkMath's loops, which add in
     * another order, give the same bits.
     */
    private static void pairWeights(float[] ks, float[] ps, float[] acc) {
        for (int b = 0; b < ROW; b += F.length()) {
            FloatVector p0 = FloatVector.fromArray(F, ps, b);
            FloatVector p1 = FloatVector.fromArray(F, ps, b + ROW);
            FloatVector p2 = FloatVector.fromArray(F, ps, b + 2 * ROW);
            FloatVector p3 = FloatVector.fromArray(F, ps, b + 3 * ROW);
            FloatVector s01 = p0.add(p1);
            FloatVector s23 = p2.add(p3);
            FloatVector o0 = p1.add(s23);
            FloatVector o1 = p0.add(s23);
            FloatVector o2 = s01.add(p3);
            FloatVector o3 = s01.add(p2);
            FloatVector t0 = FloatVector.fromArray(F, ks, b).mul(o0);
            FloatVector t1 = FloatVector.fromArray(F, ks, b + ROW).mul(o1);
            FloatVector t2 = FloatVector.fromArray(F, ks, b + 2 * ROW).mul(o2);
            FloatVector t3 = FloatVector.fromArray(F, ks, b + 3 * ROW).mul(o3);
            FloatVector w0 = t0.mul(o0);
            FloatVector w1 = t1.mul(o1);
            FloatVector w2 = t2.mul(o2);
            FloatVector w3 = t3.mul(o3);
            w0.intoArray(acc, b + 2 * ROW);
            w1.intoArray(acc, b + 3 * ROW);
            w2.intoArray(acc, b + 4 * ROW);
            w3.intoArray(acc, b + 5 * ROW);
            FloatVector t23 = t2.add(t3);
            FloatVector pair = t0.fma(t1.add(t23), t1.fma(t23, t2.mul(t3)));
            FloatVector r = FloatVector.broadcast(F, 1f).div(pair.mul(t0.add(t1).add(t23)));
            r.intoArray(acc, b);
            w0.add(w1).add(w2.add(w3)).mul(r).intoArray(acc, b + ROW);
        }
    }

    /**
     * x ← x − scale·∇ log P(kept) for positions j0 and j0 + 1: the gradient of position j is k_j − p_j·w_j with w_j =
     * 1 + R·W_j + (1 − k_j)·Q·R: 1 + R·o_a² = 1 + o_a/(o_b·(o_a + o_b)) for kept a, and 1 + R·Q for the positions
     * not kept (maskpro-spec §1.6(b) with one division instead of three).
     */
    private static void updatePositions(float[] xs, float[] ks, float[] ps, float scale, float[] acc, int j0) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int b = 0; b < ROW; b += F.length()) {
            FloatVector r = FloatVector.fromArray(F, acc, b);
            FloatVector qr = FloatVector.fromArray(F, acc, b + ROW);
            int i = b + j0 * ROW;
            FloatVector k = FloatVector.fromArray(F, ks, i);
            FloatVector w = one.sub(k).fma(qr, FloatVector.fromArray(F, acc, i + 2 * ROW).fma(r, one));
            FloatVector g = k.sub(FloatVector.fromArray(F, ps, i).mul(w));
            FloatVector.fromArray(F, xs, i).sub(g.mul(scale)).intoArray(xs, i);
            i += ROW;
            k = FloatVector.fromArray(F, ks, i);
            w = one.sub(k).fma(qr, FloatVector.fromArray(F, acc, i + 2 * ROW).fma(r, one));
            g = k.sub(FloatVector.fromArray(F, ps, i).mul(w));
            FloatVector.fromArray(F, xs, i).sub(g.mul(scale)).intoArray(xs, i);
        }
    }

    /** NaN into nan where an updated logit is not finite; then each group shifted to max 0 and clamped. */
    private static void shift(float[] xs, float range, float[] nan) {
        FloatVector lowest = FloatVector.broadcast(F, -range);
        for (int b = 0; b < ROW; b += F.length()) {
            FloatVector y0 = FloatVector.fromArray(F, xs, b);
            FloatVector y1 = FloatVector.fromArray(F, xs, b + ROW);
            FloatVector y2 = FloatVector.fromArray(F, xs, b + 2 * ROW);
            FloatVector y3 = FloatVector.fromArray(F, xs, b + 3 * ROW);
            // NaN where a logit is NaN or infinite (or, harmlessly, where the four overflow together)
            FloatVector.fromArray(F, nan, 0).add(y0.add(y1).add(y2).add(y3).mul(0f)).intoArray(nan, 0);
            FloatVector top = y0.max(y1).max(y2).max(y3);
            y0.sub(top).max(lowest).intoArray(xs, b);
            y1.sub(top).max(lowest).intoArray(xs, b + ROW);
            y2.sub(top).max(lowest).intoArray(xs, b + 2 * ROW);
            y3.sub(top).max(lowest).intoArray(xs, b + 3 * ROW);
        }
    }

    /**
     * The race of 16 groups: keys E_j · exp(max − x_j) from the rows of E and of exp(max − x) (4 rows of 16 each),
     * the N smallest win, ties going to the lower index; 0/1 rows into out at lane offset b.
     */
    static void draw(float[] exponentials, float[] scales, int n, float[] out, int b, int rowLength) {
        int lanes = F.length();
        FloatVector key0 = FloatVector.fromArray(F, exponentials, 0).mul(FloatVector.fromArray(F, scales, 0));
        FloatVector key1 = FloatVector.fromArray(F, exponentials, lanes).mul(FloatVector.fromArray(F, scales, lanes));
        FloatVector key2 = FloatVector.fromArray(F, exponentials, 2 * lanes)
                .mul(FloatVector.fromArray(F, scales, 2 * lanes));
        FloatVector key3 = FloatVector.fromArray(F, exponentials, 3 * lanes)
                .mul(FloatVector.fromArray(F, scales, 3 * lanes));
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector kept = FloatVector.broadcast(F, n);
        FloatVector rank0 = zero.add(one, key1.compare(VectorOperators.LT, key0))
                .add(one, key2.compare(VectorOperators.LT, key0)).add(one, key3.compare(VectorOperators.LT, key0));
        FloatVector rank1 = zero.add(one, key0.compare(VectorOperators.LE, key1))
                .add(one, key2.compare(VectorOperators.LT, key1)).add(one, key3.compare(VectorOperators.LT, key1));
        FloatVector rank2 = zero.add(one, key0.compare(VectorOperators.LE, key2))
                .add(one, key1.compare(VectorOperators.LE, key2)).add(one, key3.compare(VectorOperators.LT, key2));
        FloatVector rank3 = zero.add(one, key0.compare(VectorOperators.LE, key3))
                .add(one, key1.compare(VectorOperators.LE, key3)).add(one, key2.compare(VectorOperators.LE, key3));
        zero.blend(one, rank0.compare(VectorOperators.LT, kept)).intoArray(out, b);
        zero.blend(one, rank1.compare(VectorOperators.LT, kept)).intoArray(out, b + rowLength);
        zero.blend(one, rank2.compare(VectorOperators.LT, kept)).intoArray(out, b + 2 * rowLength);
        zero.blend(one, rank3.compare(VectorOperators.LT, kept)).intoArray(out, b + 3 * rowLength);
    }

    /** x_j − max of the block's groups, into the same places of {@code lane}. */
    static void belowMax(float[] xs, float[] lane) {
        for (int b = 0; b < ROW; b += F.length()) {
            FloatVector max = max(xs, b, ROW);
            for (int j = 0; j < M; j++) {
                FloatVector.fromArray(F, xs, b + j * ROW).sub(max).intoArray(lane, b + j * ROW);
            }
        }
    }

    /** The largest of the 4 rows at lane offset b. */
    private static FloatVector max(float[] xs, int b, int rowLength) {
        return FloatVector.fromArray(F, xs, b).max(FloatVector.fromArray(F, xs, b + rowLength))
                .max(FloatVector.fromArray(F, xs, b + 2 * rowLength))
                .max(FloatVector.fromArray(F, xs, b + 3 * rowLength));
    }

    /** The exponentials in {@code lane} (the block's rows) divided by their group's sum, into the rows of ps. */
    static void normalize(float[] lane, float[] ps) {
        for (int b = 0; b < ROW; b += F.length()) {
            FloatVector e0 = FloatVector.fromArray(F, lane, b);
            FloatVector e1 = FloatVector.fromArray(F, lane, b + ROW);
            FloatVector e2 = FloatVector.fromArray(F, lane, b + 2 * ROW);
            FloatVector e3 = FloatVector.fromArray(F, lane, b + 3 * ROW);
            FloatVector inverse = FloatVector.broadcast(F, 1f)
                    .div(FloatVector.zero(F).add(e0).add(e1).add(e2).add(e3));
            e0.mul(inverse).intoArray(ps, b);
            e1.mul(inverse).intoArray(ps, b + ROW);
            e2.mul(inverse).intoArray(ps, b + 2 * ROW);
            e3.mul(inverse).intoArray(ps, b + 3 * ROW);
        }
    }

    /** min(max − x_j, MAX_SPREAD) of the 16 groups at lane offset b of the rows, one row of 16 per position. */
    static void spreads(float[] xs, int b, int rowLength, float[] lane) {
        FloatVector max = max(xs, b, rowLength);
        FloatVector spread = FloatVector.broadcast(F, ChunkMath.MAX_SPREAD);
        for (int j = 0; j < M; j++) {
            max.sub(FloatVector.fromArray(F, xs, b + j * rowLength)).min(spread).intoArray(lane, j * F.length());
        }
    }
}
