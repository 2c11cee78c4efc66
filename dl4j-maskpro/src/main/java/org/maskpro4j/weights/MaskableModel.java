package org.maskpro4j.weights;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model seen as what mask learning needs: its maskable weights, a forward-only loss, and the inputs each
 * weight multiplies (for calibration-based priors). One adapter per model kind (MultiLayerNetwork,
 * ComputationGraph, SameDiff graph); the learner, priors, MaskLLM and export work only through this.
 *
 * @param <B> the model's minibatch type (a DataSet, a MultiDataSet, a map of placeholders …)
 */
public interface MaskableModel<B> {

    /** Weights in forward order (so sequential calibration can go layer by layer). */
    List<MaskableWeight> weights();

    /** Mean loss of the model with its current live weights on {@code batch}; forward only, no gradients kept. */
    double loss(B batch);

    /**
     * The inputs {@code weight} multiplies on {@code batch}, as a {@code [rows, K]} matrix whose columns follow
     * {@link org.maskpro4j.nm.GroupLayout#toRows} (every token / pixel position is one row).
     */
    INDArray inputRows(MaskableWeight weight, B batch);

    /**
     * {@link #inputRows(MaskableWeight, Object)} of several weights on one batch, keyed by weight name. Models
     * that can read all of them from one forward pass override this; by default each weight is asked for in turn.
     */
    default Map<String, INDArray> inputRows(List<MaskableWeight> weights, B batch) {
        Map<String, INDArray> rows = new LinkedHashMap<>();
        for (MaskableWeight w : weights) {
            rows.put(w.name(), inputRows(w, batch));
        }
        return rows;
    }

    /**
     * Names of the weights that one-shot pruners calibrate together, in forward order (see
     * {@link org.maskpro4j.prior.CalibrationGroups}): each group takes its input statistics with all its weights dense
     * and every earlier group pruned. By default one weight per group, so each weight is calibrated on the inputs it
     * sees once every earlier weight is pruned; a model made of repeated blocks (a transformer) returns one group per
     * block, as the Wanda and SparseGPT reference code calibrates.
     */
    default List<List<String>> calibrationGroups() {
        return weights().stream().map(w -> List.of(w.name())).toList();
    }

    /** Weights of the model that stay dense, each with its reason (shown to users by verify and reports). */
    default List<String> skipped() {
        return List.of();
    }

    /**
     * A key equal for batches whose loss under a fixed mask is equal (the same examples, in any order), so the
     * prior mask's loss can be cached instead of recomputed; null disables the cache for this batch.
     */
    default String batchKey(B batch) {
        return null;
    }
}
