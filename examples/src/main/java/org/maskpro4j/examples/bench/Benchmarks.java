package org.maskpro4j.examples.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bench run on one model: every performance claim as a ratio against a baseline measured in the same run (step ÷
 * forward, wrapped ÷ original forward, learning ÷ inference memory, MaskLLM ÷ MaskPro memory), plus group throughput
 * and mask code size.
 */
public final class Benchmarks {
    private static final Logger log = LoggerFactory.getLogger(Benchmarks.class);
    /** The size for groups_per_s and group_math_over_copy; smaller logits may fit in a cache level. */
    private static final long FULL_SIZE_GROUPS = 1L << 20;

    private Benchmarks() {
    }

    /**
     * @param probes  where the memory probes run (forked child JVMs for clean peaks)
     * @param command the command line, for the report
     */
    public static <B> BenchReport run(BenchSubject<B> subject, BenchConfig config, MemoryProbes probes, String command) {
        Machine machine = Machine.now();
        Timing timing = config.timing();
        NmPattern pattern = config.pattern();
        List<String> notes = new ArrayList<>();
        log.info("Bench on {} ({}): step ÷ forward", subject.name(), machine.describe());
        StepBenchmark.Result step = StepBenchmark.run(subject, config.maskPro(), timing);
        notes.addAll(step.notes());
        log.info("Bench: wrapped ÷ original forward");
        WrapBenchmark.Result wrap = WrapBenchmark.run(subject, pattern, timing);
        if (wrap.wrapperLayers() == null) {
            notes.add(subject.name() + " has no wrapper-layer form (a SameDiff graph is masked in its own variables), so"
                    + " wrapped_over_original holds " + BenchReport.PARAM_WEIGHT + " only");
        }
        Map<NmPattern, GroupThroughput.Result> groups = new LinkedHashMap<>();
        Map<NmPattern, MaskCodeSize.Result> codes = new LinkedHashMap<>();
        for (NmPattern p : config.throughputPatterns()) {
            log.info("Bench: groups per second at {}", p);
            groups.put(p, GroupThroughput.forked(p, config.groups(), config.seed(), timing));
            try {
                codes.put(p, MaskCodeSize.measure(subject, p));
            } catch (IllegalArgumentException e) {
                notes.add("mask_bits_per_weight " + p + " not measured: " + e.getMessage());
            }
        }
        if (config.groups() < FULL_SIZE_GROUPS) {
            notes.add(String.format("groups_per_s measured on %,d groups (fewer than %,d): the logits may"
                    + " fit in a cache level, which flatters the copy of group_math_over_copy more than the fused step",
                    config.groups(), FULL_SIZE_GROUPS));
        }
        List<NmPattern> maskLlm = new ArrayList<>();
        for (NmPattern p : config.maskLlmPatterns()) {
            try {
                subject.differentiable(p).weights().forEach(MaskableWeight::restoreDense);
                maskLlm.add(p);
            } catch (IllegalStateException e) {
                notes.add("maskllm_over_maskpro_mem " + p + " not measured: " + e.getMessage());
            }
        }
        log.info("Bench: memory probes ({})", probes.isolation());
        MemoryBenchmark.Result memory = MemoryBenchmark.run(probes, pattern, maskLlm, config.memoryRuns());
        if (config.repeats() < 5) {
            notes.add("only " + config.repeats() + " timed samples per ratio: a rough figure, use --repeats 5 or more");
        }
        return new BenchReport(subject.name(), config, step, wrap, memory, groups, codes, notes, machine, command);
    }
}
