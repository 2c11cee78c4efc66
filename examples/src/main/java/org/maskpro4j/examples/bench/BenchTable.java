package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;

/** Renders a {@link BenchReport} as the Markdown section that docs/benchmarks.md and reports use. */
final class BenchTable {
    private static final double MIB = 1024.0 * 1024.0;
    private static final Map<String, String> GROUPS_GOAL = Map.of("2:4", "≥ 10 M/s", "4:8", "≥ 3 M/s", "8:16", "≥ 0.5 M/s");
    private static final Map<String, String> COPY_GOAL = Map.of("2:4", "≤ 10", "4:8", "≤ 30");

    private BenchTable() {
    }

    static String render(BenchReport r) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(r.model()).append(", ").append(r.config().pattern()).append(" — ")
                .append(r.machine().date()).append("\n\n");
        md.append("- Machine: ").append(r.machine().describe()).append('\n');
        md.append("- Command: `").append(r.command()).append("`\n");
        md.append("- Timings: median of ").append(r.config().repeats()).append(" side-by-side samples after warm-up;")
                .append(" noise = min–max of the per-sample ratios, and IQR, relative to the median; the CPU column is")
                .append(" the same ratio in the main thread's CPU time (median, min–max).\n");
        md.append("- Memory: ").append(r.memory().isolation()).append(", ").append(r.config().memoryRuns())
                .append(" run(s) each; working memory = live JVM heap + off-heap resident memory, above the runtime's own.\n\n");
        md.append("| metric | value | goal | noise: min–max (range) | IQR | CPU-time ratio | measured side by side |\n");
        md.append("|---|---:|---|---|---:|---|---|\n");
        Timing.Comparison step = r.step().stepOverForward();
        md.append(ratioRow("step_over_forward", step.ratio(), "≤ 1.10", cpu(step), String.format(Locale.ROOT,
                "forward %s ms, step %s ms", num(step.baselineSeconds().median() * 1e3), num(step.candidateSeconds().median() * 1e3))));
        wrapRow(md, "wrapped_over_original (ParamWeight)", r.wrap().paramWeight());
        if (r.wrap().wrapperLayers() != null) {
            wrapRow(md, "wrapped_over_original (wrapper layers)", r.wrap().wrapperLayers());
        }
        Map<String, List<MemoryPeak>> peaks = r.memory().peaks();
        String pattern = r.config().pattern().toString();
        md.append(ratioRow("learn_mem_over_infer", r.memory().learnOverInfer(), "≤ 1.5", "—", String.format(Locale.ROOT,
                "inference %s MiB, MaskPro %s %s MiB", mib(peaks.get("infer")), pattern,
                mib(peaks.get(MemoryBenchmark.key(MemoryWorkload.MASKPRO, r.config().pattern()))))));
        StepBenchmark.LearningState state = r.step().state();
        md.append(String.format(Locale.ROOT, "| learn_state_bytes_per_weight | %.3f | ≤ 3 | exact | — | — | policy %.3f (logits,"
                + " bytes by default, + prior bits), weights %.3f (values the mask removes + mask bits) |%n", state.total(), state.policy(),
                state.weights()));
        for (Map.Entry<String, Spread> e : r.memory().maskLlmOverMaskPro().entrySet()) {
            NmPattern p = NmPattern.parse(e.getKey());
            md.append(ratioRow("maskllm_over_maskpro_mem " + p, e.getValue(), "—", "—", String.format(Locale.ROOT,
                    "MaskPro %s MiB, MaskLLM %s MiB", mib(peaks.get(MemoryBenchmark.key(MemoryWorkload.MASKPRO, p))),
                    mib(peaks.get(MemoryBenchmark.key(MemoryWorkload.MASKLLM, p))))));
        }
        for (NmPattern p : r.config().throughputPatterns()) {
            GroupThroughput.Result g = r.groups().get(p);
            if (g != null) {
                Spread s = g.groupsPerSecond();
                Timing.Comparison c = g.overCopy();
                md.append(String.format(Locale.ROOT,
                        "| groups_per_s %s | %s M/s | %s | %s–%s M/s (%s) | %s | — | %,d groups, fused sample + gradient"
                        + " + update %s ms CPU, one thread%s |%n",
                        p, num(s.median() / 1e6), GROUPS_GOAL.getOrDefault(p.toString(), "—"), num(s.min() / 1e6),
                        num(s.max() / 1e6), pct(s.relativeRange()), pct(s.relativeIqr()), g.groups(),
                        num(c.candidateCpuSeconds().median() * 1e3), g.vectorized() ? ", Vector API" : ", scalar"));
                Spread o = g.groupMathOverCopy();
                md.append(String.format(Locale.ROOT, "| group_math_over_copy %s | %s | %s | %s–%s (%s) | %s | (CPU) |"
                        + " copy %s ms CPU |%n", p, num(o.median()), COPY_GOAL.getOrDefault(p.toString(), "—"),
                        num(o.min()), num(o.max()), pct(o.relativeRange()), pct(o.relativeIqr()),
                        num(c.baselineCpuSeconds().median() * 1e3)));
            }
        }
        for (NmPattern p : r.config().throughputPatterns()) {
            MaskCodeSize.Result c = r.maskCodes().get(p);
            if (c != null) {
                md.append(String.format(Locale.ROOT, "| mask_bits_per_weight %s | %.4f | — | exact | — | — |"
                        + " %,d bytes for %,d weights (%d bits per group of %d) |%n",
                        p, c.bitsPerWeight(), c.bytes(), c.weights(), p.bitsPerGroup(), p.m()));
            }
        }
        md.append("\nPhases of one step, each timed on its own (median ms; they add up to about the step):\n\n");
        md.append(String.format(Locale.ROOT, "| phase | wall ms | CPU ms | share of the step's CPU time (%s ms) |%n|---|---:|---:|---:|%n",
                num(step.candidateCpuSeconds().median() * 1e3)));
        double stepCpuMs = step.candidateCpuSeconds().median() * 1e3;
        for (Map.Entry<String, StepBenchmark.Phase> e : r.step().phases().entrySet()) {
            double cpuMs = e.getValue().cpuSeconds().median() * 1e3;
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", e.getKey(),
                    num(e.getValue().wallSeconds().median() * 1e3), num(cpuMs), pct(cpuMs / stepCpuMs)));
        }
        if (r.step().uncached() != null) {
            Timing.Comparison u = r.step().uncached();
            md.append(String.format(Locale.ROOT, "%nAs shipped (no batch key, f(m₀) recomputed every step): step ÷ forward = %s"
                    + " (%s–%s), CPU time %s.%n", num(u.ratio().median()), num(u.ratio().min()), num(u.ratio().max()), cpu(u)));
        }
        if (!r.notes().isEmpty()) {
            md.append("\nNotes:\n\n");
            r.notes().forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static void wrapRow(StringBuilder md, String name, Timing.Comparison c) {
        md.append(ratioRow(name, c.ratio(), "≤ 1.15", cpu(c), String.format(Locale.ROOT, "original %s ms, wrapped %s ms",
                num(c.baselineSeconds().median() * 1e3), num(c.candidateSeconds().median() * 1e3))));
    }

    private static String ratioRow(String name, Spread s, String goal, String cpu, String baseline) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s–%s (%s) | %s | %s | %s |%n", name, num(s.median()), goal,
                num(s.min()), num(s.max()), pct(s.relativeRange()), pct(s.relativeIqr()), cpu, baseline);
    }

    private static String cpu(Timing.Comparison c) {
        Spread s = c.cpuRatio();
        return num(s.median()) + " (" + num(s.min()) + "–" + num(s.max()) + ")";
    }

    /** Median working memory of a probe's runs, in MiB. */
    private static String mib(List<MemoryPeak> peaks) {
        double[] bytes = peaks.stream().mapToDouble(MemoryPeak::workingBytes).toArray();
        return num(Spread.of(bytes).median() / MIB);
    }

    /** Three significant digits, without exponent for everyday magnitudes. */
    static String num(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return String.valueOf(v);
        }
        int digits = Math.max(0, 2 - (int) Math.floor(Math.log10(Math.abs(v))));
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
    }
}
