/**
 * The LLaMA (stories260K) result table: one-shot baselines calibrated block by block as the reference code does,
 * MaskPro from the best frozen-weight prior, MaskLLM through SameDiff backprop, with wall time and peak memory
 * ({@link org.maskpro4j.examples.llama.results.LlamaResults}; results in {@code docs/llama-results.md}).
 */
package org.maskpro4j.examples.llama.results;
