package org.maskpro4j.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.maskpro4j.nm.NmPattern;

/**
 * {@code maskpro bench --scaling}: the step, the forward, the step's own per-group work and the memory of learning and
 * inference on models of growing size ({@link ScalingModel}), one model at a time, so that how each cost grows with
 * the number of prunable weights can be fitted ({@link ScalingReport}). Each model gets the measurements of a plain
 * bench run that depend on size: {@link StepBenchmark} (step ÷ forward side by side; its phases are left out, they
 * would cost as many steps again) and the inference and MaskPro memory probes, each in its own child JVM.
 */
public final class ScalingBenchmark {
    /**
     * One model's measurements; times are CPU seconds of the calling thread (medians), memory is working bytes.
     *
     * @param tokens      examples (MLP) or tokens (LLaMA) per batch
     * @param ownCpu      what a step costs beyond a forward: the medians' difference (draw, apply, gradient and
     *                    update, bookkeeping), at least 1 ns
     * @param learnState  what MaskPro keeps per prunable weight besides the model (the bench's
     *                    {@code learn_state_bytes_per_weight}), counted exactly
     */
    public record Point(ScalingModel model, String name, long weights, long groups, long tokens, Spread stepCpu,
            Spread forwardCpu, Spread stepWall, Spread forwardWall, Spread stepOverForwardCpu, double ownCpu,
            long inferBytes, long learnBytes, double learnState) {

        /** Groups per CPU-second of the step's own work. */
        public double groupsPerSecond() {
            return groups / ownCpu;
        }

        /** Learning memory beyond inference, per prunable weight. */
        public double stateBytesPerWeight() {
            return (double) (learnBytes - inferBytes) / weights;
        }

        /**
         * What a run at another size needs per prunable weight beyond the model: the measured difference, but never
         * less than the state itself, which the difference can hide where a run's loss forwards need less working
         * memory than the inference probe's output (the LLaMAs: 0.9 against 3.0 bytes).
         */
        public double bytesPerWeightToScale() {
            return Math.max(stateBytesPerWeight(), learnState);
        }
    }

    private ScalingBenchmark() {
    }

    /**
     * @param subjects loads a model's subject (with its batches); the subject is dropped before the next model loads
     * @param probes   the memory probes of a model (child JVMs that load the same model by name)
     * @param tokens   examples or tokens in one of that model's batches
     */
    public static ScalingReport run(List<ScalingModel> models, Function<ScalingModel, BenchSubject<?>> subjects,
            Function<ScalingModel, MemoryProbes> probes, Function<BenchSubject<?>, Long> tokens, BenchConfig config,
            Consumer<String> progress, String command) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("The scaling bench needs at least one model");
        }
        Machine machine = Machine.now();
        NmPattern pattern = config.pattern();
        List<Point> points = new ArrayList<>();
        for (ScalingModel m : models) {
            progress.accept("scaling " + m.cliName() + ": loading");
            BenchSubject<?> subject = subjects.apply(m);
            String name = subject.name();
            long batchTokens = tokens.apply(subject);
            progress.accept("scaling " + m.cliName() + ": step ÷ forward on " + name);
            StepBenchmark.Result step = StepBenchmark.run(subject, config.maskPro(), config.timing(), false);
            // the next model's buffers should not pile up on this one's: ND4J frees off-heap memory on collection
            subject = null;
            System.gc();
            Timing.Comparison c = step.stepOverForward();
            double own = Math.max(1e-9, c.candidateCpuSeconds().median() - c.baselineCpuSeconds().median());
            progress.accept("scaling " + m.cliName() + ": memory probes");
            MemoryBenchmark.Result memory = MemoryBenchmark.run(probes.apply(m), pattern, List.of(), config.memoryRuns());
            Point p = new Point(m, name, step.groups() * pattern.m(), step.groups(), batchTokens, c.candidateCpuSeconds(),
                    c.baselineCpuSeconds(), c.candidateSeconds(), c.baselineSeconds(), c.cpuRatio(), own,
                    medianWorkingBytes(memory, "infer"), medianWorkingBytes(memory, MemoryBenchmark.key(MemoryWorkload.MASKPRO, pattern)),
                    step.state().total());
            points.add(p);
            progress.accept(String.format("scaling %s: %,d weights, step %.3f s, forward %.3f s (CPU), own work %.3f s"
                    + " (%.3g groups/s), memory inference %.1f MiB, learning %.1f MiB", m.cliName(), p.weights(),
                    p.stepCpu().median(), p.forwardCpu().median(), own, p.groupsPerSecond(), p.inferBytes() / 1048576.0,
                    p.learnBytes() / 1048576.0));
        }
        return new ScalingReport(points, config, machine, command);
    }

    private static long medianWorkingBytes(MemoryBenchmark.Result memory, String key) {
        return (long) Spread.of(memory.peaks().get(key).stream().mapToDouble(MemoryPeak::workingBytes).toArray()).median();
    }
}
