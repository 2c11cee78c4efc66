package org.maskpro4j.finetune;

import java.util.Locale;

import org.maskpro4j.config.PropertiesCodec;

/**
 * Settings of masked fine-tuning: Adam (PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8) for a number of steps,
 * one batch per step, cycling over the training batches in order; the learning rate follows a {@link LrSchedule};
 * the loss is the task's cross-entropy, or with {@link #distillation()} λ &gt; 0 the mix
 * {@code (1 − λ)·CE + λ·KL(teacher ‖ model)} with the dense model as teacher (knowledge distillation).
 */
public final class FineTuneConfig {
    private final long steps;
    private final double learningRate;
    private final LrSchedule schedule;
    private final long warmupSteps;
    private final double distillation;
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
        if (b.schedule == null) {
            throw new IllegalArgumentException("Fine-tuning needs a learning-rate schedule, got none");
        }
        if (b.warmupSteps < 0 || b.warmupSteps >= b.steps) {
            throw new IllegalArgumentException("Fine-tuning warmup must be >= 0 and below the " + b.steps + " steps, got "
                    + b.warmupSteps);
        }
        if (!(b.distillation >= 0 && b.distillation <= 1)) {
            throw new IllegalArgumentException("Distillation weight must lie in [0, 1] (0: cross-entropy only, 1: only the"
                    + " teacher's distribution), got " + b.distillation);
        }
        if (b.logEvery < 1 || b.checkpointEvery < 0) {
            throw new IllegalArgumentException("logEvery must be >= 1 and checkpointEvery >= 0 (0 = never), got "
                    + b.logEvery + ", " + b.checkpointEvery);
        }
        this.steps = b.steps;
        this.learningRate = b.learningRate;
        this.schedule = b.schedule;
        this.warmupSteps = b.warmupSteps;
        this.distillation = b.distillation;
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

    /** The peak learning rate (the constant one for {@link LrSchedule#CONSTANT}). */
    public double learningRate() {
        return learningRate;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    /** Steps of linear warmup from 0 to {@link #learningRate()} at the start of the schedule. */
    public long warmupSteps() {
        return warmupSteps;
    }

    /** λ of {@code (1 − λ)·CE + λ·KL(teacher ‖ model)}; 0 trains on the cross-entropy alone. */
    public double distillation() {
        return distillation;
    }

    /**
     * The learning rate of update {@code step} (1-based): linear warmup {@code lr·step/warmup} over the first
     * {@link #warmupSteps()} updates, then {@code lr} ({@link LrSchedule#CONSTANT}) or
     * {@code lr·(1 + cos(π·(step − warmup)/(steps − warmup)))/2}, 0 at the last step ({@link LrSchedule#COSINE}).
     */
    public double learningRateAt(long step) {
        if (step < 1) {
            throw new IllegalArgumentException("Steps count from 1, got " + step);
        }
        if (step <= warmupSteps) {
            return learningRate * step / warmupSteps;
        }
        if (schedule == LrSchedule.CONSTANT) {
            return learningRate;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (steps - warmupSteps));
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
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

    /**
     * True when a checkpoint written under {@code other} may continue this run: everything but the log and checkpoint
     * cadence, and but the length when the learning rate does not depend on it (constant after warmup).
     */
    boolean sameRunAs(FineTuneConfig other) {
        return learningRate == other.learningRate && beta1 == other.beta1 && beta2 == other.beta2
                && epsilon == other.epsilon && schedule == other.schedule && warmupSteps == other.warmupSteps
                && distillation == other.distillation && (schedule == LrSchedule.CONSTANT || steps == other.steps);
    }

    /** The one text form of a fine-tuning config (checkpoints). */
    public static final PropertiesCodec<FineTuneConfig, Builder> CODEC = PropertiesCodec
            .builder("Fine-tuning config", FineTuneConfig::builder, Builder::build)
            .longInteger("steps", FineTuneConfig::steps, Builder::steps)
            .decimal("learningRate", FineTuneConfig::learningRate, Builder::learningRate)
            .text("schedule", c -> c.schedule.cliName(), (b, v) -> b.schedule(LrSchedule.parse(v)))
            .longInteger("warmupSteps", FineTuneConfig::warmupSteps, Builder::warmupSteps)
            .decimal("distillation", FineTuneConfig::distillation, Builder::distillation)
            .decimal("beta1", FineTuneConfig::beta1, Builder::beta1)
            .decimal("beta2", FineTuneConfig::beta2, Builder::beta2)
            .decimal("epsilon", FineTuneConfig::epsilon, Builder::epsilon)
            .integer("logEvery", FineTuneConfig::logEvery, Builder::logEvery)
            .longInteger("checkpointEvery", FineTuneConfig::checkpointEvery, Builder::checkpointEvery)
            .build();

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Adam(lr=%g %s, warmup %d, beta1=%g, beta2=%g, eps=%g)%s, %d steps", learningRate,
                schedule.cliName(), warmupSteps, beta1, beta2, epsilon,
                distillation > 0 ? String.format(Locale.ROOT, ", distillation λ=%g", distillation) : "", steps);
    }

    public static final class Builder {
        private long steps = 1000;
        private double learningRate = 1e-3;
        private LrSchedule schedule = LrSchedule.CONSTANT;
        private long warmupSteps = 0;
        private double distillation = 0;
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

        public Builder schedule(LrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Linear warmup steps (below {@link #steps(long)}); 0 for none. */
        public Builder warmupSteps(long warmupSteps) {
            this.warmupSteps = warmupSteps;
            return this;
        }

        /** λ in [0, 1] of the distillation loss; fine-tuning then needs a dense teacher model. */
        public Builder distillation(double distillation) {
            this.distillation = distillation;
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
