package org.maskpro4j.prior;

import java.util.Map;

import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where MaskPro starts: an initial strict N:M mask m₀ for every maskable weight of a model. Calibration-free
 * priors ignore {@code calibration}. Implementations only compute masks: they leave the model computing with its
 * dense weights, as they found it.
 */
public interface MaskPrior {

    /** Short name used in logs, reports and the CLI ("magnitude", "wanda", …). */
    String name();

    /**
     * @return a {@code [groups, M]} 0/1 mask per weight name, packed as bits ({@link org.maskpro4j.weights.PackedMasks}:
     *         a learner reads them without an array, and a caller holding them through a run holds 1/8 byte per
     *         position); reading one gives a fresh BYTE copy ({@link org.maskpro4j.weights.ByteMasks})
     */
    <B> Map<String, INDArray> masks(MaskableModel<B> model, Iterable<B> calibration);
}
