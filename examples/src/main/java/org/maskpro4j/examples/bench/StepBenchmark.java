package org.maskpro4j.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProStep;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code step_over_forward}: one {@link MaskProStep} on a batch ÷ one inference forward of the same model on the same
 * batch, after warm-up steps have cached the prior mask's loss for that batch. Also times the phases of a step one by
 * one (with the same public operations the step is made of), so a ratio far from 1 says where the time goes.
 */
public final class StepBenchmark {
    /**
     * Steps before timing: they cache f(m₀) for the batch (the first one) and let C2 compile the fused kernel's block
     * loops, which on a model with few groups a step (the CNN) took more than 3 steps: there, 3 warm-up steps read a
     * ratio of 1.11–1.18 and 30 read 1.03, the same as before the loops were merged. A learning run is hundreds of
     * steps, so the ratio is taken in steady state. Capped in time for the large models, where one step compiles them.
     */
    private static final int WARM_STEPS = 30;
    private static final long WARM_NANOS = 3_000_000_000L;
    /** A typical η·(r − δ): η = 50 times an advantage of 1e-3. */
    private static final double UPDATE_SCALE = 0.05;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Seconds one phase of a step took per run: wall and calling-thread CPU time. */
    public record Phase(Spread wallSeconds, Spread cpuSeconds) {
    }

    /**
     * @param stepOverForward the step ÷ forward comparison
     * @param phases          each phase of a step, in step order
     * @param uncached        where the model gives no batch key (so the product recomputes f(m₀) every step): that
     *                        step ÷ forward; otherwise null
     */
    public record Result(Timing.Comparison stepOverForward, Map<String, Phase> phases, int weights, long groups,
            Timing.Comparison uncached, LearningState state, List<String> notes) {
    }

    /**
     * {@code learn_state_bytes_per_weight}: what MaskPro keeps per maskable weight besides the model, after a few steps.
     *
     * @param policy  the policy's logits and prior mask
     * @param weights what the maskable weights keep to restore the originals ({@link ParamWeight#privateBytes()})
     */
    public record LearningState(double policy, double weights) {
        public double total() {
            return policy + weights;
        }

        static LearningState of(MaskPolicy policy, List<MaskableWeight> weights) {
            long count = 0;
            long kept = 0;
            for (MaskableWeight w : weights) {
                count += w.layout().weightCount();
                kept += w instanceof ParamWeight p ? p.privateBytes() : 0;
            }
            return new LearningState(policy.stateBytesPerWeight(), (double) kept / count);
        }
    }

    private StepBenchmark() {
    }

    /**
     * The policy's fused kernel runs on one thread here, as libnd4j does with {@code OMP_NUM_THREADS=1}, so the
     * calling thread's CPU time holds all of a step's work.
     */
    public static <B> Result run(BenchSubject<B> subject, MaskProConfig config, Timing timing) {
        return run(subject, config, timing, true);
    }

    /** @param withPhases whether to time the phases too (they cost about as many steps again); if not, none are listed */
    public static <B> Result run(BenchSubject<B> subject, MaskProConfig config, Timing timing, boolean withPhases) {
        String before = System.getProperty(MaskPolicy.THREADS_PROPERTY);
        System.setProperty(MaskPolicy.THREADS_PROPERTY, "1");
        try {
            return runOnOneThread(subject, config, timing, withPhases);
        } finally {
            if (before == null) {
                System.clearProperty(MaskPolicy.THREADS_PROPERTY);
            } else {
                System.setProperty(MaskPolicy.THREADS_PROPERTY, before);
            }
        }
    }

    private static <B> Result runOnOneThread(BenchSubject<B> subject, MaskProConfig config, Timing timing,
            boolean withPhases) {
        NmPattern pattern = config.pattern();
        B batch = subject.batches().get(0);
        MaskableModel<B> product = subject.maskable(pattern);
        List<String> notes = new ArrayList<>();
        boolean keyed = product.batchKey(batch) != null;
        MaskableModel<B> model = keyed ? product : new KeyedByIdentity<>(product);
        if (!keyed) {
            notes.add(subject.name() + ": the model gives no batch key, so MaskPro as shipped recomputes the prior mask's"
                    + " loss every step (a second forward); step_over_forward is measured with the bench's identity key,"
                    + " the shipped path under details.step.uncached_step_over_forward");
        }
        // as MaskProLearner declares for its run: only the step's masks and forwards write the weights
        model.weights().forEach(w -> w.soleWriter(true));
        try {
            Map<String, INDArray> prior = new MagnitudePrior().masks(model, List.of());
            MaskPolicy policy = MaskPolicy.fromPrior(pattern, model.weights(), prior, config.logitMagnitude());
            MaskProStep step = new MaskProStep(config, policy);
            long warmUntil = System.nanoTime() + WARM_NANOS;
            for (int i = 0; i < WARM_STEPS && (i < 3 || System.nanoTime() < warmUntil); i++) {
                step.step(model, batch);
            }
            LearningState state = LearningState.of(policy, model.weights());
            Timing.Comparison ratio = timing.compare(() -> subject.forward(batch), () -> step.step(model, batch));
            Map<String, Phase> phases = withPhases ? phases(model, step, batch, timing, ratio.runsPerSample()) : Map.of();
            Timing.Comparison uncached = null;
            if (!keyed) {
                MaskProStep shipped = new MaskProStep(config,
                        MaskPolicy.fromPrior(pattern, product.weights(), prior, config.logitMagnitude()));
                uncached = timing.compare(() -> subject.forward(batch), () -> shipped.step(product, batch));
            }
            return new Result(ratio, phases, model.weights().size(), policy.groupCount(), uncached, state, List.copyOf(notes));
        } finally {
            model.weights().forEach(w -> w.soleWriter(false));
            model.weights().forEach(MaskableWeight::restoreDense);
        }
    }

    /**
     * Times what a K = 1 step does, phase by phase: look up f(m₀) by batch key, sample, apply the mask, the changed
     * share the step record carries (from the kept sets the apply ranked), the forward loss and the exact gradient with
     * the logit update (subtract, shift each group's max to 0, clamp). On the fused path the update is only recorded where the step makes it and applied
     * in the same pass as the next draw, so "update + sample" holds both and "record update" next to nothing. The
     * update's sign alternates, so the policy that draws stays about where it is.
     */
    private static <B> Map<String, Phase> phases(MaskableModel<B> model, MaskProStep state, B batch, Timing timing,
            int runsPerSample) {
        MaskProConfig config = state.config();
        MaskPolicy policy = state.policy();
        String[] names = {"batch key", "update + sample", "apply mask", "changed share", "loss forward", "record update"};
        int samples = timing.repeats();
        double[][] wall = new double[names.length][samples];
        double[][] cpu = new double[names.length][samples];
        long[] t = new long[names.length + 1];
        long[] c = new long[names.length + 1];
        for (int s = -1; s < samples; s++) {
            for (int r = 0; r < runsPerSample; r++) {
                t[0] = System.nanoTime();
                c[0] = THREADS.getCurrentThreadCpuTime();
                model.batchKey(batch);
                t[1] = System.nanoTime();
                c[1] = THREADS.getCurrentThreadCpuTime();
                MaskBits mask = policy.draw(GumbelTopN.derive(config.seed(), -1, s, r));
                t[2] = System.nanoTime();
                c[2] = THREADS.getCurrentThreadCpuTime();
                policy.apply(mask);
                t[3] = System.nanoTime();
                c[3] = THREADS.getCurrentThreadCpuTime();
                policy.changedFromPriorApplied(mask);
                t[4] = System.nanoTime();
                c[4] = THREADS.getCurrentThreadCpuTime();
                model.loss(batch);
                t[5] = System.nanoTime();
                c[5] = THREADS.getCurrentThreadCpuTime();
                state.replay(new MaskBits[] {mask}, new double[] {r % 2 == 0 ? UPDATE_SCALE : -UPDATE_SCALE});
                t[6] = System.nanoTime();
                c[6] = THREADS.getCurrentThreadCpuTime();
                if (s >= 0) {
                    for (int p = 0; p < names.length; p++) {
                        wall[p][s] += (t[p + 1] - t[p]) / 1e9 / runsPerSample;
                        cpu[p][s] += (c[p + 1] - c[p]) / 1e9 / runsPerSample;
                    }
                }
            }
        }
        Map<String, Phase> out = new LinkedHashMap<>();
        for (int p = 0; p < names.length; p++) {
            out.put(names[p], new Phase(Spread.of(wall[p]), Spread.of(cpu[p])));
        }
        return out;
    }
}
