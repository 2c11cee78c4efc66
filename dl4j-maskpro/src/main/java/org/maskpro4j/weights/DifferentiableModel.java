package org.maskpro4j.weights;

import java.util.Arrays;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link MaskableModel} that can also backpropagate: gradient-based mask learners (MaskLLM) need the gradient
 * of the loss with respect to the weights the model computes with, and chain it to their own parameters.
 *
 * @param <B> the model's minibatch type
 */
public interface DifferentiableModel<B> extends MaskableModel<B> {

    /**
     * One forward and backward pass with the current live weights, in training mode; nothing is updated.
     * Regularisation configured on the model (L1/L2, weight decay) is not part of the gradients.
     */
    Gradients lossAndGradients(B batch);

    /**
     * @param loss    the mean loss of the batch, as {@link MaskableModel#loss} computes it
     * @param weights dL/dW_live per weight name ({@link MaskableWeight#name()}), weight-shaped, owned by the caller
     */
    record Gradients(double loss, Map<String, INDArray> weights) {
        public Gradients {
            weights = Map.copyOf(weights);
        }

        /**
         * Frees the gradients' native buffers now instead of at some later Java GC; only for gradients the caller owns
         * (models return copies) and uses no more.
         */
        public void release() {
            for (INDArray g : weights.values()) {
                if (g.closeable()) {
                    g.close();
                }
            }
        }

        /** The gradient of {@code weight}; fails clearly if the model did not produce one. */
        public INDArray of(MaskableWeight weight) {
            INDArray g = weights.get(weight.name());
            if (g == null) {
                throw new IllegalArgumentException("No gradient for weight '" + weight.name() + "'; the model produced "
                        + weights.keySet());
            }
            if (!Arrays.equals(g.shape(), weight.layout().shape())) {
                throw new IllegalArgumentException("Gradient of weight '" + weight.name() + "' has shape "
                        + Arrays.toString(g.shape()) + ", expected the weight's shape "
                        + Arrays.toString(weight.layout().shape()));
            }
            return g;
        }
    }
}
