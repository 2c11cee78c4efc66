package org.maskpro4j.prior;

import java.util.Arrays;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Wanda (Sun et al. 2023) N:M: keep the N largest {@code |W_ij|·‖X_j‖₂} of every group. */
public final class WandaPruner {
    private WandaPruner() {
    }

    /** The {@code [rows, K]} DOUBLE scores {@code |W_ij|·‖X_j‖₂}. */
    public static INDArray scores(INDArray rows, INDArray columnNormsSquared) {
        long k = rows.size(1);
        if (columnNormsSquared.length() != k) {
            throw new IllegalArgumentException("Wanda: " + columnNormsSquared.length() + " column norms (shape "
                    + Arrays.toString(columnNormsSquared.shape()) + ") for a weight row view of shape "
                    + Arrays.toString(rows.shape()) + "; the calibration statistics must have K=" + k + " columns");
        }
        INDArray norms = Transforms.sqrt(columnNormsSquared.castTo(DataType.DOUBLE), true).reshape(1, k);
        return Transforms.abs(rows.castTo(DataType.DOUBLE), true).muliRowVector(norms);
    }

    /**
     * @param rows               the weight in row view {@code [rows, K]}
     * @param columnNormsSquared {@code ‖X_j‖²} over the calibration rows ({@link InputStatistics#columnNormsSquared})
     * @return the {@code [rows·K/M, M]} DOUBLE 0/1 mask in {@link org.maskpro4j.nm.GroupLayout#toGroups} order
     */
    public static INDArray mask(INDArray rows, INDArray columnNormsSquared, NmPattern pattern) {
        RowView.requireRows(rows, pattern, "Wanda");
        return TopN.mask(RowView.asGroups(scores(rows, columnNormsSquared), pattern), pattern);
    }
}
