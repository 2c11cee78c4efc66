package org.maskpro4j.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.prior.MaskPrior;
import org.maskpro4j.progress.PeakMemory;
import org.maskpro4j.weights.MaskableModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pruning run as a sequence of stages, written once for the command line, sweeps, the demo and benchmarks:
 * <pre>
 * prior (only for methods that start from one) -> mask (the method) -> [then-stages: reconstruction, fine-tuning, …]
 *       -> verify -> [export stages]
 * </pre>
 * Every stage is timed and its peak memory sampled; after each stage that changes the model the held-out metrics are
 * measured (when the run has held-out data), so a report shows what every stage bought.
 */
public final class MaskPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(MaskPipeline.class);

    private final MaskMethod method;
    private final List<Stage> stages;

    private MaskPipeline(Builder b) {
        this.method = Objects.requireNonNull(b.method, "a pipeline needs a mask method");
        List<Stage> s = new ArrayList<>();
        if (method.usesPrior()) {
            if (b.priors.isEmpty()) {
                throw new IllegalArgumentException(method.name() + " starts from a prior mask: name one of "
                        + MaskMethods.priorNames());
            }
            s.add(new PriorStage(b.priors, b.selection));
        }
        s.add(new MaskStage(method));
        s.addAll(b.then);
        s.add(new VerifyStage());
        s.addAll(b.export);
        this.stages = List.copyOf(s);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The stage names in the order they run. */
    public List<String> stageNames() {
        return stages.stream().map(Stage::name).toList();
    }

    /**
     * Runs every stage on {@code model}, starting from its dense weights, and leaves it computing with the final masks.
     *
     * @param train   training / calibration batches (re-iterable)
     * @param heldOut the held-out measurement, or null for none
     */
    public <B> PipelineResult run(MaskableModel<B> model, List<B> train, HeldOut heldOut) {
        return run(model, train, heldOut, null);
    }

    /**
     * @param selection held-out batches, kept apart from the data {@code heldOut} reports on, on which a learner keeps
     *                  its best mask (MaskPro); null for none
     */
    public <B> PipelineResult run(MaskableModel<B> model, List<B> train, HeldOut heldOut, List<B> selection) {
        long t0 = System.nanoTime();
        StageContext<B> context = new StageContext<>(model, train, heldOut, method, stages, selection);
        List<StageReport> reports = new ArrayList<>();
        for (Stage stage : stages) {
            long start = System.nanoTime();
            StageOutcome outcome;
            PeakMemory.Peak peak;
            try (PeakMemory memory = PeakMemory.start()) {
                outcome = stage.run(context);
                peak = memory.peak();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (outcome.masks() != null) {
                context.masks(outcome.masks());
            }
            Map<String, Object> metrics = outcome.heldOut();
            if (metrics == null && outcome.modelChanged() && heldOut != null) {
                metrics = heldOut.measure();
            }
            StageReport report = new StageReport(stage.name(), metrics, seconds, peak, outcome.steps(), outcome.details());
            LOG.info("Stage {}: {} s, peak {} MiB{}{}", stage.name(), String.format("%.2f", seconds),
                    String.format("%.0f", peak.totalMiB()), outcome.steps() > 0 ? ", " + outcome.steps() + " steps" : "",
                    metrics == null ? "" : ", held-out " + metrics);
            reports.add(report);
        }
        return new PipelineResult(reports, context.prior(), context.maskResult(), context.masks(), context.verified(),
                context.provenance(), (System.nanoTime() - t0) / 1e9);
    }

    public static final class Builder {
        private MaskMethod method;
        /** MaskPriors and ChosenPriors, in the order given. */
        private final List<Object> priors = new ArrayList<>();
        private PriorSelection selection = PriorSelection.TRAINING_LOSS;
        private final List<Stage> then = new ArrayList<>();
        private final List<Stage> export = new ArrayList<>();

        public Builder method(MaskMethod method) {
            this.method = method;
            return this;
        }

        /**
         * A candidate prior, computed when the pipeline runs; with several candidates the best by
         * {@link #priorSelection} is used (the earlier on a tie). Ignored by methods that use no prior.
         */
        public Builder prior(MaskPrior prior) {
            this.priors.add(Objects.requireNonNull(prior, "prior"));
            return this;
        }

        public Builder priors(List<? extends MaskPrior> priors) {
            priors.forEach(this::prior);
            return this;
        }

        /**
         * A candidate prior computed before (by an earlier run's prior stage, or a one-shot run's masks), used as it is;
         * its held-out metrics, when it has them, count for {@link PriorSelection#HELD_OUT} and are not measured again.
         */
        public Builder prior(ChosenPrior prior) {
            this.priors.add(Objects.requireNonNull(prior, "prior"));
            return this;
        }

        public Builder priorSelection(PriorSelection selection) {
            this.selection = Objects.requireNonNull(selection, "selection");
            return this;
        }

        /** A stage after mask learning and before verification (weight reconstruction, fine-tuning, …). */
        public Builder then(Stage stage) {
            this.then.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        /** A stage after verification (writing files): it runs only on a strict model. */
        public Builder export(Stage stage) {
            this.export.add(Objects.requireNonNull(stage, "stage"));
            return this;
        }

        public MaskPipeline build() {
            return new MaskPipeline(this);
        }
    }
}
