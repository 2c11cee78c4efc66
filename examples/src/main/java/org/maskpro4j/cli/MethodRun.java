package org.maskpro4j.cli;

import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.StepRecord;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What one pruning method produced: final masks (already applied to the model), steps taken and history. */
public record MethodRun(String method, Map<String, INDArray> masks, long steps, List<StepRecord> history, double seconds) {
}
