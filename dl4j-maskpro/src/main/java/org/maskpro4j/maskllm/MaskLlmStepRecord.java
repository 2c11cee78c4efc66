package org.maskpro4j.maskllm;

/**
 * What one MaskLLM step saw: the soft-mask loss L and the objective L − λ·Σ(W ⊙ M̃)² on its minibatch, the
 * schedules' κ, τ and gate learning rate, the gate gradient's global norm before clipping, and the mean over groups
 * of max ỹ (how close the relaxed choice is to one-hot: 1/K at random, 1 when every group has decided).
 */
public record MaskLlmStepRecord(long step, double loss, double objective, double kappa, double tau, double learningRate,
        double gradientNorm, double meanMaxRelaxed) {
}
