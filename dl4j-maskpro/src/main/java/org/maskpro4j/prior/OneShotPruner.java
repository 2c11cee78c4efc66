package org.maskpro4j.prior;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link PruneMethod} over a model in forward order, one {@link CalibrationGroups calibration group} at a
 * time: the weights of a group are calibrated on the inputs they see with every earlier group already pruned (and,
 * for SparseGPT, compensated) and their own group still dense, then pruned in the model before the next group is
 * calibrated. Unless the builder says otherwise the groups are the model's own: one weight per group, or one per
 * block for a model that declares blocks, which is the order of the Wanda and SparseGPT reference code on LLMs.
 * Statistics are released after each group, so only one group's statistics are held at a time.
 */
public final class OneShotPruner {
    private static final Logger LOG = LoggerFactory.getLogger(OneShotPruner.class);

    private final PruneMethod method;
    private final CalibrationGroups groups;
    private final SparseGptPruner sparseGpt;

    private OneShotPruner(Builder builder) {
        this.method = Objects.requireNonNull(builder.method, "method");
        this.groups = Objects.requireNonNull(builder.groups, "calibration groups");
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
     * @param calibration batches iterated once per calibration group, so it must be re-iterable (a List); ignored by
     *                    magnitude
     * @throws IllegalArgumentException when a calibrated method gets no batches, weight names repeat, the calibration
     *                                  groups do not list every weight once in forward order, or a batch yields inputs
     *                                  of the wrong shape or with NaN/Inf
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
        List<List<MaskableWeight>> order = groups.resolve(model);
        weights.forEach(MaskableWeight::restoreDense);

        long passStart = System.nanoTime();
        Map<String, INDArray> masks = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        long peakBytes = 0;
        for (List<MaskableWeight> group : order) {
            long calibrationStart = System.nanoTime();
            Map<String, InputStatistics> stats = method.needsCalibration()
                    ? InputStatistics.collect(model, group, calibration, method.needsHessian(), "One-shot " + method)
                    : Map.of();
            // the group's forward passes are shared, so each weight is charged an equal part of them
            double calibrationShare = (System.nanoTime() - calibrationStart) / 1e9 / group.size();
            peakBytes = Math.max(peakBytes, stats.values().stream().mapToLong(InputStatistics::bytes).sum());
            for (MaskableWeight weight : group) {
                long start = System.nanoTime();
                InputStatistics weightStats = stats.get(weight.name());
                masks.put(weight.name(), prune(weight, weightStats));
                double elapsed = calibrationShare + (System.nanoTime() - start) / 1e9;
                seconds.put(weight.name(), elapsed);
                LOG.info("{} {} [{} rows x K={}]: {} calibration rows, {} s", method, weight.name(),
                        weight.layout().rowCount(), weight.layout().rowLength(),
                        weightStats == null ? 0 : weightStats.samples(), String.format("%.3f", elapsed));
            }
        }
        double total = (System.nanoTime() - passStart) / 1e9;
        LOG.info("{}: pruned {} weights in {} calibration groups in {} s (peak statistics {} bytes)", method,
                masks.size(), order.size(), String.format("%.2f", total), peakBytes);
        return new OneShotResult(method, masks, seconds, total, peakBytes);
    }

    /** Computes the mask of one weight and leaves the weight pruned (and, for SparseGPT, compensated) in the model. */
    private INDArray prune(MaskableWeight weight, InputStatistics stats) {
        if (method == PruneMethod.MAGNITUDE) {
            // ranked from the weight's buffer, with no DOUBLE copy of it: the prior's ranking, so the masks are its
            MaskBits bits = MagnitudePrior.bits(weight);
            weight.applyMask(bits);
            return bits.toMask(ByteMasks.TYPE);
        }
        GroupLayout layout = weight.layout();
        INDArray rows = layout.toRows(weight.dense()).castTo(DataType.DOUBLE);
        INDArray mask = method == PruneMethod.WANDA ? WandaPruner.mask(rows, stats.columnNormsSquared(), layout.pattern())
                : applySparseGpt(weight, rows, stats);
        mask = ByteMasks.ofBinary(mask); // TopN's 0/1 mask in the scores' DOUBLE lives for this weight only
        if (method != PruneMethod.SPARSEGPT) {
            weight.applyMask(mask);
        }
        return mask;
    }

    private INDArray applySparseGpt(MaskableWeight weight, INDArray rows, InputStatistics stats) {
        SparseGptPruner.Result result = sparseGpt.prune(weight.name(), rows, stats.hessian(), weight.layout().pattern());
        result.updatedRows().ifPresent(updated ->
                weight.assignLive(weight.layout().fromRows(updated.castTo(weight.dense().dataType()))));
        return result.mask();
    }

    /** Defaults are the SparseGPT reference's: blocks of 128 columns, 1 % dampening. */
    public static final class Builder {
        private final PruneMethod method;
        private int blockSize = 128;
        private double dampening = 0.01;
        private CalibrationGroups groups = CalibrationGroups.declaredByModel();

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

        /**
         * Which weights share calibration passes; {@link CalibrationGroups#declaredByModel()} unless set, and
         * {@link CalibrationGroups#perWeight()} for matrix-sequential calibration whatever the model declares.
         */
        public Builder calibrationGroups(CalibrationGroups groups) {
            this.groups = groups;
            return this;
        }

        public OneShotPruner build() {
            return new OneShotPruner(this);
        }
    }
}
