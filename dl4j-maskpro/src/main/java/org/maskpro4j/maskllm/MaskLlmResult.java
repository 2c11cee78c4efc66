package org.maskpro4j.maskllm;

import java.util.List;
import java.util.Map;

import org.maskpro4j.weights.ByteMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of a MaskLLM run: the final strict masks (BYTE 0/1 {@code [groups, M]} per weight name, already applied
 * to the model), the per-step history, the wall time, and {@code stateBytes}: what the learner holds while it trains
 * (gates, the two Adam moments, and the step's relaxed choice ỹ and soft mask M̃), for memory comparisons.
 */
public record MaskLlmResult(Map<String, INDArray> masks, List<MaskLlmStepRecord> history, long steps, double seconds,
        long stateBytes) {

    public MaskLlmResult {
        masks = ByteMasks.of(masks);
    }
}
