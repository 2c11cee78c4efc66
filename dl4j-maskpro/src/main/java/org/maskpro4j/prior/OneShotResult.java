package org.maskpro4j.prior;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.weights.ByteMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a one-shot pruning pass produced.
 *
 * @param method              the method that ran
 * @param masks               per weight name, in forward order: the {@code [groups, M]} BYTE 0/1 mask
 * @param secondsPerWeight    per weight name: wall time of its pruning plus an equal share of its calibration group's
 *                            forward passes (all of them when it is calibrated alone)
 * @param totalSeconds        wall time of the whole pass
 * @param peakStatisticsBytes the largest calibration statistics held at once, summed over one calibration group
 *                            (0 for magnitude)
 */
public record OneShotResult(PruneMethod method, Map<String, INDArray> masks, Map<String, Double> secondsPerWeight,
                            double totalSeconds, long peakStatisticsBytes) {

    public OneShotResult {
        masks = Collections.unmodifiableMap(ByteMasks.of(masks));
        secondsPerWeight = Collections.unmodifiableMap(new LinkedHashMap<>(secondsPerWeight));
    }

    /** The mask of {@code weightName}; the message of an unknown name lists the known ones. */
    public INDArray mask(String weightName) {
        INDArray mask = masks.get(weightName);
        if (mask == null) {
            throw new IllegalArgumentException("No mask for weight '" + weightName + "'; pruned weights: " + masks.keySet());
        }
        return mask;
    }
}
