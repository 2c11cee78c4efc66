package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Top-N selection per group of a {@code [groups, M]} score matrix, as ND4J ops vectorised over groups.
 *
 * <p>The rank of entry j is the number of entries that beat it (larger, or equal with a lower index), so ties
 * break towards the lower index and the result is deterministic on every backend. The loop runs over the M
 * columns, never over groups.
 */
public final class TopN {
    private TopN() {
    }

    /** A {@code [groups, M]} 0/1 mask (in the scores' floating type) keeping the N highest scores of each group. */
    public static INDArray mask(INDArray scores, NmPattern pattern) {
        requireGroups(scores, pattern);
        INDArray ranks = ranks(scores);
        DataType type = scores.dataType().isFPType() ? scores.dataType() : DataType.FLOAT;
        return ranks.lt(pattern.n()).castTo(type);
    }

    /** Per-entry rank within its group: 0 for the best, M-1 for the worst. */
    public static INDArray ranks(INDArray scores) {
        long groups = scores.size(0);
        int m = (int) scores.size(1);
        INDArray s = scores.dataType().isFPType() ? scores : scores.castTo(DataType.DOUBLE);
        INDArray ranks = Nd4j.zeros(s.dataType(), groups, m);
        for (int k = 0; k < m; k++) {
            INDArray column = s.get(NDArrayIndex.all(), NDArrayIndex.interval(k, k + 1)).repeat(1, m);
            ranks.addi(column.gt(s).castTo(s.dataType()));
            if (k < m - 1) {
                // an equal entry at a lower index k beats every j > k
                INDArray laterPositions = Nd4j.zeros(s.dataType(), 1, m);
                laterPositions.get(NDArrayIndex.point(0), NDArrayIndex.interval(k + 1, m)).assign(1);
                ranks.addi(column.eq(s).castTo(s.dataType()).mulRowVector(laterPositions));
            }
        }
        return ranks;
    }

    static void requireGroups(INDArray groups, NmPattern pattern) {
        if (groups.rank() != 2 || groups.size(1) != pattern.m()) {
            throw new IllegalArgumentException("Expected a [groups, " + pattern.m() + "] matrix for pattern " + pattern
                    + ", got shape " + java.util.Arrays.toString(groups.shape()));
        }
    }
}
