package org.maskpro4j.reconstruct;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a reconstruction pass did.
 *
 * @param layers              per weight name, in forward order
 * @param seconds             wall time, calibration passes included
 * @param peakStatisticsBytes the largest input statistics held at once (one calibration group's Hessians)
 */
public record ReconstructionResult(Map<String, Layer> layers, double seconds, long peakStatisticsBytes) {

    public ReconstructionResult {
        layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /**
     * One weight: relative output error {@code ‖X(W' − W)‖² / ‖XW‖²} on its calibration inputs with the mask-only
     * weights (before) and the reconstructed ones (after), and how the solver converged.
     */
    public record Layer(double errorBefore, double errorAfter, int iterations, double relativeResidual) {
    }

    /** Mean over weights of the relative output error before and after, {@code [before, after]}. */
    public double[] meanErrors() {
        double before = layers.values().stream().mapToDouble(Layer::errorBefore).average().orElse(0);
        double after = layers.values().stream().mapToDouble(Layer::errorAfter).average().orElse(0);
        return new double[] {before, after};
    }
}
