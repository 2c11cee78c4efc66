package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.GreaterThanOrEqual;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Top-N selection per group of a {@code [groups, M]} score matrix, as ND4J ops vectorised over groups.
 *
 * <p>The rank of entry j is the number of entries that beat it (larger, or equal with a lower index), so ties
 * break towards the lower index and the result is deterministic on every backend. Ranking takes one pass per
 * position k, comparing entry k with the entries left of it ("greater") and right of it ("greater or equal") in all
 * groups at once, so the op count grows with M only. Groups are ranked in chunks, transposed to one row per position
 * so that every comparison reads and writes contiguous memory, with the temporaries in a reused workspace. Measured
 * on a million groups, one thread: one {@code [groups, M, M]} comparison tensor in fresh arrays ranked about 30 times
 * slower, comparing the strided columns in place 2 to 3 times slower.
 */
public final class TopN {
    /** Bound on the scratch one chunk allocates. */
    private static final long SCRATCH_BYTES = 16L << 20;
    /**
     * Per-thread scratch arena reused from chunk to chunk: fresh off-heap buffers would cost more than the comparisons
     * done in them. It is released at the end of each call: kept, it held its 16 MB for the rest of the process (a
     * MaskPro run's whole learning, where the magnitude prior had ranked once).
     */
    private static final WorkspaceConfiguration SCRATCH = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
            .policySpill(SpillPolicy.REALLOCATE).build();
    private static final String SCRATCH_ID = "maskpro4j-top-n";
    /** Exact for ranks up to 2^24, far above M; half the traffic of DOUBLE. */
    private static final DataType RANK_TYPE = DataType.FLOAT;

    private TopN() {
    }

    /** A {@code [groups, M]} 0/1 mask (in the scores' floating type) keeping the N highest scores of each group. */
    public static INDArray mask(INDArray scores, NmPattern pattern) {
        return mask(scores, pattern, floatingType(scores));
    }

    /** As {@link #mask(INDArray, NmPattern)}, with the mask in {@code type}. */
    static INDArray mask(INDArray scores, NmPattern pattern, DataType type) {
        requireGroups(scores, pattern);
        INDArray mask = Nd4j.create(type, scores.size(0), pattern.m());
        rankInChunks(scores,
                (rows, ranks) -> mask.get(rows, NDArrayIndex.all()).assign(ranks.lt(pattern.n()).castTo(type)));
        return mask;
    }

    /** Per-entry rank within its group: 0 for the best, M-1 for the worst; in the scores' floating type, else DOUBLE. */
    public static INDArray ranks(INDArray scores) {
        DataType type = scores.dataType().isFPType() ? scores.dataType() : DataType.DOUBLE;
        INDArray ranks = Nd4j.create(type, scores.size(0), scores.size(1));
        rankInChunks(scores, (rows, chunkRanks) -> ranks.get(rows, NDArrayIndex.all()).assign(chunkRanks));
        return ranks;
    }

    /** The type masks and ranks come in: the scores' own if floating, else FLOAT. */
    static DataType floatingType(INDArray scores) {
        return scores.dataType().isFPType() ? scores.dataType() : DataType.FLOAT;
    }

    /** Receives the ranks of one chunk of rows; they live in scratch memory that is reused after the call. */
    private interface ChunkSink {
        void accept(INDArrayIndex rows, INDArray ranks);
    }

    private static void rankInChunks(INDArray scores, ChunkSink sink) {
        long groups = scores.size(0);
        long m = scores.size(1);
        // per group: 5 bytes per comparison (BOOL result and its FLOAT copy), about 24 per position for chunk copies
        long chunk = Math.max(1, SCRATCH_BYTES / ((5 * m + 24) * m));
        MemoryWorkspace arena = null;
        try {
            for (long start = 0; start < groups; start += chunk) {
                INDArrayIndex rows = NDArrayIndex.interval(start, Math.min(groups, start + chunk));
                try (MemoryWorkspace scratch = Nd4j.getWorkspaceManager().getAndActivateWorkspace(SCRATCH, SCRATCH_ID)) {
                    arena = scratch;
                    INDArray byPosition = scores.get(rows, NDArrayIndex.all()).transpose().dup('c');
                    if (!byPosition.dataType().isFPType()) {
                        byPosition = byPosition.castTo(DataType.DOUBLE); // integer scores are compared in double, as before
                    }
                    sink.accept(rows, positionRanks(byPosition).transpose());
                }
            }
        } finally {
            if (arena != null) {
                Nd4j.getWorkspaceManager().destroyWorkspace(arena);
            }
        }
    }

    /** Ranks of a chunk laid out {@code [M, rows]}: row k holds position k of every group. */
    private static INDArray positionRanks(INDArray byPosition) {
        int m = (int) byPosition.size(0);
        INDArray ranks = Nd4j.zeros(RANK_TYPE, m, byPosition.size(1));
        for (int k = 0; k < m; k++) {
            INDArray challenger = byPosition.get(NDArrayIndex.interval(k, k + 1), NDArrayIndex.all());
            if (k > 0) {
                INDArrayIndex lower = NDArrayIndex.interval(0, k);
                INDArray beats = challenger.gt(byPosition.get(lower, NDArrayIndex.all()));
                ranks.get(lower, NDArrayIndex.all()).addi(beats.castTo(RANK_TYPE));
            }
            if (k < m - 1) {
                INDArrayIndex higher = NDArrayIndex.interval(k + 1, m);
                INDArray beats = greaterOrEqual(challenger, byPosition.get(higher, NDArrayIndex.all()));
                ranks.get(higher, NDArrayIndex.all()).addi(beats.castTo(RANK_TYPE));
            }
        }
        return ranks;
    }

    /** {@code row >= block}, broadcasting the {@code [1, n]} row (INDArray has no gte of two arrays). */
    private static INDArray greaterOrEqual(INDArray row, INDArray block) {
        INDArray out = Nd4j.createUninitialized(DataType.BOOL, block.shape());
        return Nd4j.exec(new GreaterThanOrEqual(new INDArray[] {row, block}, new INDArray[] {out}))[0];
    }

    static void requireGroups(INDArray groups, NmPattern pattern) {
        if (groups.rank() != 2 || groups.size(1) != pattern.m()) {
            throw new IllegalArgumentException("Expected a [groups, " + pattern.m() + "] matrix for pattern " + pattern
                    + ", got shape " + java.util.Arrays.toString(groups.shape()));
        }
    }
}
