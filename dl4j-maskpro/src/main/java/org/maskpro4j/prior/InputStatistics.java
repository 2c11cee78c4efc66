package org.maskpro4j.prior;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Streaming statistics of the calibration inputs of one weight, in its row view: rows of {@code X} are samples
 * (tokens, pixel positions), columns follow {@link org.maskpro4j.nm.GroupLayout#toRows}. Sums are kept in DOUBLE
 * so that many batches of FLOAT activations accumulate without drift.
 *
 * <p>Wanda needs only the column sums of squares ({@code K} numbers); SparseGPT needs the Gram matrix
 * {@code XᵀX} ({@code K²} numbers), so it is kept only when asked for.
 */
public final class InputStatistics {
    private final String weightName;
    private final long columns;
    private final INDArray gram;
    private final INDArray columnSquares;
    private long samples;

    private InputStatistics(String weightName, long columns, boolean keepGram) {
        this.weightName = Objects.requireNonNull(weightName, "weightName");
        if (columns <= 0) {
            throw new IllegalArgumentException("Input statistics for weight '" + weightName
                    + "' need a positive column count, got " + columns);
        }
        this.columns = columns;
        this.gram = keepGram ? Nd4j.zeros(DataType.DOUBLE, columns, columns) : null;
        this.columnSquares = Nd4j.zeros(DataType.DOUBLE, columns);
    }

    /** Keeps {@code XᵀX} and the column norms (for SparseGPT). */
    public static InputStatistics withHessian(String weightName, long columns) {
        return new InputStatistics(weightName, columns, true);
    }

    /** Keeps only the column norms (for Wanda), saving the {@code K²} Gram matrix. */
    public static InputStatistics columnNormsOnly(String weightName, long columns) {
        return new InputStatistics(weightName, columns, false);
    }

    /**
     * Adds a batch of calibration inputs.
     *
     * @param rows {@code [n, K]}, n ≥ 1, finite
     * @throws IllegalArgumentException naming the weight when the shape is wrong, the batch is empty or holds NaN/Inf
     */
    public void add(INDArray rows) {
        Objects.requireNonNull(rows, () -> "Calibration inputs for weight '" + weightName + "' are null");
        if (rows.rank() != 2 || rows.size(1) != columns) {
            throw new IllegalArgumentException("Calibration inputs for weight '" + weightName + "' have shape "
                    + Arrays.toString(rows.shape()) + ", expected [samples, " + columns
                    + "] (one row per token/position, columns in GroupLayout.toRows order)");
        }
        if (rows.size(0) == 0) {
            throw new IllegalArgumentException("Calibration inputs for weight '" + weightName + "' are empty (shape "
                    + Arrays.toString(rows.shape()) + "): every calibration batch must yield at least one row");
        }
        if (BooleanIndexing.or(rows, Conditions.isNan()) || BooleanIndexing.or(rows, Conditions.isInfinite())) {
            throw new IllegalArgumentException("Calibration inputs for weight '" + weightName + "' (shape "
                    + Arrays.toString(rows.shape()) + ") contain NaN or infinite values: check the calibration data"
                    + " and the model's activations on it");
        }
        INDArray x = rows.castTo(DataType.DOUBLE);
        if (x.isView() || x.ordering() != 'c') {
            x = x.dup('c');
        }
        if (gram != null) {
            Nd4j.gemm(x, x, gram, true, false, 1.0, 1.0);
        }
        columnSquares.addi(x.mul(x).sum(0));
        samples += x.size(0);
    }

    /**
     * Statistics of every weight of {@code group} from the same passes over {@code calibration}, with the model as it
     * computes now (the caller sets which weights are dense or pruned).
     *
     * @param withHessian keep {@code XᵀX} (SparseGPT, reconstruction) or only the column norms (Wanda)
     * @param what        names the caller in the error message, e.g. "One-shot wanda"
     * @throws IllegalArgumentException when the batches yield no rows (a one-shot iterator passed for a second group)
     */
    public static <B> Map<String, InputStatistics> collect(MaskableModel<B> model, List<MaskableWeight> group,
            Iterable<B> calibration, boolean withHessian, String what) {
        Map<String, InputStatistics> stats = new LinkedHashMap<>();
        for (MaskableWeight weight : group) {
            long k = weight.layout().rowLength();
            stats.put(weight.name(), withHessian ? withHessian(weight.name(), k) : columnNormsOnly(weight.name(), k));
        }
        for (B batch : calibration) {
            Map<String, INDArray> rows = model.inputRows(group, batch);
            for (InputStatistics s : stats.values()) {
                s.add(rows.get(s.weightName()));
            }
        }
        if (stats.values().iterator().next().samples() == 0) {
            throw new IllegalArgumentException(what + ": the calibration batches yielded nothing for"
                    + (group.size() == 1 ? " weight '" + group.get(0).name() + "'" : " weights "
                    + group.stream().map(MaskableWeight::name).toList()) + "; the Iterable is iterated once per calibration"
                    + " group, so pass a List, not a one-shot iterator");
        }
        return stats;
    }

    public String weightName() {
        return weightName;
    }

    public long columns() {
        return columns;
    }

    /** Number of rows added so far. */
    public long samples() {
        return samples;
    }

    public boolean hasHessian() {
        return gram != null;
    }

    /** A fresh {@code [K, K]} DOUBLE matrix {@code 2·XᵀX/n}, the layer-wise Hessian SparseGPT uses. */
    public INDArray hessian() {
        if (gram == null) {
            throw new IllegalStateException("Input statistics of weight '" + weightName
                    + "' keep only column norms; create them with InputStatistics.withHessian for SparseGPT");
        }
        requireSamples();
        return gram.mul(2.0 / samples);
    }

    /** A fresh {@code [K]} DOUBLE vector of {@code ‖X_j‖²}, summed over every row added. */
    public INDArray columnNormsSquared() {
        requireSamples();
        return columnSquares.dup();
    }

    /** Bytes held by the accumulators. */
    public long bytes() {
        long values = columns + (gram == null ? 0 : columns * columns);
        return values * DataType.DOUBLE.width();
    }

    private void requireSamples() {
        if (samples == 0) {
            throw new IllegalStateException("No calibration inputs were added for weight '" + weightName + "'");
        }
    }
}
