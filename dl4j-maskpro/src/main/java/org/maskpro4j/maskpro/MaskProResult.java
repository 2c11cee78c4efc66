package org.maskpro4j.maskpro;

import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of a MaskPro run: the final top-N masks (already applied to the model), the per-step history,
 * the share of groups whose final mask differs from the prior, and the wall time of this invocation.
 */
public record MaskProResult(Map<String, INDArray> masks, List<StepRecord> history, long steps,
        double changedFromPrior, double seconds) {
}
