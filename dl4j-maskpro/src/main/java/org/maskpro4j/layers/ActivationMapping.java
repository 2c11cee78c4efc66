package org.maskpro4j.layers;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Activations inside the MaskPro layers' SameDiff graphs, kept numerically identical to DL4J's own layers.
 *
 * <p>M2.1's {@link Activation#asSameDiff} lacks several activations (RELU6, SELU, SWISH, MISH, …) and gets
 * LEAKYRELU wrong (alpha 0, i.e. plain ReLU, where DL4J's LEAKYRELU uses 0.01). So LEAKYRELU is emitted here with
 * DL4J's alpha, and an activation is accepted only after its graph output was checked against DL4J's
 * {@link IActivation} on a fixed input (once per activation per JVM).
 */
final class ActivationMapping {
    private static final Map<Activation, Boolean> AGREES = new ConcurrentHashMap<>();
    private static final double TOLERANCE = 1e-5;

    private ActivationMapping() {
    }

    /** {@code activation(z)} as a graph node named {@code name}. */
    static SDVariable apply(Activation activation, String name, SameDiff sd, SDVariable z) {
        if (activation == Activation.LEAKYRELU) {
            return sd.nn().leakyRelu(name, z, ActivationLReLU.DEFAULT_ALPHA);
        }
        return activation.asSameDiff(name, sd, z);
    }

    /** The enum constant computing exactly {@code function} in a graph, if there is one. */
    static Optional<Activation> of(IActivation function) {
        if (function == null) {
            return Optional.empty();
        }
        for (Activation candidate : Activation.values()) {
            IActivation reference;
            try {
                reference = candidate.getActivationFunction();
            } catch (RuntimeException unsupported) {
                continue;
            }
            if (reference.getClass() == function.getClass() && reference.equals(function) && inSameDiff(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Whether {@link #apply} implements {@code activation} exactly as DL4J's own layers compute it. */
    static boolean inSameDiff(Activation activation) {
        return AGREES.computeIfAbsent(activation, ActivationMapping::agreesWithDl4j);
    }

    private static boolean agreesWithDl4j(Activation activation) {
        INDArray x = Nd4j.linspace(-3, 3, 24, DataType.FLOAT).reshape(4, 6);
        try {
            SameDiff sd = SameDiff.create();
            INDArray graph = apply(activation, "y", sd, sd.constant("x", x.dup())).eval();
            INDArray dl4j = activation.getActivationFunction().getActivation(x.dup(), false);
            return graph.sub(dl4j).amaxNumber().doubleValue() <= TOLERANCE;
        } catch (UnsupportedOperationException | IllegalStateException e) {
            return false;
        }
    }
}
