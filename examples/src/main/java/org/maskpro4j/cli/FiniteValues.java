package org.maskpro4j.cli;

import java.nio.file.Path;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * NaN and infinite values are refused where they enter: in data, before ND4J's evaluation turns them into a stack
 * trace, and in a model's weights when it is loaded, before a one-shot method ranks NaN scores into a mask that
 * breaks N:M.
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

    /** @param model how the message names the model: its file, or what it was built from */
    static void requireFiniteWeights(Map<String, INDArray> weights, String model) {
        weights.forEach((name, w) -> {
            if (!allFinite(w)) {
                throw new UserError("Model " + model + ": weight " + name + " holds NaN or infinite values, so it can be"
                        + " neither evaluated nor pruned; the model file is damaged or its training diverged");
            }
        });
    }
}
