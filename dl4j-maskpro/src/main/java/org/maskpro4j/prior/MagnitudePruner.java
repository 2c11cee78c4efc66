package org.maskpro4j.prior;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Magnitude pruning: keep the N largest |W| of every group; no calibration data. */
public final class MagnitudePruner {
    private MagnitudePruner() {
    }

    /**
     * @param rows the weight in row view {@code [rows, K]}, K a multiple of M
     * @return the {@code [rows·K/M, M]} DOUBLE 0/1 mask, groups in {@link org.maskpro4j.nm.GroupLayout#toGroups} order
     */
    public static INDArray mask(INDArray rows, NmPattern pattern) {
        RowView.requireRows(rows, pattern, "magnitude");
        INDArray scores = Transforms.abs(rows.castTo(DataType.DOUBLE), true);
        return TopN.mask(RowView.asGroups(scores, pattern), pattern);
    }
}
