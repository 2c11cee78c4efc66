package org.maskpro4j.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.maskpro4j.nm.NmPattern;

/**
 * {@code learn_mem_over_infer}: MaskPro's learning peak ÷ the inference peak, and {@code maskllm_over_maskpro_mem}:
 * MaskLLM's learning peak ÷ MaskPro's, per pattern, on the same model and batches; both on
 * {@link MemoryPeak#workingBytes()}. Every probe runs {@code runs} times (interleaved), and each ratio is taken per
 * run, so its spread shows how reproducible the peaks are.
 */
public final class MemoryBenchmark {

    /**
     * @param peaks every probe's peaks, keyed "infer", "maskpro 2:4", "maskllm 2:4", …
     */
    public record Result(Spread learnOverInfer, Map<String, Spread> maskLlmOverMaskPro, Map<String, List<MemoryPeak>> peaks,
            String isolation) {
    }

    private MemoryBenchmark() {
    }

    public static Result run(MemoryProbes probes, NmPattern pattern, List<NmPattern> maskLlmPatterns, int runs) {
        if (runs < 1) {
            throw new IllegalArgumentException("Memory probes need at least one run, got " + runs);
        }
        Set<NmPattern> learned = new LinkedHashSet<>();
        learned.add(pattern);
        learned.addAll(maskLlmPatterns);
        Map<String, List<MemoryPeak>> peaks = new LinkedHashMap<>();
        for (int run = 0; run < runs; run++) {
            record(peaks, "infer", probes.measure(MemoryWorkload.INFER, pattern));
            for (NmPattern p : learned) {
                record(peaks, key(MemoryWorkload.MASKPRO, p), probes.measure(MemoryWorkload.MASKPRO, p));
                if (maskLlmPatterns.contains(p)) {
                    record(peaks, key(MemoryWorkload.MASKLLM, p), probes.measure(MemoryWorkload.MASKLLM, p));
                }
            }
        }
        Spread learnOverInfer = ratio(peaks, key(MemoryWorkload.MASKPRO, pattern), "infer");
        Map<String, Spread> maskLlm = new LinkedHashMap<>();
        for (NmPattern p : maskLlmPatterns) {
            maskLlm.put(p.toString(), ratio(peaks, key(MemoryWorkload.MASKLLM, p), key(MemoryWorkload.MASKPRO, p)));
        }
        return new Result(learnOverInfer, maskLlm, peaks, probes.isolation());
    }

    public static String key(MemoryWorkload workload, NmPattern pattern) {
        return workload.cliName() + " " + pattern;
    }

    private static void record(Map<String, List<MemoryPeak>> peaks, String key, MemoryPeak peak) {
        if (peak.workingBytes() <= 0) {
            throw new IllegalStateException("Memory probe \"" + key + "\" measured no working memory (" + peak
                    + "): the process shrank below its runtime footprint, so this isolation cannot measure it");
        }
        peaks.computeIfAbsent(key, k -> new ArrayList<>()).add(peak);
    }

    private static Spread ratio(Map<String, List<MemoryPeak>> peaks, String numerator, String denominator) {
        List<MemoryPeak> top = peaks.get(numerator);
        List<MemoryPeak> bottom = peaks.get(denominator);
        double[] ratios = new double[top.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = (double) top.get(i).workingBytes() / bottom.get(i).workingBytes();
        }
        return Spread.of(ratios);
    }
}
