package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Optional;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;

/**
 * A model the benchmarks run on, with a few real minibatches. Views ({@link #maskable}, {@link #differentiable})
 * copy the current weights as dense; benchmarks restore the dense weights when they are done, so the next view
 * starts from the same model.
 *
 * @param <B> the model's minibatch type
 */
public interface BenchSubject<B> {

    /** What the model is, for reports ("fashion-cnn", "stories260K", a file name). */
    String name();

    /** Real minibatches, all of the same size; the first is the one timings use. */
    List<B> batches();

    /**
     * One forward pass in inference mode ending in the batch's mean loss, with no gradients or activations kept:
     * what a MaskPro step must do at least once.
     */
    double forward(B batch);

    /** The model as the product's learners see it (all supported weights at {@code pattern}). */
    MaskableModel<B> maskable(NmPattern pattern);

    /**
     * The model with backprop, for MaskLLM.
     *
     * @throws IllegalStateException when the model cannot backpropagate here, saying why
     */
    DifferentiableModel<B> differentiable(NmPattern pattern);

    /** An independent copy with the weights as they are now, to time side by side with this one. */
    BenchSubject<B> copy();

    /**
     * The model rebuilt with MaskPro's SameDiff wrapper layers ({@code MaskProWrapping}); empty where the model kind
     * has none (a SameDiff graph is masked in its own variables).
     */
    Optional<BenchSubject<B>> wrapperLayers(NmPattern pattern);
}
