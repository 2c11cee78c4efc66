package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-group one-hots of the k-th kept position of a strict mask, in ascending column order. They turn "the k-th
 * chosen weight of every group" into whole-matrix ND4J ops, which is what lets the subset math and the mask code
 * loop over k instead of over groups.
 */
final class KeptPositions {
    private KeptPositions() {
    }

    /**
     * @param mask a strict 0/1 {@code [groups, M]} mask in DOUBLE
     * @return N {@code [groups, M]} DOUBLE one-hots; entry k marks each group's (k+1)-th kept column
     */
    static INDArray[] oneHots(INDArray mask, int n) {
        // the running count of kept entries equals k+1 from the k-th kept column up to the next kept one; it is a
        // product with an upper-triangular ones matrix because ND4J M2.1's cumsum(1) costs ~60 us per row
        int m = (int) mask.size(1);
        double[][] upperOnes = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                upperOnes[i][j] = 1;
            }
        }
        INDArray runningCount = mask.mmul(Nd4j.createFromArray(upperOnes));
        INDArray[] oneHots = new INDArray[n];
        for (int k = 0; k < n; k++) {
            oneHots[k] = runningCount.eq(k + 1).castTo(DataType.DOUBLE).muli(mask);
        }
        return oneHots;
    }
}
