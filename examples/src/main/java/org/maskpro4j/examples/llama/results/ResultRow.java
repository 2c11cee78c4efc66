package org.maskpro4j.examples.llama.results;

import org.maskpro4j.progress.PeakMemory;

/**
 * One measured row of the LLaMA result table.
 *
 * @param method        what produced the weights ("dense", "magnitude", "MaskPro (prior sparsegpt-mask)", …)
 * @param pattern       "2:4", "4:8" or "-" for dense
 * @param perplexity    perplexity on the whole validation text
 * @param steps         learning steps (0 for one-shot methods)
 * @param seconds       wall time of the method itself (calibration and learning; evaluation excluded)
 * @param peak          peak memory while the method ran
 * @param weightsFrozen true when the pruned model computes with the original dense weights under a mask
 * @param notes         free text (progress, settings)
 */
public record ResultRow(String method, String pattern, double perplexity, long steps, double seconds,
        PeakMemory.Peak peak, boolean weightsFrozen, String notes) {
}
