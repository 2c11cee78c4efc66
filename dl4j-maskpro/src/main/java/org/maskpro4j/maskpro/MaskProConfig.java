package org.maskpro4j.maskpro;

import java.util.Properties;

import org.maskpro4j.config.PropertiesCodec;
import org.maskpro4j.nm.NmPattern;

/**
 * Hyperparameters of one MaskPro run (maskpro-spec §1.4–1.9). The defaults work without tuning on any model
 * (docs/maskpro-defaults.md): the {@link UpdateRule#NORMALIZED normalized} update, α = 0.99,
 * C = {@value #DEFAULT_LOGIT_MAGNITUDE}, K = {@value #DEFAULT_SAMPLES} samples with leave-one-out baselines, seed 0,
 * and η = {@value #STEP_BUDGET_FACTOR}·C/√steps logit units per step (at most C), resolved when the config is built:
 * a longer run takes smaller steps, as a constant step size for a fixed budget of noisy steps should. The reference
 * code's settings are {@code updateRule(RAW).learningRate(50).logitMagnitude(10).samplesPerStep(1)}; an unset η
 * with the raw update is the reference's {@value #RAW_LEARNING_RATE}.
 */
public final class MaskProConfig {
    /** η = this · C / √steps by default with the normalized update (measured on a CNN and the LLaMA). */
    public static final double STEP_BUDGET_FACTOR = 4;
    /** The reference code's η, the default with the raw update. */
    public static final double RAW_LEARNING_RATE = 50;
    public static final double DEFAULT_LOGIT_MAGNITUDE = 7;
    public static final int DEFAULT_SAMPLES = 2;

    private final NmPattern pattern;
    private final UpdateRule updateRule;
    private final double learningRate;
    private final double smoothing;
    private final double logitMagnitude;
    private final int samplesPerStep;
    private final long steps;
    private final long seed;
    private final int logEvery;
    private final int checkpointEvery;
    private final int evalEvery;

    private MaskProConfig(Builder b) {
        if (b.pattern == null) {
            throw new IllegalArgumentException("MaskPro config: pattern is required, e.g. pattern(\"2:4\")");
        }
        require(Double.isNaN(b.learningRate) || b.learningRate > 0 && Double.isFinite(b.learningRate),
                "learningRate must be a positive number, got " + b.learningRate);
        require(b.smoothing >= 0 && b.smoothing < 1, "smoothing α must be in [0, 1), got " + b.smoothing);
        require(b.logitMagnitude > 0 && Double.isFinite(b.logitMagnitude), "logitMagnitude C must be positive, got " + b.logitMagnitude);
        require(b.samplesPerStep >= 1, "samplesPerStep must be >= 1, got " + b.samplesPerStep);
        require(b.steps >= 0, "steps must be >= 0, got " + b.steps);
        require(b.logEvery >= 1, "logEvery must be >= 1, got " + b.logEvery);
        require(b.checkpointEvery >= 0, "checkpointEvery must be >= 0 (0 = only at the end), got " + b.checkpointEvery);
        require(b.updateRule != null, "updateRule is required (normalized or raw)");
        require(b.evalEvery >= 0, "evalEvery must be >= 0 (0 = ten evaluations per run), got " + b.evalEvery);
        this.pattern = b.pattern;
        this.updateRule = b.updateRule;
        this.evalEvery = b.evalEvery;
        this.learningRate = Double.isNaN(b.learningRate) ? defaultLearningRate(b.updateRule, b.logitMagnitude, b.steps)
                : b.learningRate;
        this.smoothing = b.smoothing;
        this.logitMagnitude = b.logitMagnitude;
        this.samplesPerStep = b.samplesPerStep;
        this.steps = b.steps;
        this.seed = b.seed;
        this.logEvery = b.logEvery;
        this.checkpointEvery = b.checkpointEvery;
    }

    /** The η used when none is set: see the class comment. */
    public static double defaultLearningRate(UpdateRule rule, double logitMagnitude, long steps) {
        return rule == UpdateRule.RAW ? RAW_LEARNING_RATE
                : Math.min(logitMagnitude, STEP_BUDGET_FACTOR * logitMagnitude / Math.sqrt(Math.max(1, steps)));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("MaskPro config: " + message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().pattern(pattern).updateRule(updateRule).evalEvery(evalEvery).learningRate(learningRate).smoothing(smoothing).logitMagnitude(logitMagnitude)
                .samplesPerStep(samplesPerStep).steps(steps).seed(seed).logEvery(logEvery).checkpointEvery(checkpointEvery);
    }

    public NmPattern pattern() {
        return pattern;
    }

    public UpdateRule updateRule() {
        return updateRule;
    }

    /** Steps between held-out evaluations of the top-N mask when the learner is given selection data; 0 = steps/10. */
    public int evalEvery() {
        return evalEvery;
    }

    /** {@link #evalEvery()} resolved: at least 1. */
    public long evaluationInterval() {
        return evalEvery > 0 ? evalEvery : Math.max(1, (steps + 9) / 10);
    }

    public double learningRate() {
        return learningRate;
    }

    public double smoothing() {
        return smoothing;
    }

    public double logitMagnitude() {
        return logitMagnitude;
    }

    public int samplesPerStep() {
        return samplesPerStep;
    }

    public long steps() {
        return steps;
    }

    public long seed() {
        return seed;
    }

    public int logEvery() {
        return logEvery;
    }

    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** The one text form of a MaskPro config: prune's config files, sweep results, checkpoints, provenance. */
    public static final PropertiesCodec<MaskProConfig, Builder> CODEC = PropertiesCodec
            .builder("MaskPro config", MaskProConfig::builder, Builder::build)
            .text("pattern", c -> c.pattern.toString(), Builder::pattern)
            .text("updateRule", c -> c.updateRule.cliName(), (b, v) -> b.updateRule(UpdateRule.parse(v)))
            .decimal("learningRate", MaskProConfig::learningRate, Builder::learningRate)
            .decimal("smoothing", MaskProConfig::smoothing, Builder::smoothing)
            .decimal("logitMagnitude", MaskProConfig::logitMagnitude, Builder::logitMagnitude)
            .integer("samplesPerStep", MaskProConfig::samplesPerStep, Builder::samplesPerStep)
            .longInteger("steps", MaskProConfig::steps, Builder::steps)
            .longInteger("seed", MaskProConfig::seed, Builder::seed)
            .integer("logEvery", MaskProConfig::logEvery, Builder::logEvery)
            .integer("checkpointEvery", MaskProConfig::checkpointEvery, Builder::checkpointEvery)
            .integer("evalEvery", MaskProConfig::evalEvery, Builder::evalEvery)
            .build();

    /** {@link #CODEC}'s text form; doubles keep their exact value. */
    public Properties toProperties() {
        return CODEC.toProperties(this);
    }

    /** Reads {@link #toProperties()}; an unknown key is an error. */
    public static MaskProConfig fromProperties(Properties p) {
        return CODEC.read(p);
    }

    /** True when two configs would produce the same run (log and checkpoint cadence aside). */
    boolean sameRunAs(MaskProConfig o) {
        return pattern.equals(o.pattern) && updateRule == o.updateRule && learningRate == o.learningRate && smoothing == o.smoothing
                && logitMagnitude == o.logitMagnitude && samplesPerStep == o.samplesPerStep && seed == o.seed;
    }

    @Override
    public String toString() {
        return "MaskPro{" + pattern + ", " + updateRule.cliName() + " update, η=" + learningRate + ", α=" + smoothing + ", C=" + logitMagnitude + ", K="
                + samplesPerStep + ", steps=" + steps + ", seed=" + seed + "}";
    }

    public static final class Builder {
        private NmPattern pattern;
        private UpdateRule updateRule = UpdateRule.NORMALIZED;
        /** NaN: resolved from the update rule, C and the step count when built. */
        private double learningRate = Double.NaN;
        private double smoothing = 0.99;
        private double logitMagnitude = DEFAULT_LOGIT_MAGNITUDE;
        private int samplesPerStep = DEFAULT_SAMPLES;
        private int evalEvery = 0;
        private long steps = 1000;
        private long seed = 0;
        private int logEvery = 100;
        private int checkpointEvery = 0;

        public Builder pattern(NmPattern pattern) {
            this.pattern = pattern;
            return this;
        }

        public Builder pattern(String pattern) {
            return pattern(NmPattern.parse(pattern));
        }

        /** How advantages become logit moves; {@link UpdateRule#RAW} reproduces the paper's update bit for bit. */
        public Builder updateRule(UpdateRule updateRule) {
            this.updateRule = updateRule;
            return this;
        }

        /** Steps between held-out evaluations when the learner has selection data; 0 = ten per run. */
        public Builder evalEvery(int evalEvery) {
            this.evalEvery = evalEvery;
            return this;
        }

        /**
         * η: step size on the logits; with the normalized update, in logit units per step for an advantage one spread
         * large, with the raw update in logit units per unit of loss.
         */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** α of the residual tracker δ ← α·δ + (1−α)·r and of the normalized update's spread tracker. */
        public Builder smoothing(double smoothing) {
            this.smoothing = smoothing;
            return this;
        }

        /** C: initial logits are C on the prior's kept positions, 0 elsewhere. */
        public Builder logitMagnitude(double logitMagnitude) {
            this.logitMagnitude = logitMagnitude;
            return this;
        }

        /** K masks per step; with K > 1 each sample's baseline is the mean residual of the other K−1. */
        public Builder samplesPerStep(int samplesPerStep) {
            this.samplesPerStep = samplesPerStep;
            return this;
        }

        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder logEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        public Builder checkpointEvery(int checkpointEvery) {
            this.checkpointEvery = checkpointEvery;
            return this;
        }

        public MaskProConfig build() {
            return new MaskProConfig(this);
        }
    }
}
