package org.maskpro4j.cli;

import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.SelectionRecord;
import org.maskpro4j.maskpro.StepRecord;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one pruning method produced: final masks (already applied to the model), steps taken, history, and MaskPro's
 * held-out evaluations with the step whose mask was kept (empty and equal to {@code steps} without selection data).
 */
public record MethodRun(String method, Map<String, INDArray> masks, long steps, List<StepRecord> history, double seconds,
        List<SelectionRecord> selection, long selectedStep) {
    MethodRun(String method, Map<String, INDArray> masks, long steps, List<StepRecord> history, double seconds) {
        this(method, masks, steps, history, seconds, List.of(), steps);
    }
}
