package org.maskpro4j.finetune;

import java.util.Locale;

/**
 * Settings of masked fine-tuning: Adam (PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8) at a fixed learning
 * rate for a number of steps, one batch per step, cycling over the training batches in order.
 */
public final class FineTuneConfig {
    private final long steps;
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final int logEvery;
    private final long checkpointEvery;

    private FineTuneConfig(Builder b) {
        if (b.steps < 1) {
            throw new IllegalArgumentException("Fine-tuning steps must be >= 1, got " + b.steps);
        }
        if (!(b.learningRate > 0) || Double.isInfinite(b.learningRate)) {
            throw new IllegalArgumentException("Fine-tuning learning rate must be a finite number > 0, got " + b.learningRate);
        }
        if (!(b.beta1 >= 0 && b.beta1 < 1) || !(b.beta2 >= 0 && b.beta2 < 1) || !(b.epsilon > 0)) {
            throw new IllegalArgumentException("Adam needs 0 <= beta1, beta2 < 1 and epsilon > 0, got " + b.beta1 + ", "
                    + b.beta2 + ", " + b.epsilon);
        }
        if (b.logEvery < 1 || b.checkpointEvery < 0) {
            throw new IllegalArgumentException("logEvery must be >= 1 and checkpointEvery >= 0 (0 = never), got "
                    + b.logEvery + ", " + b.checkpointEvery);
        }
        this.steps = b.steps;
        this.learningRate = b.learningRate;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.logEvery = b.logEvery;
        this.checkpointEvery = b.checkpointEvery;
    }

    public static Builder builder() {
        return new Builder();
    }

    public long steps() {
        return steps;
    }

    public double learningRate() {
        return learningRate;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double epsilon() {
        return epsilon;
    }

    public int logEvery() {
        return logEvery;
    }

    public long checkpointEvery() {
        return checkpointEvery;
    }

    /** True when a checkpoint written under {@code other} may continue this run (everything but the length). */
    boolean sameRunAs(FineTuneConfig other) {
        return learningRate == other.learningRate && beta1 == other.beta1 && beta2 == other.beta2
                && epsilon == other.epsilon;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Adam(lr=%g, beta1=%g, beta2=%g, eps=%g), %d steps", learningRate, beta1, beta2,
                epsilon, steps);
    }

    public static final class Builder {
        private long steps = 1000;
        private double learningRate = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private int logEvery = 50;
        private long checkpointEvery = 0;

        private Builder() {
        }

        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder beta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        public Builder beta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Log a progress line every this many steps. */
        public Builder logEvery(int logEvery) {
            this.logEvery = logEvery;
            return this;
        }

        /** Write the checkpoint every this many steps (0: only at the end, when a checkpoint file is given). */
        public Builder checkpointEvery(long checkpointEvery) {
            this.checkpointEvery = checkpointEvery;
            return this;
        }

        public FineTuneConfig build() {
            return new FineTuneConfig(this);
        }
    }
}
