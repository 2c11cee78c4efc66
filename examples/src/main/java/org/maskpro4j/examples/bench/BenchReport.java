package org.maskpro4j.examples.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;

/**
 * Everything one bench run measured, with where and how. {@link #toJson()} is the {@code --json} object: the headline
 * ratios under their own keys ({@code maskllm_over_maskpro_mem}, {@code groups_per_s} and {@code mask_bits_per_weight}
 * keyed by pattern), each ratio's spread under {@code noise}, and the raw times, phases and peaks under
 * {@code details}.
 */
public record BenchReport(String model, BenchConfig config, StepBenchmark.Result step, WrapBenchmark.Result wrap,
        MemoryBenchmark.Result memory, Map<NmPattern, GroupThroughput.Result> groups,
        Map<NmPattern, MaskCodeSize.Result> maskCodes, List<String> notes, Machine machine, String command) {

    public static final String PARAM_WEIGHT = "param_weight";
    public static final String WRAPPER_LAYERS = "wrapper_layers";

    public BenchReport {
        groups = Map.copyOf(groups);
        maskCodes = Map.copyOf(maskCodes);
        notes = List.copyOf(notes);
    }

    /** groups_per_s and mask_bits_per_weight in the configured pattern order. */
    private <T> Map<String, T> byPattern(Map<NmPattern, T> values) {
        Map<String, T> out = new LinkedHashMap<>();
        for (NmPattern p : config.throughputPatterns()) {
            if (values.containsKey(p)) {
                out.put(p.toString(), values.get(p));
            }
        }
        return out;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("pattern", config.pattern().toString());
        out.put("repeats", config.repeats());
        out.put("step_over_forward", step.stepOverForward().ratio().median());
        Map<String, Object> wrapped = new LinkedHashMap<>();
        wrapped.put(PARAM_WEIGHT, wrap.paramWeight().ratio().median());
        if (wrap.wrapperLayers() != null) {
            wrapped.put(WRAPPER_LAYERS, wrap.wrapperLayers().ratio().median());
        }
        out.put("wrapped_over_original", wrapped);
        out.put("learn_mem_over_infer", memory.learnOverInfer().median());
        out.put("learn_state_bytes_per_weight", step.state().total());
        Map<String, Object> maskLlm = new LinkedHashMap<>();
        memory.maskLlmOverMaskPro().forEach((p, s) -> maskLlm.put(p, s.median()));
        out.put("maskllm_over_maskpro_mem", maskLlm);
        Map<String, Object> throughput = new LinkedHashMap<>();
        byPattern(groups).forEach((p, r) -> throughput.put(p, r.groupsPerSecond().median()));
        out.put("groups_per_s", throughput);
        Map<String, Object> overCopy = new LinkedHashMap<>();
        byPattern(groups).forEach((p, r) -> overCopy.put(p, r.groupMathOverCopy().median()));
        out.put("group_math_over_copy", overCopy);
        Map<String, Object> bits = new LinkedHashMap<>();
        byPattern(maskCodes).forEach((p, r) -> bits.put(p, r.bitsPerWeight()));
        out.put("mask_bits_per_weight", bits);
        out.put("noise", noise());
        out.put("details", details());
        out.put("notes", notes);
        out.put("machine", machine.toJson());
        out.put("date", machine.date());
        out.put("command", command);
        return out;
    }

    private Map<String, Object> noise() {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("step_over_forward", step.stepOverForward().ratio().toJson());
        n.put("wrapped_over_original." + PARAM_WEIGHT, wrap.paramWeight().ratio().toJson());
        if (wrap.wrapperLayers() != null) {
            n.put("wrapped_over_original." + WRAPPER_LAYERS, wrap.wrapperLayers().ratio().toJson());
        }
        n.put("learn_mem_over_infer", memory.learnOverInfer().toJson());
        memory.maskLlmOverMaskPro().forEach((p, s) -> n.put("maskllm_over_maskpro_mem." + p, s.toJson()));
        byPattern(groups).forEach((p, r) -> n.put("groups_per_s." + p, r.groupsPerSecond().toJson()));
        byPattern(groups).forEach((p, r) -> n.put("group_math_over_copy." + p, r.groupMathOverCopy().toJson()));
        return n;
    }

    private Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> s = new LinkedHashMap<>();
        s.putAll(times(step.stepOverForward(), "forward", "step"));
        s.put("weights", step.weights());
        s.put("groups", step.groups());
        s.put("learn_state_bytes_per_weight", Map.of("policy", step.state().policy(), "weights", step.state().weights()));
        Map<String, Object> phases = new LinkedHashMap<>();
        step.phases().forEach((k, v) -> phases.put(k, Map.of("wall_ms", v.wallSeconds().median() * 1e3,
                "cpu_ms", v.cpuSeconds().median() * 1e3)));
        s.put("phases", phases);
        if (step.uncached() != null) {
            s.put("uncached_step_over_forward", step.uncached().ratio().toJson());
            s.put("uncached_step_over_forward_cpu", step.uncached().cpuRatio().toJson());
        }
        d.put("step", s);
        Map<String, Object> w = new LinkedHashMap<>();
        w.put(PARAM_WEIGHT, times(wrap.paramWeight(), "original", "wrapped"));
        if (wrap.wrapperLayers() != null) {
            w.put(WRAPPER_LAYERS, times(wrap.wrapperLayers(), "original", "wrapped"));
        }
        d.put("wrap", w);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("isolation", memory.isolation());
        Map<String, Object> peaks = new LinkedHashMap<>();
        memory.peaks().forEach((k, v) -> peaks.put(k, v.stream().map(MemoryPeak::toJson).toList()));
        m.put("peaks", peaks);
        d.put("memory", m);
        Map<String, Object> g = new LinkedHashMap<>();
        byPattern(groups).forEach((p, r) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("groups", r.groups());
            e.putAll(times(r.overCopy(), "copy", "fused_step"));
            e.put("vector_api", r.vectorized());
            g.put(p, e);
        });
        d.put("groups", g);
        Map<String, Object> c = new LinkedHashMap<>();
        byPattern(maskCodes).forEach((p, r) -> c.put(p, Map.of("bytes", r.bytes(), "weights", r.weights())));
        d.put("mask_code", c);
        return d;
    }

    /** Wall and CPU milliseconds of both sides, and the CPU-time ratio. */
    private static Map<String, Object> times(Timing.Comparison c, String baseline, String candidate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(baseline + "_ms", c.baselineSeconds().scaled(1e3).toJson());
        m.put(candidate + "_ms", c.candidateSeconds().scaled(1e3).toJson());
        m.put(baseline + "_cpu_ms", c.baselineCpuSeconds().scaled(1e3).toJson());
        m.put(candidate + "_cpu_ms", c.candidateCpuSeconds().scaled(1e3).toJson());
        m.put("cpu_ratio", c.cpuRatio().toJson());
        m.put("runs_per_sample", c.runsPerSample());
        return m;
    }

    /** The Markdown section docs/benchmarks.md and reports show. */
    public String toMarkdown() {
        return BenchTable.render(this);
    }
}
