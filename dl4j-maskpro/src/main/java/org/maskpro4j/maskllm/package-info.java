/**
 * MaskLLM (Fang et al., NeurIPS 2024) as a built-in baseline: gate logits over all C(M, N) candidate masks of every
 * group, a Gumbel-softmax soft mask applied to the live weights, the model's own backprop chained to the gates, and
 * AdamW with the official scripts' schedules. Works on any {@link org.maskpro4j.weights.DifferentiableModel}.
 */
package org.maskpro4j.maskllm;
