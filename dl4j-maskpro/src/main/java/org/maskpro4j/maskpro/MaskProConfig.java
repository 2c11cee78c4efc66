package org.maskpro4j.maskpro;

import java.util.Properties;

import org.maskpro4j.config.PropertiesCodec;
import org.maskpro4j.nm.NmPattern;

/**
 * Hyperparameters of one MaskPro run (maskpro-spec §1.4–1.9). Defaults are the reference code's: η = 50,
 * α = 0.99, C = 10, one sample per step, seed 0.
 */
public final class MaskProConfig {
    private final NmPattern pattern;
    private final double learningRate;
    private final double smoothing;
    private final double logitMagnitude;
    private final int samplesPerStep;
    private final long steps;
    private final long seed;
    private final int logEvery;
    private final int checkpointEvery;

    private MaskProConfig(Builder b) {
        if (b.pattern == null) {
            throw new IllegalArgumentException("MaskPro config: pattern is required, e.g. pattern(\"2:4\")");
        }
        require(b.learningRate > 0 && Double.isFinite(b.learningRate), "learningRate must be a positive number, got " + b.learningRate);
        require(b.smoothing >= 0 && b.smoothing < 1, "smoothing α must be in [0, 1), got " + b.smoothing);
        require(b.logitMagnitude > 0 && Double.isFinite(b.logitMagnitude), "logitMagnitude C must be positive, got " + b.logitMagnitude);
        require(b.samplesPerStep >= 1, "samplesPerStep must be >= 1, got " + b.samplesPerStep);
        require(b.steps >= 0, "steps must be >= 0, got " + b.steps);
        require(b.logEvery >= 1, "logEvery must be >= 1, got " + b.logEvery);
        require(b.checkpointEvery >= 0, "checkpointEvery must be >= 0 (0 = only at the end), got " + b.checkpointEvery);
        this.pattern = b.pattern;
        this.learningRate = b.learningRate;
        this.smoothing = b.smoothing;
        this.logitMagnitude = b.logitMagnitude;
        this.samplesPerStep = b.samplesPerStep;
        this.steps = b.steps;
        this.seed = b.seed;
        this.logEvery = b.logEvery;
        this.checkpointEvery = b.checkpointEvery;
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
        return new Builder().pattern(pattern).learningRate(learningRate).smoothing(smoothing).logitMagnitude(logitMagnitude)
                .samplesPerStep(samplesPerStep).steps(steps).seed(seed).logEvery(logEvery).checkpointEvery(checkpointEvery);
    }

    public NmPattern pattern() {
        return pattern;
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
            .decimal("learningRate", MaskProConfig::learningRate, Builder::learningRate)
            .decimal("smoothing", MaskProConfig::smoothing, Builder::smoothing)
            .decimal("logitMagnitude", MaskProConfig::logitMagnitude, Builder::logitMagnitude)
            .integer("samplesPerStep", MaskProConfig::samplesPerStep, Builder::samplesPerStep)
            .longInteger("steps", MaskProConfig::steps, Builder::steps)
            .longInteger("seed", MaskProConfig::seed, Builder::seed)
            .integer("logEvery", MaskProConfig::logEvery, Builder::logEvery)
            .integer("checkpointEvery", MaskProConfig::checkpointEvery, Builder::checkpointEvery)
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
        return pattern.equals(o.pattern) && learningRate == o.learningRate && smoothing == o.smoothing
                && logitMagnitude == o.logitMagnitude && samplesPerStep == o.samplesPerStep && seed == o.seed;
    }

    @Override
    public String toString() {
        return "MaskPro{" + pattern + ", η=" + learningRate + ", α=" + smoothing + ", C=" + logitMagnitude + ", K="
                + samplesPerStep + ", steps=" + steps + ", seed=" + seed + "}";
    }

    public static final class Builder {
        private NmPattern pattern;
        private double learningRate = 50;
        private double smoothing = 0.99;
        private double logitMagnitude = 10;
        private int samplesPerStep = 1;
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

        /** η: step size on the logits. */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** α of the residual tracker δ ← α·δ + (1−α)·r. */
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
