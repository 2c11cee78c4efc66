package org.maskpro4j.maskpro;

import java.util.List;
import java.util.Map;

import org.maskpro4j.weights.ByteMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of a MaskPro run: the final masks (BYTE 0/1 {@code [groups, M]} per weight name, {@link
 * org.maskpro4j.weights.PackedMasks} as the learner gives them, already applied to the
 * model), the per-step history, the share of groups whose final mask differs from the prior, the wall time of this
 * invocation, the held-out evaluations (empty when the run had no selection data) and the step whose top-N mask was
 * kept (the best held-out one, or the last step without selection data).
 */
public record MaskProResult(Map<String, INDArray> masks, List<StepRecord> history, long steps,
        double changedFromPrior, double seconds, List<SelectionRecord> selection, long selectedStep) {

    public MaskProResult {
        masks = ByteMasks.of(masks);
    }
}
