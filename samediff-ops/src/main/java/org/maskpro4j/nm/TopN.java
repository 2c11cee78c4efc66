package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Top-N selection per group of a {@code [groups, M]} score matrix, as ND4J ops vectorised over groups.
 *
 * <p>The rank of entry j is the number of entries that beat it (larger, or equal with a lower index), so ties
 * break towards the lower index and the result is deterministic on every backend. All M×M comparisons of a
 * chunk of groups are one broadcast op, so the op count does not grow with M or the number of groups.
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
        INDArray ranks = Nd4j.create(s.dataType(), groups, m);
        INDArray beatenOnTie = lowerIndexBeats(s.dataType(), m);
        long chunk = Math.max(1, CHUNK_ELEMENTS / ((long) m * m));
        for (long start = 0; start < groups; start += chunk) {
            long end = Math.min(groups, start + chunk);
            INDArray part = s.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
            ranks.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(chunkRanks(part, beatenOnTie));
        }
        return ranks;
    }

    /** Elements of the [groups, M, M] comparison tensor built at once; bounds memory for large M and many groups. */
    private static final long CHUNK_ELEMENTS = 1L << 22;

    /** [g, j, k] compares entry k (the challenger) with entry j of group g. */
    private static INDArray chunkRanks(INDArray s, INDArray beatenOnTie) {
        long g = s.size(0);
        long m = s.size(1);
        INDArray challengers = s.reshape(g, 1, m).broadcast(g, m, m);
        INDArray entries = s.reshape(g, m, 1).broadcast(g, m, m);
        INDArray wins = challengers.gt(entries).castTo(s.dataType());
        INDArray ties = challengers.eq(entries).castTo(s.dataType()).muli(beatenOnTie.broadcast(g, m, m));
        return wins.addi(ties).sum(2);
    }

    /** [1, M, M] with 1 where k < j: an equal entry at a lower index wins the tie. */
    private static INDArray lowerIndexBeats(DataType type, int m) {
        INDArray tri = Nd4j.zeros(type, 1, m, m);
        for (int j = 0; j < m; j++) {
            for (int k = 0; k < j; k++) {
                tri.putScalar(0, j, k, 1);
            }
        }
        return tri;
    }

    static void requireGroups(INDArray groups, NmPattern pattern) {
        if (groups.rank() != 2 || groups.size(1) != pattern.m()) {
            throw new IllegalArgumentException("Expected a [groups, " + pattern.m() + "] matrix for pattern " + pattern
                    + ", got shape " + java.util.Arrays.toString(groups.shape()));
        }
    }
}
