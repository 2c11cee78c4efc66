package org.maskpro4j.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The prior a learner started from: its name, its masks (held as bits, {@link PackedMasks}, whatever type they were given in: a pipeline keeps its prior through
 * the whole run, at 1/8 byte per position; reading one decodes a BYTE copy), and the
 * held-out metrics measured with it applied (null when not measured). Passing one to
 * {@link MaskPipeline.Builder#prior(ChosenPrior)} reuses it without recomputing.
 */
public record ChosenPrior(String name, Map<String, INDArray> masks, Map<String, Object> heldOut) {

    public ChosenPrior {
        masks = PackedMasks.of(masks);
        heldOut = heldOut == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(heldOut));
    }
}
