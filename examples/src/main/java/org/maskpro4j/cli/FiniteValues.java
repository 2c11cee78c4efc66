package org.maskpro4j.cli;

import java.nio.file.Path;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * NaN and infinite values are refused where they enter: in data, before ND4J's evaluation turns them into a stack
 * trace, and in the weights to prune, before a one-shot method ranks NaN scores into a mask that breaks N:M.
 */
final class FiniteValues {
    private FiniteValues() {
    }

    static boolean allFinite(INDArray a) {
        return !a.dataType().isFPType()
                || !BooleanIndexing.or(a, Conditions.isNan()) && !BooleanIndexing.or(a, Conditions.isInfinite());
    }

    /** @param what such as "features" or "labels" */
    static void requireFiniteData(INDArray values, String what, Path file) {
        if (!allFinite(values)) {
            throw new UserError("Data " + file + " holds NaN or infinite values in its " + what + ": clean or drop those"
                    + " examples (every feature and label must be a finite number)");
        }
    }

    static void requireFiniteWeights(MaskableModel<?> model, String modelFile) {
        for (MaskableWeight w : model.weights()) {
            if (!allFinite(w.dense())) {
                throw new UserError("Model " + modelFile + ": weight " + w.name() + " holds NaN or infinite values, so no"
                        + " mask can rank it; the model file is damaged or its training diverged");
            }
        }
    }
}
