package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every strict mask of one N:M group, as the rows of a {@code [K, M]} matrix S with K = C(M, N) (MaskLLM's
 * candidate set, maskpro-spec §4.1). Rows follow Python's {@code itertools.combinations(range(M), N)} order,
 * which is the order of the official MaskLLM code, so gate index k means the same candidate here and there:
 * for 2:4 the rows are 1100, 1010, 1001, 0110, 0101, 0011.
 */
public final class Candidates {
    /** C(16, 8): the largest candidate set of any pattern {@link NmPattern} accepts. */
    public static final long MAX_COUNT = 12_870;

    private Candidates() {
    }

    /** K = C(M, N), the number of candidate masks of one group. */
    public static long count(NmPattern pattern) {
        return pattern.combinations();
    }

    /** The {@code [K, M]} FLOAT 0/1 candidate matrix, exactly N ones per row, rows in lexicographic order. */
    public static INDArray of(NmPattern pattern) {
        long k = count(pattern);
        if (k > MAX_COUNT) {
            throw new IllegalArgumentException("Pattern " + pattern + " has " + k + " candidate masks per group, more than "
                    + MAX_COUNT + ": a gate per candidate is not feasible; choose a smaller M");
        }
        int n = pattern.n();
        int m = pattern.m();
        float[] rows = new float[Math.toIntExact(k * m)];
        int[] kept = new int[n];
        for (int i = 0; i < n; i++) {
            kept[i] = i;
        }
        for (int row = 0; row < k; row++) {
            for (int i = 0; i < n; i++) {
                rows[row * m + kept[i]] = 1f;
            }
            advance(kept, m);
        }
        return Nd4j.create(rows, new long[] {k, m}, DataType.FLOAT);
    }

    /** Next combination in lexicographic order: bump the rightmost index that can move, reset the ones after it. */
    private static void advance(int[] kept, int m) {
        int n = kept.length;
        int i = n - 1;
        while (i >= 0 && kept[i] == m - n + i) {
            i--;
        }
        if (i < 0) {
            return;
        }
        kept[i]++;
        for (int j = i + 1; j < n; j++) {
            kept[j] = kept[j - 1] + 1;
        }
    }
}
