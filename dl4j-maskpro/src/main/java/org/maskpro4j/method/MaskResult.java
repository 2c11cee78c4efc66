package org.maskpro4j.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one {@link MaskMethod} produced.
 *
 * @param method           the method's registry name
 * @param masks            {@code [groups, M]} 0/1 mask per weight name, in forward order, already applied to the model;
 *                         held as BYTE whatever type the method gave
 * @param steps            learning steps taken (0 for one-shot methods)
 * @param history          MaskPro's per-step record (empty for the other methods)
 * @param changedFromPrior share of groups whose mask differs from the prior (NaN without a prior)
 * @param weightsUpdated   true when the model now computes with weights other than its dense ones under the mask
 *                         (SparseGPT's update)
 * @param seconds          wall time of the method
 * @param details          what the method reports about itself (e.g. the memory its statistics or state took)
 */
public record MaskResult(String method, Map<String, INDArray> masks, long steps, List<StepRecord> history,
        double changedFromPrior, boolean weightsUpdated, double seconds, Map<String, Object> details) {

    public MaskResult {
        masks = masks instanceof PackedMasks ? masks : Collections.unmodifiableMap(ByteMasks.of(masks)); // packed: read-only
        history = List.copyOf(history);
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A result without details. */
    public MaskResult(String method, Map<String, INDArray> masks, long steps, List<StepRecord> history,
            double changedFromPrior, boolean weightsUpdated, double seconds) {
        this(method, masks, steps, history, changedFromPrior, weightsUpdated, seconds, Map.of());
    }
}
