package org.maskpro4j.arbiter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.arbiter.optimize.api.AbstractParameterSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.method.MaskMethods;

/**
 * The search space of MaskPro hyperparameters, composed of Arbiter leaf spaces like Arbiter's own layer spaces:
 * η (learning rate), α (smoothing), C (logit magnitude), K (samples per step), steps, training examples, the
 * prior's one-shot method and the N:M pattern. Each leaf is a range, a set of choices or a fixed value.
 * Defaults: η log-uniform in [1, 300], α in [0.9, 0.999], C in [3, 10], K ∈ {1, 2, 4}, prior ∈ {magnitude, wanda},
 * pattern 2:4, 1000 steps, 256 examples, MaskPro seed 0.
 * <p>
 * A point whose values MaskProConfig rejects (say α = 1 at the edge of a grid) fails when it is generated; the
 * sweep records it as failed with MaskProConfig's message and goes on.
 */
public final class MaskProSpace extends AbstractParameterSpace<MaskProCandidate> {
    static final String LEARNING_RATE = "learningRate";
    static final String SMOOTHING = "smoothing";
    static final String LOGIT_MAGNITUDE = "logitMagnitude";
    static final String SAMPLES_PER_STEP = "samplesPerStep";
    static final String STEPS = "steps";
    static final String PATTERN = "pattern";

    private final ParameterSpace<Double> learningRate;
    private final ParameterSpace<Double> smoothing;
    private final ParameterSpace<Double> logitMagnitude;
    private final ParameterSpace<Integer> samplesPerStep;
    private final ParameterSpace<Integer> steps;
    private final ParameterSpace<Integer> examples;
    private final ParameterSpace<String> prior;
    private final ParameterSpace<String> pattern;
    private final long seed;
    private final int logEvery;
    private final UpdateRule updateRule;

    private MaskProSpace(Builder b) {
        this.updateRule = Objects.requireNonNull(b.updateRule, "updateRule");
        this.learningRate = b.learningRate;
        this.smoothing = b.smoothing;
        this.logitMagnitude = b.logitMagnitude;
        this.samplesPerStep = b.samplesPerStep;
        this.steps = b.steps;
        this.examples = b.examples;
        this.prior = b.prior;
        this.pattern = b.pattern;
        this.seed = b.seed;
        this.logEvery = b.logEvery;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public MaskProCandidate getValue(double[] values) {
        MaskProConfig config = MaskProConfig.builder()
                .pattern(pattern.getValue(values))
                .updateRule(updateRule)
                .learningRate(learningRate.getValue(values))
                .smoothing(smoothing.getValue(values))
                .logitMagnitude(logitMagnitude.getValue(values))
                .samplesPerStep(samplesPerStep.getValue(values))
                .steps(steps.getValue(values))
                .seed(seed)
                .logEvery(logEvery)
                .build();
        return new MaskProCandidate(config, prior.getValue(values), examples.getValue(values));
    }

    /**
     * The leaf values at {@code values} without building a config, named as in {@link MaskProCandidate#params()}:
     * what a report shows for a point that failed to become a candidate.
     */
    public Map<String, Object> describe(double[] values) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(LEARNING_RATE, learningRate.getValue(values));
        p.put(SMOOTHING, smoothing.getValue(values));
        p.put(LOGIT_MAGNITUDE, logitMagnitude.getValue(values));
        p.put(SAMPLES_PER_STEP, samplesPerStep.getValue(values));
        p.put(STEPS, steps.getValue(values).longValue());
        p.put(MaskProCandidate.EXAMPLES, examples.getValue(values));
        p.put(MaskProCandidate.PRIOR, prior.getValue(values));
        p.put(PATTERN, pattern.getValue(values));
        return p;
    }

    @Override
    public int numParameters() {
        return collectLeaves().stream().mapToInt(ParameterSpace::numParameters).sum();
    }

    /**
     * Only leaves that draw a value. Arbiter beta7's grid search gives every collected leaf a grid axis but
     * assigns indices only to leaves with parameters, so a collected FixedValue would shift every later leaf
     * onto the wrong axis.
     */
    @Override
    public List<ParameterSpace> collectLeaves() {
        List<ParameterSpace> out = new ArrayList<>();
        for (ParameterSpace<?> s : List.of(learningRate, smoothing, logitMagnitude, samplesPerStep, steps, examples,
                prior, pattern)) {
            List<ParameterSpace> leaves = s.isLeaf() ? List.of(s) : s.collectLeaves();
            leaves.stream().filter(l -> l.numParameters() > 0).forEach(out::add);
        }
        return out;
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("MaskProSpace is not a leaf: Arbiter sets the indices of its leaves");
    }

    @Override
    public String toString() {
        return "MaskProSpace{η=" + learningRate + ", α=" + smoothing + ", C=" + logitMagnitude + ", K=" + samplesPerStep
                + ", steps=" + steps + ", examples=" + examples + ", prior=" + prior + ", pattern=" + pattern
                + ", seed=" + seed + "}";
    }

    public static final class Builder {
        private ParameterSpace<Double> learningRate = Spaces.logUniform(1, 300);
        private ParameterSpace<Double> smoothing = Spaces.uniform(0.9, 0.999);
        private ParameterSpace<Double> logitMagnitude = Spaces.uniform(3, 10);
        private ParameterSpace<Integer> samplesPerStep = Spaces.choices(1, 2, 4);
        private ParameterSpace<Integer> steps = Spaces.fixed(1000);
        private ParameterSpace<Integer> examples = Spaces.fixed(256);
        private ParameterSpace<String> prior = Spaces.choices("magnitude", "wanda");
        private ParameterSpace<String> pattern = Spaces.fixed("2:4");
        private long seed;
        private int logEvery = 100;
        private UpdateRule updateRule = UpdateRule.RAW;

        private Builder() {
        }

        /** η, e.g. {@code Spaces.logUniform(1, 300)}. */
        public Builder learningRate(ParameterSpace<Double> space) {
            this.learningRate = Objects.requireNonNull(space, "learningRate");
            return this;
        }

        public Builder learningRate(double fixed) {
            return learningRate(Spaces.fixed(fixed));
        }

        /** α of the residual tracker. */
        public Builder smoothing(ParameterSpace<Double> space) {
            this.smoothing = Objects.requireNonNull(space, "smoothing");
            return this;
        }

        public Builder smoothing(double fixed) {
            return smoothing(Spaces.fixed(fixed));
        }

        /** C, the initial logit on the prior's kept positions. */
        public Builder logitMagnitude(ParameterSpace<Double> space) {
            this.logitMagnitude = Objects.requireNonNull(space, "logitMagnitude");
            return this;
        }

        public Builder logitMagnitude(double fixed) {
            return logitMagnitude(Spaces.fixed(fixed));
        }

        /** K masks sampled per step. */
        public Builder samplesPerStep(ParameterSpace<Integer> space) {
            this.samplesPerStep = Objects.requireNonNull(space, "samplesPerStep");
            return this;
        }

        public Builder samplesPerStep(int fixed) {
            return samplesPerStep(Spaces.fixed(fixed));
        }

        public Builder steps(ParameterSpace<Integer> space) {
            this.steps = Objects.requireNonNull(space, "steps");
            return this;
        }

        public Builder steps(int fixed) {
            return steps(Spaces.fixed(fixed));
        }

        /** Training examples handed to {@link SweepTarget#train(int)}. */
        public Builder examples(ParameterSpace<Integer> space) {
            this.examples = Objects.requireNonNull(space, "examples");
            return this;
        }

        public Builder examples(int fixed) {
            return examples(Spaces.fixed(fixed));
        }

        /** Prior names ({@link MaskMethods#priorNames()}). */
        public Builder prior(ParameterSpace<String> space) {
            this.prior = Objects.requireNonNull(space, "prior");
            return this;
        }

        /** Fixed (one name) or a choice among names; each must be one of {@link MaskMethods#priorNames()}. */
        public Builder prior(String... names) {
            for (String name : names) {
                MaskMethods.requirePrior(name);
            }
            return prior(Spaces.choices(names));
        }

        public Builder pattern(ParameterSpace<String> space) {
            this.pattern = Objects.requireNonNull(space, "pattern");
            return this;
        }

        /** Fixed (one pattern) or a choice among N:M patterns such as "2:4", "4:8". */
        public Builder pattern(String... patterns) {
            for (String p : patterns) {
                NmPattern.parse(p);
            }
            return pattern(Spaces.choices(patterns));
        }

        /**
         * The update every candidate uses (not swept). RAW by default, the unit of the default η range; with
         * NORMALIZED, η is in logit units (MaskProConfig's default: {@value MaskProConfig#STEP_BUDGET_FACTOR}·C/√steps).
         */
        public Builder updateRule(UpdateRule updateRule) {
            this.updateRule = updateRule;
            return this;
        }

        /** MaskPro's own seed, the same for every candidate so they differ only by their hyperparameters. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder logEvery(int logEvery) {
            if (logEvery < 1) {
                throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
            }
            this.logEvery = logEvery;
            return this;
        }

        public MaskProSpace build() {
            return new MaskProSpace(this);
        }
    }
}
