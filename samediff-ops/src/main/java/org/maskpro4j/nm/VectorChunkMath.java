package org.maskpro4j.nm;

import java.nio.ByteBuffer;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ChunkMath} with one group per SIMD lane: the chunk is transposed to one row per position (structure of
 * arrays), so every step of the math, softmax, gradient, update, uniforms, keys and ranks, is a lanewise operation
 * over 16 groups at a time (AVX-512 floats); only loaded when jdk.incubator.vector is present. Each 16 groups go
 * from softmax to drawn mask in one pass, and exp and log are {@link ChunkMath}'s float polynomials inlined in
 * lanes (the JDK's vector math stubs are calls that spill every live vector).
 *
 * <p>Precision: softmax, the N = 2 closed form (maskpro-spec §1.6(b), as 1 − p_a(1 + o_a/(o_b(o_a + o_b))) with each
 * o = 1 − p summed from the other probabilities: no cancellation, one division), the update and the race run in float; the subset DP (§1.6(e)) runs in float lanes up to
 * N = 4 and in double lanes on the float probabilities above. A block of groups in which any logit or gradient entry
 * comes out NaN or infinite, which float's range reaches before double's (a group spread over more than ~87, or a
 * DP table past float's range), is redone by {@link ScalarChunkMath} in double, which also names the offending group
 * when the input is at fault.
 *
 * <p>JIT notes (JDK 17): a vector held in a local across a call the JIT does not inline, or carried around some
 * loops, is boxed on the heap, which cost up to 2× here; so accumulators live in small scratch arrays and exp and
 * log work on arrays in place. At M = 4, {@link FourPositionLanes} does the same operations written out with the
 * rows in registers (2:4 measured 1.5 times faster); at M = 8 {@link EightPositionLanes} moves between groups and
 * rows and runs the race's ranks, and at N = 4 {@link FourKeptLanes} runs the subset DP, likewise (4:8 measured 1.5
 * times faster). A method whose bytecode is small enough for C2 to inline it into {@link #step} can push that
 * compilation past its inlining budget, and every Vector API call left out of line is then boxed (the 4:8 step
 * measured 1.75 times slower): the M = 8 moves are therefore one large method per direction, which C2 compiles on
 * its own.
 */
final class VectorChunkMath extends ChunkMath {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats with one lane per lane of D, for widening casts. */
    private static final VectorSpecies<Float> H = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));
    /** γ·lane: the SplitMix64 states of consecutive counters differ by γ. */
    private static final long[] GAMMA_STEPS = new long[L.length()];
    /**
     * Groups transposed and processed at a time, so the scratch rows stay in L1 (4 KiB per row set at M = 4; 256 measured
     * about 5 % faster than 1,024 at 4:8); a multiple of the lane count, so the RNG counters of a block start even.
     */
    static final int BLOCK = FusedGroupKernel.ROW_GROUPS;

    static {
        for (int i = 0; i < GAMMA_STEPS.length; i++) {
            GAMMA_STEPS[i] = i * GOLDEN_GAMMA;
        }
    }

    /** Slots of Scratch.acc and Scratch.wideAcc. */
    private static final int ACCUMULATORS = 6;
    private static final int MAX = 0;
    private static final int SUM = 1;
    private static final int FIRST = 2;
    private static final int SECOND = 3;
    private static final int UNKEPT = 4;
    private static final int SEEN = 5;

    /**
     * Whether the subset DP runs in float lanes (16 groups, twice the double lanes' throughput): up to N = 4, where
     * it stays within 1e-6 of the double reference (measured 2.6 times faster at 4:8); at 8:16 float drifts to 3e-6.
     */
    private static final int FLOAT_DP_MAX_N = 4;
    private final ScalarChunkMath fallback;
    /** Whether M = 4 runs the forms of {@link FourPositionLanes}, with the rows of 16 groups in registers. */
    private final boolean fourRows;
    /** Whether M = 8 moves between groups and rows by {@link EightPositionLanes}. */
    private final boolean eightRows;
    /** Whether N = 4 runs the subset DP of {@link FourKeptLanes}, written out in registers. */
    private final boolean fourKept;
    /** 4:8 with {@link FourKeptLanes}, the gathering by rank and the gradient included. */
    private final boolean fourOfEight;
    /** 2:4 with {@link FourPositionLanes}, the closed form included. */
    private final boolean pairsOfFour;
    /** 2:4: the draw is sequential by inverse CDF ({@link ChunkMath}), in any lane count. */
    private final boolean sequentialPairs;
    private final ThreadLocal<Scratch> scratch;

    VectorChunkMath(NmPattern pattern) {
        this(pattern, true);
    }

    /**
     * @param writtenOut whether the forms written out for M = 4 ({@link FourPositionLanes}), M = 8
     *                   ({@link EightPositionLanes}) and N = 4 ({@link FourKeptLanes}) run where they apply; false
     *                   only to test them against the general lanes
     */
    VectorChunkMath(NmPattern pattern, boolean writtenOut) {
        super(pattern);
        if (F.length() != 2 * L.length() || F.vectorBitSize() != L.vectorBitSize()) {
            throw new IllegalStateException("Unexpected vector shapes " + F + ", " + L);
        }
        this.fallback = new ScalarChunkMath(pattern);
        this.fourRows = writtenOut && FourPositionLanes.supported(pattern.m());
        this.eightRows = writtenOut && EightPositionLanes.supported(pattern.m());
        this.fourKept = writtenOut && FourKeptLanes.supported(pattern.n());
        this.fourOfEight = fourKept && pattern.m() == 8;
        this.pairsOfFour = fourRows && pattern.n() == 2;
        this.sequentialPairs = sequentialDraw(pattern);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(pattern));
    }

    @Override
    boolean vectorized() {
        return true;
    }

    /** Per-thread work arrays: one row of {@link #BLOCK} lanes per position, and the DP's tables for N > 2. */
    private static final class Scratch {
        final float[] xs;
        final float[] ks;
        final float[] ps;
        /**
         * Accumulators of 16 lanes each (at 2:4, of a block's lanes each), in memory: a vector carried around a loop in
         * a local is boxed on the heap in some of the JIT's compilations, which costs more than a load and a store
         * from L1.
         */
        final float[] acc = new float[ACCUMULATORS * BLOCK];
        final double[] wideAcc = new double[ACCUMULATORS * D.length()];
        /** NaN once a lane of the block's update is not finite. */
        final float[] nan = new float[F.length()];
        /** One value per position of 16 groups (at 2:4, of the block): exp's argument, then its value. */
        final float[] lane;
        /** The race's keys of 16 groups (the 2:4 draw's uniforms of the block), one row of lanes per position. */
        final float[] keys;
        final double[] probabilities;
        final double[] keptFlags;
        /** Per position, its rank among the kept positions before it. */
        final double[] ranks;
        final double[] kept;
        final double[] unkept;
        final double[] sums;
        final double[] inv;
        final double[] forward;
        final double[] backward;
        final double[] cOut;
        final float[] fRanks;
        final float[] fKept;
        final float[] fSums;
        final float[] fInv;
        final float[] fForward;
        final float[] fBackward;
        final float[] fCOut;

        /** A block's mask bytes on their way to or from {@link #chunk}. */
        final byte[] bytes;
        /** The chunk's logits, mask and drawn mask, for the blocks that {@code step} on buffers copies. */
        private float[][] chunk;

        float[][] chunk(int m) {
            if (chunk == null) {
                chunk = new float[3][FusedGroupKernel.CHUNK_GROUPS * m];
            }
            return chunk;
        }

        Scratch(NmPattern p) {
            int rows = p.m() * BLOCK;
            bytes = new byte[rows];
            xs = new float[rows];
            ks = new float[rows];
            ps = new float[rows];
            int lanes = D.length();
            int subsets = p.n() > 2 ? 1 << p.n() : 0;
            probabilities = new double[p.m() * lanes];
            keptFlags = new double[p.m() * lanes];
            ranks = new double[p.m() * lanes];
            lane = new float[p.m() * BLOCK];
            keys = new float[p.m() * BLOCK];
            kept = new double[p.n() * lanes];
            unkept = new double[lanes];
            sums = new double[subsets * lanes];
            inv = new double[subsets * lanes];
            forward = new double[subsets * lanes];
            backward = new double[subsets * lanes];
            cOut = new double[p.n() * lanes];
            int fl = F.length();
            fRanks = new float[p.m() * fl];
            fKept = new float[p.n() * fl];
            fSums = new float[subsets * fl];
            fInv = new float[subsets * fl];
            fForward = new float[subsets * fl];
            fBackward = new float[subsets * fl];
            fCOut = new float[p.n() * fl];
        }
    }

    @Override
    void step(float[] x, float[] kept, double scale, float range, long chunkSeed, float[] drawn, int count,
            long firstGroup) {
        Scratch s = scratch.get();
        for (int from = 0; from < count; from += BLOCK) {
            stepBlock(s, x, kept, scale, range, chunkSeed, drawn, from, Math.min(count, from + BLOCK), firstGroup);
        }
    }

    /** {@link #step} on the chunk's groups [from, to), at most one block. */
    private void stepBlock(Scratch s, float[] x, float[] kept, double scale, float range, long chunkSeed,
            float[] drawn, int from, int to, long firstGroup) {
        // at M = 4 the rows have the constant stride of FourPositionLanes and the 2:4 draw, a partial block padded
        int rowLength = pattern.m() == 4 ? BLOCK : F.loopBound(to - from + F.length() - 1);
        blockToRows(x, from, to, s.xs, rowLength, 0f);
        if (kept != null) {
            blockToRows(kept, from, to, s.ks, rowLength, -1f);
            FloatVector.zero(F).intoArray(s.nan, 0);
        }
        rowsMath(s, rowLength, kept != null, drawn != null, scale, range, chunkSeed, from, false);
        if (kept != null && notFinite(s.nan)) {
            fallback.step(x, kept, scale, range, chunkSeed, drawn, from, to, firstGroup);
            return;
        }
        if (kept != null) {
            blockFromRows(s.xs, x, from, to, rowLength);
        }
        if (drawn != null) {
            blockFromRows(s.ks, drawn, from, to, rowLength);
        }
    }

    /**
     * {@link #step} on a chunk that lies in the matrices' buffers (logits as FLOATs in native order, masks as 0/1
     * bytes): whole blocks of M = 4 move between the buffers and the rows with no copy of the chunk; a partial block,
     * and a block the scalar fallback redoes, pass through the chunk arrays.
     */
    @Override
    void step(ByteBuffer x, ByteBuffer kept, double scale, float range, long chunkSeed, ByteBuffer drawn, int count,
            long firstGroup) {
        Scratch s = scratch.get();
        int m = pattern.m();
        int first = (int) firstGroup * m; // the chunk's first position: its first mask byte, its first logit
        int at = first * Float.BYTES;
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            if (to - from == BLOCK) {
                for (int g = 0; g < BLOCK; g += F.length()) {
                    FourPositionLanes.toRows(x, at + (from + g) * 4 * Float.BYTES, s.xs, g, BLOCK);
                }
                if (kept != null) {
                    FourPositionLanes.bytesToRows(kept, first + from * 4, s.ks);
                    FloatVector.zero(F).intoArray(s.nan, 0);
                }
                rowsMath(s, BLOCK, kept != null, drawn != null, scale, range, chunkSeed, from, false);
                if (kept == null || !notFinite(s.nan)) {
                    if (kept != null) {
                        for (int g = 0; g < BLOCK; g += F.length()) {
                            FourPositionLanes.fromRows(s.xs, g, BLOCK, x, at + (from + g) * 4 * Float.BYTES);
                        }
                    }
                    if (drawn != null) {
                        FourPositionLanes.rowsToBytes(s.ks, drawn, first + from * 4);
                    }
                    continue;
                }
            }
            float[][] c = s.chunk(m);
            int floats = (to - from) * m;
            int position = first + from * m;
            x.asFloatBuffer().get(position, c[0], from * m, floats);
            if (kept != null) {
                widen(kept, position, s.bytes, c[1], from * m, floats);
            }
            float[] out = drawn == null ? null : c[2];
            if (to - from == BLOCK) {
                fallback.step(c[0], kept == null ? null : c[1], scale, range, chunkSeed, out, from, to, firstGroup);
            } else {
                stepBlock(s, c[0], kept == null ? null : c[1], scale, range, chunkSeed, out, from, to, firstGroup);
            }
            if (kept != null) {
                x.asFloatBuffer().put(position, c[0], from * m, floats);
            }
            if (drawn != null) {
                narrow(c[2], from * m, s.bytes, drawn, position, floats);
            }
        }
    }

    @Override
    boolean stepsRows() {
        return fourRows;
    }

    /**
     * Each block of the chunk in the scratch rows from its logits to its drawn mask: the ascents, their stores and the
     * draw, as {@link #stepBlock} does them in turn on row-major groups. A block whose update is not finite is redone
     * by the scalar fallback from the logits as stored before that ascent, in row-major groups.
     */
    @Override
    void stepRows(FusedGroupKernel.ChunkRows rows, double[] scales, float range, long chunkSeed, boolean draw, int count,
            long firstGroup) {
        Scratch s = scratch.get();
        for (int from = 0; from < count; from += BLOCK) {
            rows.logits(from, s.xs);
            for (int a = 0; a < scales.length; a++) {
                rows.kept(a, from, s.ks);
                FloatVector.zero(F).intoArray(s.nan, 0);
                rowsMath(s, BLOCK, true, false, scales[a], range, chunkSeed, from, false);
                if (notFinite(s.nan)) {
                    ascendInGroups(s, rows, a, scales[a], range, chunkSeed, from, firstGroup);
                }
                rows.store(a, from, s.xs);
            }
            if (draw) {
                rowsMath(s, BLOCK, false, true, 0, range, chunkSeed, from, rows.shifted());
                rows.drawn(from, s.ks);
            }
        }
    }

    /** Ascent {@code a} of the block at {@code from} by the scalar fallback, from and back into the scratch rows. */
    private void ascendInGroups(Scratch s, FusedGroupKernel.ChunkRows rows, int a, double scale, float range,
            long chunkSeed, int from, long firstGroup) {
        float[][] c = s.chunk(pattern.m());
        rows.logits(from, s.xs); // as stored before ascent a: ascent a − 1's store wrote them
        rows.kept(a, from, s.ks);
        blockFromRows(s.xs, c[0], from, from + BLOCK, BLOCK);
        blockFromRows(s.ks, c[1], from, from + BLOCK, BLOCK);
        fallback.step(c[0], c[1], scale, range, chunkSeed, null, from, from + BLOCK, firstGroup);
        blockToRows(c[0], from, from + BLOCK, s.xs, BLOCK, 0f);
    }

    @Override
    boolean readsBuffers() {
        return fourRows;
    }

    /**
     * The math of one block's rows, 16 groups at a time (at 2:4 one stage at a time over the whole block): their rows
     * stay in L1 from the softmax to the drawn mask.
     *
     * @param shifted whether the rows come shifted to max 0 and clamped at {@code -range} (as an update leaves them)
     */
    private void rowsMath(Scratch s, int rowLength, boolean update, boolean draw, double scale, float range,
            long chunkSeed, int from, boolean shifted) {
        // M = 4 branches off here and in blockToRows, so the general lanes' methods run, and are profiled by the JIT,
        // for other patterns only (when 2:4 ran them first, 4:8 measured 5 to 9 % slower). At 2:4 each stage loops
        // over the whole block itself: in a loop of constant stride and bound the JIT checks the Vector API's array
        // indexes once before the loop instead of at every access (measured 15 to 25 % faster than 16 groups at a
        // time through all the stages, the same bits)
        if (update && pairsOfFour) {
            ascendPairsOfFour(s, (float) scale, range);
        }
        for (int b = 0; b < rowLength; b += F.length()) {
            if (update && !pairsOfFour) {
                ascendLanes(s, rowLength, b, (float) scale, range);
            }
            if (draw && !sequentialPairs && (fourRows || eightRows)) {
                raceOfRows(s, rowLength, b, chunkSeed, from);
            } else if (draw && !sequentialPairs) {
                raceLanes(s, rowLength, b, chunkSeed, from);
            }
        }
        if (draw && sequentialPairs) {
            drawPairsOfFour(s, chunkSeed, from, (update || shifted) && range <= MAX_SPREAD);
        }
    }

    /** Whether a lane of {@code nan} is NaN: a mask test, not a lane reduction (which JDK 17 runs slowly). */
    private static boolean notFinite(float[] nan) {
        FloatVector v = FloatVector.fromArray(F, nan, 0);
        return v.compare(VectorOperators.NE, v).anyTrue();
    }

    /** {@link #toRows}, whole blocks of M = 4 and 8 by lane permutations. */
    private void blockToRows(float[] groups, int from, int to, float[] rows, int rowLength, float pad) {
        if (fourRows && to - from == BLOCK) {
            for (int g = 0; g < BLOCK; g += F.length()) {
                FourPositionLanes.toRows(groups, (from + g) * 4, rows, g, rowLength);
            }
        } else if (eightRows && to - from == BLOCK) {
            for (int g = 0; g < BLOCK; g += F.length()) {
                EightPositionLanes.toRows(groups, (from + g) * 8, rows, g, rowLength);
            }
        } else {
            toRows(groups, from, to, rows, rowLength, pad);
        }
    }

    /** {@link #fromRows}, whole blocks of M = 4 and 8 by lane permutations. */
    private void blockFromRows(float[] rows, float[] groups, int from, int to, int rowLength) {
        if (fourRows && to - from == BLOCK) {
            for (int g = 0; g < BLOCK; g += F.length()) {
                FourPositionLanes.fromRows(rows, g, rowLength, groups, (from + g) * 4);
            }
        } else if (eightRows && to - from == BLOCK) {
            for (int g = 0; g < BLOCK; g += F.length()) {
                EightPositionLanes.fromRows(rows, g, rowLength, groups, (from + g) * 8);
            }
        } else {
            fromRows(rows, groups, from, to, rowLength);
        }
    }

    /**
     * Row-major groups to one row per position; lanes past {@code count} are padded with {@code pad}, or, for a mask
     * ({@code pad} negative), with the first N positions kept, so the padding computes harmlessly.
     */
    private void toRows(float[] groups, int from, int to, float[] rows, int rowLength, float pad) {
        int m = pattern.m();
        int count = to - from;
        for (int j = 0; j < m; j++) {
            int r = j * rowLength;
            for (int g = 0, o = from * m + j; g < count; g++, o += m) {
                rows[r + g] = groups[o];
            }
            float fill = pad >= 0 ? pad : j < pattern.n() ? 1f : 0f;
            for (int g = count; g < rowLength; g++) {
                rows[r + g] = fill;
            }
        }
    }

    private void fromRows(float[] rows, float[] groups, int from, int to, int rowLength) {
        int m = pattern.m();
        int count = to - from;
        for (int j = 0; j < m; j++) {
            int r = j * rowLength;
            for (int g = 0, o = from * m + j; g < count; g++, o += m) {
                groups[o] = rows[r + g];
            }
        }
    }

    @Override
    boolean gradient(float[] x, float[] kept, int count, float[] grad) {
        Scratch s = scratch.get();
        for (int from = 0; from < count; from += BLOCK) {
            int to = Math.min(count, from + BLOCK);
            int rowLength = F.loopBound(to - from + F.length() - 1);
            toRows(x, from, to, s.xs, rowLength, 0f);
            toRows(kept, from, to, s.ks, rowLength, -1f);
            for (int b = 0; b < rowLength; b += F.length()) {
                gradientLanes(s, rowLength, b);
            }
            fromRows(s.ps, grad, from, to, rowLength);
        }
        boolean finite = true;
        for (float g : grad) {
            finite &= Float.isFinite(g); // NaN or infinite logits make NaN gradients
        }
        return finite;
    }

    /**
     * The update of the 16 groups at lane offset b of the rows: x ← x − scale·∇ log P(kept), shifted to max 0 and
     * clamped; NaN in {@code s.nan} when a logit or gradient entry is not finite.
     */
    private void ascendLanes(Scratch s, int rowLength, int b, float scale, float range) {
        gradientLanes(s, rowLength, b);
        int m = pattern.m();
        float[] xs = s.xs;
        int lanes = F.length();
        float[] acc = s.acc;
        FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).intoArray(acc, MAX * lanes);
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            FloatVector y = FloatVector.fromArray(F, xs, i).sub(FloatVector.fromArray(F, s.ps, i).mul(scale));
            // NaN from a NaN or infinite logit or gradient entry
            FloatVector.fromArray(F, s.nan, 0).add(y.mul(0f)).intoArray(s.nan, 0);
            y.intoArray(xs, i);
            FloatVector.fromArray(F, acc, MAX * lanes).max(y).intoArray(acc, MAX * lanes);
        }
        FloatVector max = FloatVector.fromArray(F, acc, MAX * lanes);
        FloatVector lowest = FloatVector.broadcast(F, -range);
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            FloatVector.fromArray(F, xs, i).sub(max).max(lowest).intoArray(xs, i);
        }
    }

    /** d log P(kept) / d logits of the 16 groups at lane offset b of the rows of xs and ks into ps. */
    private void gradientLanes(Scratch s, int rowLength, int b) {
        int m = pattern.m();
        float[] xs = s.xs;
        float[] ps = s.ps;
        int lanes = F.length();
        float[] acc = s.acc;
        rowMax(xs, rowLength, b, acc);
        FloatVector max = FloatVector.fromArray(F, acc, MAX * lanes);
        for (int j = 0; j < m; j++) {
            FloatVector.fromArray(F, xs, j * rowLength + b).sub(max).intoArray(s.lane, j * lanes);
        }
        exp(s.lane, m * lanes);
        FloatVector.zero(F).intoArray(acc, SUM * lanes);
        for (int j = 0; j < m; j++) {
            FloatVector.fromArray(F, acc, SUM * lanes).add(FloatVector.fromArray(F, s.lane, j * lanes))
                    .intoArray(acc, SUM * lanes);
        }
        FloatVector inverse = FloatVector.broadcast(F, 1f).div(FloatVector.fromArray(F, acc, SUM * lanes));
        for (int j = 0; j < m; j++) {
            FloatVector.fromArray(F, s.lane, j * lanes).mul(inverse).intoArray(ps, j * rowLength + b);
        }
        if (pattern.n() == 1) { // the gradient of log softmax, 1[j kept] − p_j
            for (int j = 0; j < m; j++) {
                int i = j * rowLength + b;
                FloatVector.fromArray(F, s.ks, i).sub(FloatVector.fromArray(F, ps, i)).intoArray(ps, i);
            }
        } else if (pattern.n() == 2) {
            gradientOfPairs(s, rowLength, b);
        } else if (pattern.n() > 2) {
            if (fourOfEight) {
                subsetGradientFourOfEight(s, rowLength, b);
            } else if (pattern.n() <= FLOAT_DP_MAX_N) {
                subsetGradientFloat(s, rowLength, b);
            } else {
                for (int l = b; l < b + F.length(); l += D.length()) {
                    subsetGradient(s, rowLength, l);
                }
            }
        }
    }

    /** The largest of the 16 groups' logits at lane offset b of the rows, into the MAX slot of acc. */
    private void rowMax(float[] xs, int rowLength, int b, float[] acc) {
        int lanes = F.length();
        FloatVector.fromArray(F, xs, b).intoArray(acc, MAX * lanes);
        for (int j = 1; j < pattern.m(); j++) {
            FloatVector.fromArray(F, acc, MAX * lanes).max(FloatVector.fromArray(F, xs, j * rowLength + b))
                    .intoArray(acc, MAX * lanes);
        }
    }

    /**
     * §1.6(b) for the 16 groups at lane offset b: probabilities in ps are replaced by d log P / d logits. With a, b the
     * kept positions, o_j = 1 − p_j and R = 1/(o_a·o_b·(o_a + o_b)): ∂/∂π_a = 1 − p_a(1 + R·o_a²) (that is 1 −
     * p_a(1 + R'/(1 − p_b)²) with R' = 1/(1/o_a + 1/o_b)), ∂/∂π_c = −p_c(1 + R·(o_a² + o_b²)) for c not kept. Each
     * o_j is summed from the other probabilities (prefix and suffix sums), never 1 − p_j; the sums over the kept
     * positions have two non-zero terms and the pair product one, so any order of addition gives the same bits
     * ({@link FourPositionLanes} adds in another).
     */
    private void gradientOfPairs(Scratch s, int rowLength, int b) {
        int m = pattern.m();
        int lanes = F.length();
        float[] acc = s.acc;
        float[] others = s.lane;
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        zero.intoArray(acc, SUM * lanes);
        for (int j = 0; j < m; j++) { // prefix sums of p before j
            FloatVector prefix = FloatVector.fromArray(F, acc, SUM * lanes);
            prefix.intoArray(others, j * lanes);
            prefix.add(FloatVector.fromArray(F, s.ps, j * rowLength + b)).intoArray(acc, SUM * lanes);
        }
        zero.intoArray(acc, SUM * lanes);
        zero.intoArray(acc, FIRST * lanes);
        zero.intoArray(acc, SECOND * lanes);
        zero.intoArray(acc, UNKEPT * lanes);
        zero.intoArray(acc, SEEN * lanes);
        for (int j = m - 1; j >= 0; j--) { // plus suffix sums of p after j; t_j = k_j·o_j, W_j = t_j·o_j; ΣW, Σt, Σt·t
            int i = j * rowLength + b;
            FloatVector suffix = FloatVector.fromArray(F, acc, SUM * lanes);
            FloatVector o = FloatVector.fromArray(F, others, j * lanes).add(suffix);
            FloatVector.fromArray(F, s.ps, i).add(suffix).intoArray(acc, SUM * lanes);
            FloatVector t = FloatVector.fromArray(F, s.ks, i).mul(o);
            FloatVector w = t.mul(o);
            w.intoArray(others, j * lanes);
            FloatVector.fromArray(F, acc, SECOND * lanes).add(w).intoArray(acc, SECOND * lanes);
            FloatVector tAfter = FloatVector.fromArray(F, acc, FIRST * lanes);
            t.fma(tAfter, FloatVector.fromArray(F, acc, UNKEPT * lanes)).intoArray(acc, UNKEPT * lanes);
            t.add(tAfter).intoArray(acc, FIRST * lanes);
        }
        FloatVector r = one.div(FloatVector.fromArray(F, acc, UNKEPT * lanes)
                .mul(FloatVector.fromArray(F, acc, FIRST * lanes)));
        FloatVector qr = FloatVector.fromArray(F, acc, SECOND * lanes).mul(r);
        r.intoArray(acc, SEEN * lanes);
        qr.intoArray(acc, MAX * lanes);
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            FloatVector k = FloatVector.fromArray(F, s.ks, i);
            FloatVector w = one.sub(k).fma(FloatVector.fromArray(F, acc, MAX * lanes),
                    FloatVector.fromArray(F, others, j * lanes).fma(FloatVector.fromArray(F, acc, SEEN * lanes), one));
            k.sub(FloatVector.fromArray(F, s.ps, i).mul(w)).intoArray(s.ps, i);
        }
    }

    /**
     * §1.6(e) in float lanes for the 16 groups at lane offset b: probabilities in ps are replaced by the gradient. The
     * kept probabilities are gathered lanewise by rank among the kept positions, remaining masses are sums of
     * probabilities (never 1 − p), and each kept position's C_all − C_in[k] is accumulated directly as the weight of
     * the subsets without k, so nothing cancels and float holds the 1e-6 the gradient is tested to.
     */
    private void subsetGradientFloat(Scratch s, int rowLength, int b) {
        int m = pattern.m();
        int n = pattern.n();
        int lanes = F.length();
        int full = (1 << n) - 1;
        float[] ps = s.ps;
        float[] ks = s.ks;
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int k = 0; k < n; k++) {
            zero.intoArray(s.fKept, k * lanes);
        }
        // no vector is carried around a loop that holds another loop: the JIT would box it on the heap on each turn
        float[] acc = s.acc;
        zero.intoArray(acc, UNKEPT * lanes);
        zero.intoArray(s.fRanks, 0);
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            FloatVector p = FloatVector.fromArray(F, ps, i);
            FloatVector isKept = FloatVector.fromArray(F, ks, i);
            FloatVector.fromArray(F, acc, UNKEPT * lanes).add(p.sub(p.mul(isKept))).intoArray(acc, UNKEPT * lanes);
            if (j + 1 < m) {
                FloatVector.fromArray(F, s.fRanks, j * lanes).add(isKept).intoArray(s.fRanks, (j + 1) * lanes);
            }
        }
        FloatVector unkept = FloatVector.fromArray(F, acc, UNKEPT * lanes);
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            FloatVector keptP = FloatVector.fromArray(F, ps, i).mul(FloatVector.fromArray(F, ks, i));
            FloatVector keptRank = FloatVector.fromArray(F, s.fRanks, j * lanes);
            for (int k = 0; k < n; k++) {
                FloatVector.fromArray(F, s.fKept, k * lanes).add(keptP, keptRank.compare(VectorOperators.EQ, k))
                        .intoArray(s.fKept, k * lanes);
            }
        }
        if (fourKept) {
            FourKeptLanes.weights(s.fKept, acc, UNKEPT * lanes, MAX * lanes, SUM * lanes, s.fInv, s.fForward,
                    s.fBackward, s.fCOut);
        } else {
            subsetWeightsFloat(s);
        }
        FloatVector scaledFull = FloatVector.fromArray(F, acc, SUM * lanes);
        FloatVector cAll = FloatVector.fromArray(F, acc, MAX * lanes);
        FloatVector norm = one.div(scaledFull);
        FloatVector outside = cAll.mul(norm).neg();
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            FloatVector p = FloatVector.fromArray(F, ps, i);
            FloatVector isKept = FloatVector.fromArray(F, ks, i);
            FloatVector keptRank = FloatVector.fromArray(F, s.fRanks, j * lanes);
            zero.intoArray(acc, SUM * lanes);
            for (int k = 0; k < n; k++) {
                FloatVector weight = FloatVector.fromArray(F, s.fCOut, k * lanes);
                FloatVector.fromArray(F, acc, SUM * lanes).blend(weight, keptRank.compare(VectorOperators.EQ, k))
                        .intoArray(acc, SUM * lanes);
            }
            FloatVector without = FloatVector.fromArray(F, acc, SUM * lanes);
            FloatVector inKept = one.sub(p.mul(without.mul(norm)));
            inKept.mul(isKept).add(p.mul(outside).mul(one.sub(isKept))).intoArray(ps, i);
        }
    }

    /** {@link #subsetGradientFloat} at 4:8, with {@link FourKeptLanes}. */
    private void subsetGradientFourOfEight(Scratch s, int rowLength, int b) {
        int lanes = F.length();
        FourKeptLanes.gatherOfEight(s.ps, s.ks, b, rowLength, s.fKept, s.acc, UNKEPT * lanes);
        FourKeptLanes.weights(s.fKept, s.acc, UNKEPT * lanes, MAX * lanes, SUM * lanes, s.fInv, s.fForward,
                s.fBackward, s.fCOut);
        FourKeptLanes.gradientOfEight(s.ps, s.ks, b, rowLength, s.fCOut, s.acc, MAX * lanes, SUM * lanes);
    }

    /**
     * The DP tables of §1.6(e) for the 16 groups whose kept probabilities by rank are in s.fKept and unkept mass in
     * the UNKEPT slot: C_out into s.fCOut, C_all into the MAX slot and the scaled P(S) into the SUM slot.
     */
    private void subsetWeightsFloat(Scratch s) {
        int n = pattern.n();
        int lanes = F.length();
        int full = (1 << n) - 1;
        float[] acc = s.acc;
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector unkept = FloatVector.fromArray(F, acc, UNKEPT * lanes);
        float[] sums = s.fSums;
        float[] inv = s.fInv;
        float[] forward = s.fForward;
        float[] backward = s.fBackward;
        zero.intoArray(sums, 0);
        for (int t = 1; t <= full; t++) {
            FloatVector.fromArray(F, sums, (t & (t - 1)) * lanes)
                    .add(FloatVector.fromArray(F, s.fKept, Integer.numberOfTrailingZeros(t) * lanes))
                    .intoArray(sums, t * lanes);
        }
        for (int t = 0; t < full; t++) {
            one.div(FloatVector.fromArray(F, sums, (full ^ t) * lanes).add(unkept)).intoArray(inv, t * lanes);
        }
        FloatVector.fromArray(F, inv, 0).intoArray(forward, 0);
        for (int t = 1; t < full; t++) {
            // a fresh zero, not a vector defined outside the loop nest: that phi was boxed in some compilations
            FloatVector sum = FloatVector.zero(F);
            for (int rest = t; rest != 0; rest &= rest - 1) {
                sum = sum.add(FloatVector.fromArray(F, forward, (t ^ Integer.lowestOneBit(rest)) * lanes));
            }
            sum.mul(FloatVector.fromArray(F, inv, t * lanes)).intoArray(forward, t * lanes);
        }
        zero.intoArray(acc, SUM * lanes);
        for (int k = 0; k < n; k++) {
            FloatVector.fromArray(F, acc, SUM * lanes)
                    .add(FloatVector.fromArray(F, forward, (full ^ (1 << k)) * lanes)).intoArray(acc, SUM * lanes);
            zero.intoArray(s.fCOut, k * lanes);
        }
        one.intoArray(backward, full * lanes);
        for (int t = full - 1; t >= 0; t--) {
            FloatVector sum = FloatVector.zero(F);
            for (int out = full ^ t; out != 0; out &= out - 1) {
                sum = sum.add(FloatVector.fromArray(F, backward, (t | Integer.lowestOneBit(out)) * lanes));
            }
            FloatVector bt = sum.mul(FloatVector.fromArray(F, inv, t * lanes));
            bt.intoArray(backward, t * lanes);
            FloatVector w = FloatVector.fromArray(F, forward, t * lanes).mul(bt);
            w.intoArray(forward, t * lanes); // forward[t] is read only here: it now holds the weight of t
            for (int out = full ^ t; out != 0; out &= out - 1) {
                int k = Integer.numberOfTrailingZeros(out) * lanes;
                FloatVector.fromArray(F, s.fCOut, k).add(w).intoArray(s.fCOut, k);
            }
        }
        zero.intoArray(acc, MAX * lanes);
        for (int t = 0; t < full; t++) {
            FloatVector.fromArray(F, acc, MAX * lanes).add(FloatVector.fromArray(F, forward, t * lanes))
                    .intoArray(acc, MAX * lanes);
        }
    }

    /**
     * §1.6(e) in double lanes for the 8 groups at lane offset b: probabilities in ps are replaced by the gradient. The
     * kept probabilities are gathered lanewise by rank among the kept positions, and each kept position's
     * C_all − C_in[k] is accumulated directly as the weight of the subsets without k, so nothing cancels.
     */
    private void subsetGradient(Scratch s, int rowLength, int b) {
        int m = pattern.m();
        int n = pattern.n();
        int lanes = D.length();
        int full = (1 << n) - 1;
        DoubleVector zero = DoubleVector.zero(D);
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        for (int k = 0; k < n; k++) {
            zero.intoArray(s.kept, k * lanes);
        }
        // widened from half-width float vectors: a cast that keeps the lane count compiles to one instruction on
        // JDK 17 (one that halves a full-width vector does not)
        for (int j = 0; j < m; j++) {
            int i = j * rowLength + b;
            ((DoubleVector) FloatVector.fromArray(H, s.ps, i).convertShape(VectorOperators.F2D, D, 0))
                    .intoArray(s.probabilities, j * lanes);
            ((DoubleVector) FloatVector.fromArray(H, s.ks, i).convertShape(VectorOperators.F2D, D, 0))
                    .intoArray(s.keptFlags, j * lanes);
        }
        // no vector is carried around a loop that holds another loop: the JIT would box it on the heap on each turn
        double[] acc = s.wideAcc;
        zero.intoArray(acc, UNKEPT * lanes);
        zero.intoArray(s.ranks, 0);
        for (int j = 0; j < m; j++) {
            DoubleVector p = DoubleVector.fromArray(D, s.probabilities, j * lanes);
            DoubleVector isKept = DoubleVector.fromArray(D, s.keptFlags, j * lanes);
            DoubleVector.fromArray(D, acc, UNKEPT * lanes).add(p.sub(p.mul(isKept))).intoArray(acc, UNKEPT * lanes);
            if (j + 1 < m) {
                DoubleVector.fromArray(D, s.ranks, j * lanes).add(isKept).intoArray(s.ranks, (j + 1) * lanes);
            }
        }
        DoubleVector unkept = DoubleVector.fromArray(D, acc, UNKEPT * lanes);
        for (int j = 0; j < m; j++) {
            DoubleVector keptP = DoubleVector.fromArray(D, s.probabilities, j * lanes)
                    .mul(DoubleVector.fromArray(D, s.keptFlags, j * lanes));
            DoubleVector keptRank = DoubleVector.fromArray(D, s.ranks, j * lanes);
            for (int k = 0; k < n; k++) {
                DoubleVector.fromArray(D, s.kept, k * lanes).add(keptP, keptRank.compare(VectorOperators.EQ, k))
                        .intoArray(s.kept, k * lanes);
            }
        }
        double[] sums = s.sums;
        double[] inv = s.inv;
        double[] forward = s.forward;
        double[] backward = s.backward;
        zero.intoArray(sums, 0);
        for (int t = 1; t <= full; t++) {
            DoubleVector.fromArray(D, sums, (t & (t - 1)) * lanes)
                    .add(DoubleVector.fromArray(D, s.kept, Integer.numberOfTrailingZeros(t) * lanes))
                    .intoArray(sums, t * lanes);
        }
        for (int t = 0; t < full; t++) {
            one.div(DoubleVector.fromArray(D, sums, (full ^ t) * lanes).add(unkept)).intoArray(inv, t * lanes);
        }
        DoubleVector.fromArray(D, inv, 0).intoArray(forward, 0);
        for (int t = 1; t < full; t++) {
            // the sums in scratch, not in a vector carried by the inner loop: at 8:16 that phi was boxed on every turn
            // (200 bytes per group)
            zero.intoArray(acc, FIRST * lanes);
            for (int rest = t; rest != 0; rest &= rest - 1) {
                DoubleVector.fromArray(D, acc, FIRST * lanes)
                        .add(DoubleVector.fromArray(D, forward, (t ^ Integer.lowestOneBit(rest)) * lanes))
                        .intoArray(acc, FIRST * lanes);
            }
            DoubleVector.fromArray(D, acc, FIRST * lanes).mul(DoubleVector.fromArray(D, inv, t * lanes))
                    .intoArray(forward, t * lanes);
        }
        zero.intoArray(acc, SUM * lanes);
        for (int k = 0; k < n; k++) {
            DoubleVector.fromArray(D, acc, SUM * lanes)
                    .add(DoubleVector.fromArray(D, forward, (full ^ (1 << k)) * lanes)).intoArray(acc, SUM * lanes);
            zero.intoArray(s.cOut, k * lanes);
        }
        DoubleVector scaledFull = DoubleVector.fromArray(D, acc, SUM * lanes);
        one.intoArray(backward, full * lanes);
        for (int t = full - 1; t >= 0; t--) {
            zero.intoArray(acc, FIRST * lanes);
            for (int out = full ^ t; out != 0; out &= out - 1) {
                DoubleVector.fromArray(D, acc, FIRST * lanes)
                        .add(DoubleVector.fromArray(D, backward, (t | Integer.lowestOneBit(out)) * lanes))
                        .intoArray(acc, FIRST * lanes);
            }
            DoubleVector bt = DoubleVector.fromArray(D, acc, FIRST * lanes)
                    .mul(DoubleVector.fromArray(D, inv, t * lanes));
            bt.intoArray(backward, t * lanes);
            DoubleVector w = DoubleVector.fromArray(D, forward, t * lanes).mul(bt);
            w.intoArray(forward, t * lanes); // forward[t] is read only here: it now holds the weight of t
            for (int out = full ^ t; out != 0; out &= out - 1) {
                int k = Integer.numberOfTrailingZeros(out) * lanes;
                DoubleVector.fromArray(D, s.cOut, k).add(w).intoArray(s.cOut, k);
            }
        }
        zero.intoArray(acc, MAX * lanes);
        for (int t = 0; t < full; t++) {
            DoubleVector.fromArray(D, acc, MAX * lanes).add(DoubleVector.fromArray(D, forward, t * lanes))
                    .intoArray(acc, MAX * lanes);
        }
        DoubleVector cAll = DoubleVector.fromArray(D, acc, MAX * lanes);
        DoubleVector norm = one.div(scaledFull);
        DoubleVector outside = cAll.mul(norm).neg();
        for (int j = 0; j < m; j++) {
            DoubleVector p = DoubleVector.fromArray(D, s.probabilities, j * lanes);
            DoubleVector isKept = DoubleVector.fromArray(D, s.keptFlags, j * lanes);
            DoubleVector keptRank = DoubleVector.fromArray(D, s.ranks, j * lanes);
            zero.intoArray(acc, SUM * lanes);
            for (int k = 0; k < n; k++) {
                DoubleVector weight = DoubleVector.fromArray(D, s.cOut, k * lanes);
                DoubleVector.fromArray(D, acc, SUM * lanes).blend(weight, keptRank.compare(VectorOperators.EQ, k))
                        .intoArray(acc, SUM * lanes);
            }
            DoubleVector without = DoubleVector.fromArray(D, acc, SUM * lanes);
            DoubleVector inKept = one.sub(p.mul(without.mul(norm)));
            DoubleVector grad = inKept.mul(isKept).add(p.mul(outside).mul(one.sub(isKept)));
            ((FloatVector) grad.convertShape(VectorOperators.D2F, H, 0)).intoArray(s.ps, j * rowLength + b);
        }
    }

    /** The exponential race of the 16 groups at lane offset b of the rows of xs; the drawn mask goes to ks. */
    private void raceLanes(Scratch s, int rowLength, int b, long chunkSeed, int from) {
        int m = pattern.m();
        float[] xs = s.xs;
        float[] keys = s.keys;
        float[] out = s.ks;
        // no vector is live across the calls of negLog and exp: the JIT boxes such vectors on the heap when it does
        // not inline the call
        FloatVector spread = FloatVector.broadcast(F, MAX_SPREAD);
        int lanes = F.length();
        rowMax(xs, rowLength, b, s.acc);
        FloatVector max = FloatVector.fromArray(F, s.acc, MAX * lanes);
        for (int j = 0; j < m; j++) {
            uniforms(chunkSeed, from + b, j, keys, j * lanes);
            max.sub(FloatVector.fromArray(F, xs, j * rowLength + b)).min(spread).intoArray(s.lane, j * lanes);
        }
        negLog(keys, m * lanes);
        exp(s.lane, m * lanes);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        FloatVector n = FloatVector.broadcast(F, pattern.n());
        for (int j = 0; j < m; j++) {
            FloatVector.fromArray(F, keys, j * lanes).mul(FloatVector.fromArray(F, s.lane, j * lanes))
                    .intoArray(keys, j * lanes);
        }
        for (int j = 0; j < m; j++) {
            FloatVector key = FloatVector.fromArray(F, keys, j * lanes);
            float[] acc = s.acc;
            zero.intoArray(acc, SUM * lanes);
            // ties go to the lower index; the operators must be constants for the JIT to emit SIMD code
            for (int l = 0; l < j; l++) {
                FloatVector other = FloatVector.fromArray(F, keys, l * lanes);
                FloatVector.fromArray(F, acc, SUM * lanes).add(one, other.compare(VectorOperators.LE, key))
                        .intoArray(acc, SUM * lanes);
            }
            for (int l = j + 1; l < m; l++) {
                FloatVector other = FloatVector.fromArray(F, keys, l * lanes);
                FloatVector.fromArray(F, acc, SUM * lanes).add(one, other.compare(VectorOperators.LT, key))
                        .intoArray(acc, SUM * lanes);
            }
            FloatVector rank = FloatVector.fromArray(F, acc, SUM * lanes);
            zero.blend(one, rank.compare(VectorOperators.LT, n)).intoArray(out, j * rowLength + b);
        }
    }

    /** {@link #ascendLanes} at 2:4, with {@link FourPositionLanes}. */
    private void ascendPairsOfFour(Scratch s, float scale, float range) {
        FourPositionLanes.belowMax(s.xs, s.lane);
        exp(s.lane, 4 * BLOCK);
        FourPositionLanes.normalize(s.lane, s.ps);
        FourPositionLanes.ascendPairs(s.xs, s.ks, s.ps, scale, range, s.nan, s.acc);
    }

    /** {@link #raceLanes} at M = 4 and 8, with {@link FourPositionLanes} and {@link EightPositionLanes}. */
    private void raceOfRows(Scratch s, int rowLength, int b, long chunkSeed, int from) {
        int m = pattern.m();
        int lanes = F.length();
        for (int j = 0; j < m; j++) {
            uniforms(chunkSeed, from + b, j, s.keys, j * lanes);
        }
        if (m == 4) {
            FourPositionLanes.spreads(s.xs, b, rowLength, s.lane);
        } else {
            EightPositionLanes.spreads(s.xs, b, rowLength, s.lane);
        }
        negLog(s.keys, m * lanes);
        exp(s.lane, m * lanes);
        if (m == 4) {
            FourPositionLanes.draw(s.keys, s.lane, pattern.n(), s.ks, b, rowLength);
        } else {
            EightPositionLanes.draw(s.keys, s.lane, pattern.n(), s.ks, b, rowLength);
        }
    }

    /**
     * {@link ChunkMath}'s sequential draw at 2:4 for the block's rows of xs (stride {@link #BLOCK}), into ks.
     * {@code shifted}: the rows were just shifted to max 0 and clamped within MAX_SPREAD, so they are their own
     * weights' exponents (x − max is x, the floor changes nothing: the same bits without the pass).
     */
    private void drawPairsOfFour(Scratch s, long chunkSeed, int from, boolean shifted) {
        for (int b = 0; b < BLOCK; b += F.length()) {
            uniforms(chunkSeed, from + b, 0, s.keys, b);
            uniforms(chunkSeed, from + b, 1, s.keys, BLOCK + b);
        }
        if (shifted) {
            exp(s.xs, s.lane, 4 * BLOCK, false);
        } else {
            weightsOfFour(s.xs, s.lane);
            exp(s.lane, s.lane, 4 * BLOCK, false);
        }
        pickPairs(s.lane, s.keys, s.ks);
    }

    /** max(x_j − max, −MAX_SPREAD) of the block's 4 rows, into the same places of lane. */
    private static void weightsOfFour(float[] xs, float[] lane) {
        FloatVector floor = FloatVector.broadcast(F, -MAX_SPREAD);
        for (int b = 0; b < BLOCK; b += F.length()) {
            FloatVector x0 = FloatVector.fromArray(F, xs, b);
            FloatVector x1 = FloatVector.fromArray(F, xs, b + BLOCK);
            FloatVector x2 = FloatVector.fromArray(F, xs, b + 2 * BLOCK);
            FloatVector x3 = FloatVector.fromArray(F, xs, b + 3 * BLOCK);
            FloatVector max = x0.max(x1).max(x2).max(x3);
            x0.sub(max).max(floor).intoArray(lane, b);
            x1.sub(max).max(floor).intoArray(lane, b + BLOCK);
            x2.sub(max).max(floor).intoArray(lane, b + 2 * BLOCK);
            x3.sub(max).max(floor).intoArray(lane, b + 3 * BLOCK);
        }
    }

    /**
     * Two positions of 4 by inverse CDF from the weights e_j (4 rows) and two uniforms (2 rows) of the block: the first
     * where u₁·Σe falls in the running sums, the second likewise among the other three; 0/1 rows into out.
     */
    private static void pickPairs(float[] weights, float[] uniforms, float[] out) {
        // the comparisons as all-ones or zero int lanes, and the choices as bitwise logic on them: the sign of t − c,
        // which for finite floats is set exactly where t < c; JDK 17 keeps a VectorMask in a vector register and
        // converts it for every blend, which measured slower
        int one = Float.floatToRawIntBits(1f);
        for (int b = 0; b < BLOCK; b += F.length()) {
            FloatVector e0 = FloatVector.fromArray(F, weights, b);
            FloatVector e1 = FloatVector.fromArray(F, weights, b + BLOCK);
            FloatVector e2 = FloatVector.fromArray(F, weights, b + 2 * BLOCK);
            FloatVector e3 = FloatVector.fromArray(F, weights, b + 3 * BLOCK);
            FloatVector c1 = e0.add(e1);
            FloatVector c2 = c1.add(e2);
            FloatVector t = FloatVector.fromArray(F, uniforms, b).mul(c2.add(e3));
            IntVector a0 = t.sub(e0).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
            IntVector a1 = t.sub(c1).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
            IntVector a2 = t.sub(c2).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
            IntVector f1 = a1.lanewise(VectorOperators.AND_NOT, a0);
            IntVector f2 = a2.lanewise(VectorOperators.AND_NOT, a1);
            IntVector f3 = a2.not();
            FloatVector r0 = e0.reinterpretAsInts().lanewise(VectorOperators.AND_NOT, a0).reinterpretAsFloats();
            FloatVector d1 = r0.add(e1.reinterpretAsInts().lanewise(VectorOperators.AND_NOT, f1).reinterpretAsFloats());
            FloatVector d2 = d1.add(e2.reinterpretAsInts().lanewise(VectorOperators.AND_NOT, f2).reinterpretAsFloats());
            FloatVector t2 = FloatVector.fromArray(F, uniforms, b + BLOCK)
                    .mul(d2.add(e3.reinterpretAsInts().and(a2).reinterpretAsFloats()));
            IntVector b0 = t2.sub(r0).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
            IntVector b1 = t2.sub(d1).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
            IntVector b2 = t2.sub(d2).reinterpretAsInts().lanewise(VectorOperators.ASHR, 31);
            // past the last sum (rounding) the second is the last position left: 3, or 2 when 3 came first
            IntVector s2 = b2.lanewise(VectorOperators.AND_NOT, b1).or(f3.lanewise(VectorOperators.AND_NOT, b2));
            IntVector s3 = b2.or(f3).not();
            a0.or(b0).and(one).reinterpretAsFloats().intoArray(out, b);
            f1.or(b1.lanewise(VectorOperators.AND_NOT, b0)).and(one).reinterpretAsFloats().intoArray(out, b + BLOCK);
            f2.or(s2).and(one).reinterpretAsFloats().intoArray(out, b + 2 * BLOCK);
            f3.or(s3).and(one).reinterpretAsFloats().intoArray(out, b + 3 * BLOCK);
        }
    }

    /** The uniforms of position j of the 16 groups from chunk group {@code group}, into {@code keys} at {@code at}. */
    private static void uniforms(long chunkSeed, int group, int j, float[] keys, int at) {
        long first = ((long) counter(group, j) >>> 1) + 1;
        LongVector z = LongVector.broadcast(L, chunkSeed + first * GOLDEN_GAMMA)
                .add(LongVector.fromArray(L, GAMMA_STEPS, 0));
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
        FloatVector u = (FloatVector) z.reinterpretAsInts().lanewise(VectorOperators.LSHR, 8)
                .convert(VectorOperators.I2F, 0);
        u.add(0.5f).mul(0x1p-24f).intoArray(keys, at);
    }

    /** {@link ChunkMath#exp} in lanes, the same roundings. */
    private static void exp(float[] a, int length) {
        exp(a, a, length, true);
    }

    /**
     * {@link ChunkMath#exp} of {@code from[0, length)} into the same places of {@code to}; without {@code flush}, for
     * arguments known to be at least {@link #EXP_LOWEST}, the test that flushes lower ones to 0 is left out (same
     * values).
     */
    private static void exp(float[] from, float[] to, int length, boolean flush) {
        FloatVector log2e = FloatVector.broadcast(F, LOG2E);
        FloatVector rounder = FloatVector.broadcast(F, ROUNDER);
        FloatVector ln2High = FloatVector.broadcast(F, -LN2_HIGH);
        FloatVector ln2Low = FloatVector.broadcast(F, -LN2_LOW);
        FloatVector c1 = FloatVector.broadcast(F, EXP_1);
        FloatVector c2 = FloatVector.broadcast(F, EXP_2);
        FloatVector c3 = FloatVector.broadcast(F, EXP_3);
        FloatVector c4 = FloatVector.broadcast(F, EXP_4);
        FloatVector c5 = FloatVector.broadcast(F, EXP_5);
        for (int i = 0; i < length; i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, from, i);
            FloatVector shifted = x.mul(log2e).add(rounder);
            FloatVector rounded = shifted.sub(rounder);
            FloatVector f = rounded.fma(ln2High, x);
            f = rounded.fma(ln2Low, f);
            FloatVector p = FloatVector.broadcast(F, EXP_0).fma(f, c1).fma(f, c2).fma(f, c3).fma(f, c4).fma(f, c5);
            FloatVector y = p.fma(f.mul(f), f).add(1f);
            FloatVector scale = shifted.reinterpretAsInts().sub(ROUNDER_BITS - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y = y.mul(scale);
            if (flush) {
                y = y.blend(0f, x.lt(EXP_LOWEST));
            }
            y.intoArray(to, i);
        }
    }

    /** −{@link ChunkMath#log} in lanes, the same roundings. */
    private static void negLog(float[] a, int length) {
        FloatVector sqrtHalf = FloatVector.broadcast(F, SQRT_HALF);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector c1 = FloatVector.broadcast(F, LOG_1);
        FloatVector c2 = FloatVector.broadcast(F, LOG_2);
        FloatVector c3 = FloatVector.broadcast(F, LOG_3);
        FloatVector c4 = FloatVector.broadcast(F, LOG_4);
        FloatVector c5 = FloatVector.broadcast(F, LOG_5);
        FloatVector c6 = FloatVector.broadcast(F, LOG_6);
        FloatVector c7 = FloatVector.broadcast(F, LOG_7);
        FloatVector c8 = FloatVector.broadcast(F, LOG_8);
        FloatVector ln2High = FloatVector.broadcast(F, LN2_HIGH);
        FloatVector ln2Low = FloatVector.broadcast(F, LN2_LOW);
        FloatVector minusHalf = FloatVector.broadcast(F, -0.5f);
        for (int at = 0; at < length; at += F.length()) {
            IntVector bits = FloatVector.fromArray(F, a, at).reinterpretAsInts();
            FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
            FloatVector e = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126)
                    .convert(VectorOperators.I2F, 0);
            VectorMask<Float> small = m.lt(sqrtHalf);
            m = m.add(m, small).sub(one);
            e = e.sub(one, small);
            FloatVector z = m.mul(m);
            FloatVector y = FloatVector.broadcast(F, LOG_0).fma(m, c1).fma(m, c2).fma(m, c3).fma(m, c4).fma(m, c5)
                    .fma(m, c6).fma(m, c7).fma(m, c8).mul(m).mul(z);
            y = e.fma(ln2Low, y);
            y = z.fma(minusHalf, y);
            e.fma(ln2High, m.add(y)).neg().intoArray(a, at);
        }
    }
}
