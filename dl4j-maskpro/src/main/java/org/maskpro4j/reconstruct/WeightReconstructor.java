package org.maskpro4j.reconstruct;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.prior.CalibrationGroups;
import org.maskpro4j.prior.InputStatistics;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-fits the kept weights of a model under given N:M masks ({@link MaskedLeastSquares}), calibration group by
 * calibration group in forward order, as {@link org.maskpro4j.prior.OneShotPruner} runs SparseGPT: a group's input
 * statistics are taken with its own weights dense and every earlier group already reconstructed, so each layer
 * compensates what the layers before it lost. Works for any mask (a one-shot method's, MaskPro's, MaskLLM's) on any
 * {@link MaskableModel}. The model ends with the reconstructed weights live; the dense copies are kept.
 */
public final class WeightReconstructor {
    private static final Logger LOG = LoggerFactory.getLogger(WeightReconstructor.class);

    private final CalibrationGroups groups;
    private final MaskedLeastSquares solver;

    private WeightReconstructor(Builder b) {
        this.groups = Objects.requireNonNull(b.groups, "calibration groups");
        this.solver = new MaskedLeastSquares(b.dampening, b.tolerance);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param calibration batches, iterated once per calibration group (so a List, not a one-shot iterator)
     * @param masks       per weight name, its {@code [groups, M]} 0/1 mask; every maskable weight needs one
     * @throws IllegalArgumentException naming the weight when a mask is missing or has the wrong shape, or when the
     *                                  calibration is empty or yields bad inputs
     */
    public <B> ReconstructionResult reconstruct(MaskableModel<B> model, Iterable<B> calibration,
            Map<String, INDArray> masks) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(masks, "masks");
        if (calibration == null || !calibration.iterator().hasNext()) {
            throw new IllegalArgumentException("Weight reconstruction needs calibration batches, but none were given");
        }
        List<List<MaskableWeight>> order = groups.resolve(model);
        for (MaskableWeight w : model.weights()) {
            w.applyMask(checkedMask(w, masks.get(w.name())));
        }
        long start = System.nanoTime();
        Map<String, ReconstructionResult.Layer> layers = new LinkedHashMap<>();
        long peakBytes = 0;
        for (List<MaskableWeight> group : order) {
            group.forEach(MaskableWeight::restoreDense);
            Map<String, InputStatistics> stats = InputStatistics.collect(model, group, calibration, true,
                    "Weight reconstruction");
            peakBytes = Math.max(peakBytes, stats.values().stream().mapToLong(InputStatistics::bytes).sum());
            for (MaskableWeight w : group) {
                long t0 = System.nanoTime();
                ReconstructionResult.Layer layer = reconstruct(w, masks.get(w.name()), stats.get(w.name()));
                layers.put(w.name(), layer);
                LOG.info("reconstruct {} [{} rows x K={}]: {} calibration rows, output error {} -> {} ({} CG steps, {} s)",
                        w.name(), w.layout().rowCount(), w.layout().rowLength(), stats.get(w.name()).samples(),
                        String.format("%.4g", layer.errorBefore()), String.format("%.4g", layer.errorAfter()),
                        layer.iterations(), String.format("%.3f", (System.nanoTime() - t0) / 1e9));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("reconstructed {} weights in {} calibration groups in {} s", layers.size(), order.size(),
                String.format("%.2f", seconds));
        return new ReconstructionResult(layers, seconds, peakBytes);
    }

    private ReconstructionResult.Layer reconstruct(MaskableWeight w, INDArray groupMask, InputStatistics stats) {
        GroupLayout layout = w.layout();
        INDArray rows = layout.toRows(w.dense()).castTo(DataType.DOUBLE);
        INDArray keep = groupMask.castTo(DataType.DOUBLE).dup('c').reshape('c', layout.rowCount(), layout.rowLength());
        MaskedLeastSquares.Solution s = solver.solve(w.name(), rows, keep, stats.hessian());
        w.assignLive(layout.fromRows(s.rows().castTo(w.dense().dataType())));
        return new ReconstructionResult.Layer(s.errorBefore(), s.errorAfter(), s.iterations(), s.relativeResidual());
    }

    private static INDArray checkedMask(MaskableWeight w, INDArray mask) {
        long[] expected = {w.layout().groupCount(), w.layout().pattern().m()};
        if (mask == null) {
            throw new IllegalArgumentException("No mask for weight '" + w.name() + "': reconstruction needs the mask of"
                    + " every maskable weight");
        }
        if (!Arrays.equals(mask.shape(), expected)) {
            throw new IllegalArgumentException("Mask of weight '" + w.name() + "' has shape " + Arrays.toString(mask.shape())
                    + ", expected " + Arrays.toString(expected) + " ([groups, M])");
        }
        return mask;
    }

    /** Defaults: SparseGPT's 1 % dampening, the model's own calibration groups, residual below 1e-10. */
    public static final class Builder {
        private double dampening = 0.01;
        private double tolerance = 1e-10;
        private CalibrationGroups groups = CalibrationGroups.declaredByModel();

        private Builder() {
        }

        /** λ as a fraction of mean(diag H); pulls the solution towards the dense weights on the support. */
        public Builder dampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        /** Relative residual at which the per-row solves stop. */
        public Builder tolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        public Builder calibrationGroups(CalibrationGroups groups) {
            this.groups = groups;
            return this;
        }

        public WeightReconstructor build() {
            return new WeightReconstructor(this);
        }
    }
}
