package org.maskpro4j.prior;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link PruneMethod} over a model, one weight at a time in forward order, as the Wanda and SparseGPT
 * reference code does: each weight is calibrated on the inputs it sees with every earlier weight already pruned
 * (and, for SparseGPT, already compensated), then pruned in the model before the next weight is calibrated.
 * Statistics are released after each weight, so only one weight's statistics are held at a time.
 */
public final class OneShotPruner {
    private static final Logger LOG = LoggerFactory.getLogger(OneShotPruner.class);

    private final PruneMethod method;
    private final SparseGptPruner sparseGpt;

    private OneShotPruner(Builder builder) {
        this.method = Objects.requireNonNull(builder.method, "method");
        this.sparseGpt = SparseGptPruner.builder().blockSize(builder.blockSize).dampening(builder.dampening)
                .updateWeights(method == PruneMethod.SPARSEGPT).build();
    }

    public static Builder builder(PruneMethod method) {
        return new Builder(method);
    }

    public PruneMethod method() {
        return method;
    }

    /**
     * Prunes every weight of {@code model} in place. All weights are first restored to dense, so a previous mask
     * does not leak into calibration.
     *
     * @param calibration batches iterated once per weight, so it must be re-iterable (a List); ignored by magnitude
     * @throws IllegalArgumentException when a calibrated method gets no batches, weight names repeat, or a batch
     *                                  yields inputs of the wrong shape or with NaN/Inf
     */
    public <B> OneShotResult prune(MaskableModel<B> model, Iterable<B> calibration) {
        Objects.requireNonNull(model, "model");
        List<MaskableWeight> weights = model.weights();
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("One-shot " + method + ": the model has no maskable weights");
        }
        if (method.needsCalibration() && (calibration == null || !calibration.iterator().hasNext())) {
            throw new IllegalArgumentException("One-shot " + method + " needs calibration batches, but none were given;"
                    + " pass a non-empty list of batches (or use magnitude, which needs none)");
        }
        weights.forEach(MaskableWeight::restoreDense);

        long passStart = System.nanoTime();
        Map<String, INDArray> masks = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long peakBytes = 0;
        for (MaskableWeight weight : weights) {
            if (masks.containsKey(weight.name())) {
                throw new IllegalArgumentException("One-shot " + method + ": two weights are named '" + weight.name()
                        + "'; weight names must be unique");
            }
            long start = System.nanoTime();
            GroupLayout layout = weight.layout();
            INDArray rows = layout.toRows(weight.dense()).castTo(DataType.DOUBLE);
            InputStatistics stats = method.needsCalibration() ? collect(model, weight, calibration) : null;
            INDArray mask = switch (method) {
                case MAGNITUDE -> MagnitudePruner.mask(rows, layout.pattern());
                case WANDA -> WandaPruner.mask(rows, stats.columnNormsSquared(), layout.pattern());
                case SPARSEGPT, SPARSEGPT_MASK_ONLY -> applySparseGpt(weight, rows, stats);
            };
            mask = mask.castTo(weight.dense().dataType());
            if (method != PruneMethod.SPARSEGPT) {
                weight.applyMask(mask);
            }
            if (stats != null) {
                peakBytes = Math.max(peakBytes, stats.bytes());
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            masks.put(weight.name(), mask);
            seconds.put(weight.name(), elapsed);
            LOG.info("{} {} [{} rows x K={}]: {} calibration rows, {} s", method, weight.name(), layout.rowCount(),
                    layout.rowLength(), stats == null ? 0 : stats.samples(), String.format("%.3f", elapsed));
        }
        double total = (System.nanoTime() - passStart) / 1e9;
        LOG.info("{}: pruned {} weights in {} s (peak statistics {} bytes)", method, masks.size(),
                String.format("%.2f", total), peakBytes);
        return new OneShotResult(method, masks, seconds, total, peakBytes);
    }

    private INDArray applySparseGpt(MaskableWeight weight, INDArray rows, InputStatistics stats) {
        SparseGptPruner.Result result = sparseGpt.prune(weight.name(), rows, stats.hessian(), weight.layout().pattern());
        result.updatedRows().ifPresent(updated ->
                weight.assignLive(weight.layout().fromRows(updated.castTo(weight.dense().dataType()))));
        return result.mask();
    }

    private <B> InputStatistics collect(MaskableModel<B> model, MaskableWeight weight, Iterable<B> calibration) {
        long k = weight.layout().rowLength();
        InputStatistics stats = method.needsHessian() ? InputStatistics.withHessian(weight.name(), k)
                : InputStatistics.columnNormsOnly(weight.name(), k);
        Iterator<B> batches = calibration.iterator();
        while (batches.hasNext()) {
            stats.add(model.inputRows(weight, batches.next()));
        }
        if (stats.samples() == 0) {
            throw new IllegalArgumentException("One-shot " + method + ": the calibration batches yielded nothing for"
                    + " weight '" + weight.name() + "'; the Iterable is iterated once per weight, so pass a List,"
                    + " not a one-shot iterator");
        }
        return stats;
    }

    /** Defaults are the SparseGPT reference's: blocks of 128 columns, 1 % dampening. */
    public static final class Builder {
        private final PruneMethod method;
        private int blockSize = 128;
        private double dampening = 0.01;

        private Builder(PruneMethod method) {
            this.method = method;
        }

        /** SparseGPT's lazy-update block, in columns; a multiple of every weight's M. */
        public Builder blockSize(int blockSize) {
            this.blockSize = blockSize;
            return this;
        }

        /** SparseGPT's λ as a fraction of mean(diag H). */
        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        public OneShotPruner build() {
            return new OneShotPruner(this);
        }
    }
}
