package org.maskpro4j.weights;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link DifferentiableModel} that can also learn from another model's output distribution (knowledge
 * distillation): masked fine-tuning uses the dense model as teacher of its pruned copy.
 *
 * @param <B> the model's minibatch type
 */
public interface DistillableModel<B> extends DifferentiableModel<B> {

    /**
     * The model's {@code [rows, classes]} log-probabilities on {@code batch} with the current live weights, forward
     * only: one row per prediction (for a language model, per position), padded rows included, so that a teacher's and
     * a student's rows of the same batch match.
     */
    INDArray logProbabilities(B batch);

    /**
     * One forward and backward pass of {@code (1 − λ)·CE + λ·KL(teacher ‖ model)}, each the mean over the batch's
     * scored rows; nothing is updated. λ = 0 is {@link #lossAndGradients(Object)}.
     *
     * @param teacherLogProbabilities another model's {@link #logProbabilities} of the same batch
     * @param lambda                  the weight λ in [0, 1] of the KL term
     */
    Gradients lossAndGradients(B batch, INDArray teacherLogProbabilities, double lambda);
}
