package org.maskpro4j.prior;

import java.util.Arrays;

import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shape rules shared by the pruners that work on a weight's {@code [rows, K]} row view. */
final class RowView {
    private RowView() {
    }

    static void requireRows(INDArray rows, NmPattern pattern, String method) {
        if (rows.rank() != 2 || rows.size(0) == 0 || rows.size(1) == 0 || rows.size(1) % pattern.m() != 0) {
            throw new IllegalArgumentException(method + ": the weight's row view has shape "
                    + Arrays.toString(rows.shape()) + ", expected a non-empty [rows, K] matrix with K a multiple of M="
                    + pattern.m() + " (use GroupLayout.toRows)");
        }
    }

    /**
     * Rows of K split into K/M consecutive groups: in row-major order this is exactly the group order of
     * {@link org.maskpro4j.nm.GroupLayout#toGroups}, because toRows is toGroups reshaped.
     */
    static INDArray asGroups(INDArray rowMatrix, NmPattern pattern) {
        return rowMatrix.dup('c').reshape('c', rowMatrix.length() / pattern.m(), pattern.m());
    }
}
