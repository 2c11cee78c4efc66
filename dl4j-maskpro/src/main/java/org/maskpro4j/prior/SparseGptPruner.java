package org.maskpro4j.prior;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * SparseGPT (Frantar &amp; Alistarh 2023), N:M variant as in the official {@code fasterprune}: with
 * {@code H = 2XᵀX/n} and {@code U} the upper Cholesky factor of {@code (H + λI)⁻¹}, columns are visited left to
 * right in blocks; at the start of every group of M columns each row keeps the N largest {@code w²/U_jj²} of that
 * group (w already updated by the columns before), and after each column the OBS update spreads the pruning error
 * over the columns to its right. Every step is vectorised over rows; Java loops run over columns only.
 *
 * <p>With {@link Builder#updateWeights(boolean) updateWeights(false)} only the mask is returned, to be applied to
 * the original dense weights (the prior MaskPro starts from); the masks are the same either way.
 */
public final class SparseGptPruner {
    private final int blockSize;
    private final double dampening;
    private final boolean updateWeights;

    private SparseGptPruner(Builder builder) {
        if (builder.blockSize <= 0) {
            throw new IllegalArgumentException("SparseGPT block size must be positive, got " + builder.blockSize);
        }
        if (!(builder.dampening >= 0) || Double.isInfinite(builder.dampening)) {
            throw new IllegalArgumentException("SparseGPT dampening must be a finite fraction >= 0 of mean(diag H), got "
                    + builder.dampening);
        }
        this.blockSize = builder.blockSize;
        this.dampening = builder.dampening;
        this.updateWeights = builder.updateWeights;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int blockSize() {
        return blockSize;
    }

    public double dampening() {
        return dampening;
    }

    public boolean updateWeights() {
        return updateWeights;
    }

    /**
     * Prunes one weight.
     *
     * @param weightName names the weight in errors
     * @param rows       the weight in row view {@code [rows, K]} (not modified)
     * @param hessian    {@code [K, K]} {@code 2XᵀX/n} ({@link InputStatistics#hessian()}; not modified)
     * @throws IllegalArgumentException naming the weight for bad shapes, a block size that is not a multiple of M,
     *                                  or a Hessian that stays singular after dampening
     */
    public Result prune(String weightName, INDArray rows, INDArray hessian, NmPattern pattern) {
        Objects.requireNonNull(weightName, "weightName");
        RowView.requireRows(rows, pattern, "SparseGPT, weight '" + weightName + "'");
        long rowCount = rows.size(0);
        long k = rows.size(1);
        int m = pattern.m();
        if (hessian.rank() != 2 || hessian.size(0) != k || hessian.size(1) != k) {
            throw new IllegalArgumentException("SparseGPT, weight '" + weightName + "': Hessian has shape "
                    + Arrays.toString(hessian.shape()) + ", expected [" + k + ", " + k + "] for row view "
                    + Arrays.toString(rows.shape()));
        }
        if (blockSize % m != 0) {
            throw new IllegalArgumentException("SparseGPT, weight '" + weightName + "': block size " + blockSize
                    + " is not a multiple of M=" + m + " (pattern " + pattern + "), so a group would straddle two"
                    + " blocks; choose a block size such as " + (blockSize / m + 1) * m);
        }

        INDArray w = rows.castTo(DataType.DOUBLE).dup('c');
        INDArray h = hessian.castTo(DataType.DOUBLE).dup('c');
        // a column no calibration row ever touched has no curvature: fix its diagonal and drop its weights
        INDArray dead = Nd4j.diag(h).eq(0.0).castTo(DataType.DOUBLE);
        h.addi(Nd4j.diag(dead));
        w.muliRowVector(dead.rsub(1.0).reshape(1, k));
        double damp = dampening * Nd4j.diag(h).meanNumber().doubleValue();
        h.addi(Nd4j.diag(Nd4j.ones(DataType.DOUBLE, k).muli(damp)));
        INDArray hinv = UpperCholesky.factorOfInverse(h, "SparseGPT: the damped Hessian of weight '" + weightName + "'",
                "raise the dampening (now " + dampening + ") or calibrate on more or more varied samples");

        INDArray keep = Nd4j.zeros(DataType.DOUBLE, rowCount, k);
        for (long start = 0; start < k; start += blockSize) {
            long end = Math.min(start + blockSize, k);
            pruneBlock(w, hinv, keep, start, end, pattern);
        }
        INDArray mask = RowView.asGroups(keep, pattern);
        return new Result(mask, updateWeights ? w : null);
    }

    /**
     * Prunes columns [start, end) of w in place and records the kept entries in keep. The OBS updates are applied
     * lazily at two levels: a group of M columns receives the updates of the block's earlier columns only when it
     * is reached (one product), and the columns after the block receive all of the block's updates at its end.
     */
    private static void pruneBlock(INDArray w, INDArray hinv, INDArray keep, long start, long end, NmPattern pattern) {
        int m = pattern.m();
        long count = end - start;
        long k = w.size(1);
        INDArray block = w.get(NDArrayIndex.all(), NDArrayIndex.interval(start, end)).dup('c');
        INDArray hinvBlock = hinv.get(NDArrayIndex.interval(start, end), NDArrayIndex.interval(start, end)).dup('c');
        INDArray d = Nd4j.diag(hinvBlock).reshape(1, count);
        INDArray errors = Nd4j.zeros(DataType.DOUBLE, w.size(0), count);
        for (long g = 0; g < count; g += m) {
            INDArray group = block.get(NDArrayIndex.all(), NDArrayIndex.interval(g, g + m)).dup('c');
            if (g > 0) {
                group.subi(errors.get(NDArrayIndex.all(), NDArrayIndex.interval(0, g))
                        .mmul(hinvBlock.get(NDArrayIndex.interval(0, g), NDArrayIndex.interval(g, g + m))));
            }
            INDArray groupD = d.get(NDArrayIndex.all(), NDArrayIndex.interval(g, g + m));
            INDArray groupKeep = TopN.mask(group.mul(group).diviRowVector(groupD.mul(groupD)), pattern);
            // error of column c = (w_c − q_c)/d_c = w_c·(1 − keep_c)/d_c, with w_c updated by the columns before it
            INDArray dropOverD = groupKeep.rsub(1.0).diviRowVector(groupD);
            for (int c = 0; c < m - 1; c++) {
                INDArray error = group.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1))
                        .mul(dropOverD.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1)));
                group.get(NDArrayIndex.all(), NDArrayIndex.interval(c + 1, m)).subi(error.mmul(
                        hinvBlock.get(NDArrayIndex.interval(g + c, g + c + 1), NDArrayIndex.interval(g + c + 1, g + m))));
            }
            errors.get(NDArrayIndex.all(), NDArrayIndex.interval(g, g + m)).assign(group.mul(dropOverD));
            block.get(NDArrayIndex.all(), NDArrayIndex.interval(g, g + m)).assign(group.muli(groupKeep));
            keep.get(NDArrayIndex.all(), NDArrayIndex.interval(start + g, start + g + m)).assign(groupKeep);
        }
        w.get(NDArrayIndex.all(), NDArrayIndex.interval(start, end)).assign(block);
        if (end < k) {
            w.get(NDArrayIndex.all(), NDArrayIndex.interval(end, k))
                    .subi(errors.mmul(hinv.get(NDArrayIndex.interval(start, end), NDArrayIndex.interval(end, k))));
        }
    }

    /** The outcome for one weight. */
    public static final class Result {
        private final INDArray mask;
        private final INDArray updatedRows;

        private Result(INDArray mask, INDArray updatedRows) {
            this.mask = mask;
            this.updatedRows = updatedRows;
        }

        /** {@code [rows·K/M, M]} DOUBLE 0/1, groups in {@link org.maskpro4j.nm.GroupLayout#toGroups} order. */
        public INDArray mask() {
            return mask;
        }

        /** The pruned and compensated weights in row view (zero where the mask is 0); empty when mask only. */
        public Optional<INDArray> updatedRows() {
            return Optional.ofNullable(updatedRows);
        }
    }

    /** Defaults are the reference's: blocks of 128 columns, 1 % dampening, with the weight update. */
    public static final class Builder {
        private int blockSize = 128;
        private double dampening = 0.01;
        private boolean updateWeights = true;

        private Builder() {
        }

        /** Columns per lazy-update block; must be a multiple of M. */
        public Builder blockSize(int blockSize) {
            this.blockSize = blockSize;
            return this;
        }

        /** λ as a fraction of mean(diag H), added to H's diagonal. */
        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        /** True: return SparseGPT's compensated weights; false: masks only. */
        public Builder updateWeights(boolean updateWeights) {
            this.updateWeights = updateWeights;
            return this;
        }

        public SparseGptPruner build() {
            return new SparseGptPruner(this);
        }
    }
}
