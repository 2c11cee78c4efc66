package org.maskpro4j.maskllm;

import org.maskpro4j.config.PropertiesCodec;
import org.maskpro4j.nm.NmPattern;

/**
 * Hyperparameters of one MaskLLM run (maskpro-spec §4.1–4.3). Defaults are those of the official LLaMA-2 scripts,
 * not the class or argparse defaults of the code (spec §6.12): 2000 steps; gate learning rate 5e-4 with cosine decay
 * to 5e-5 and no warmup; AdamW β = (0.9, 0.95), ε = 1e-5, weight decay 0.1 on the gates; gradient clipping at global
 * norm 1; logit scale κ 100 → 500 and temperature τ 4 → 0.05, both linear; prior strength 3; weight regulariser
 * λ = 1e-5 decayed linearly to 0; gates initialised N(0, 0.01²); seed 0.
 */
public final class MaskLlmConfig {
    private final NmPattern pattern;
    private final long steps;
    private final double learningRate;
    private final double minLearningRateRatio;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final double gradientClip;
    private final double kappaStart;
    private final double kappaEnd;
    private final double tauStart;
    private final double tauEnd;
    private final double priorStrength;
    private final double weightRegularization;
    private final double gateInitStd;
    private final long seed;
    private final int logEvery;

    private MaskLlmConfig(Builder b) {
        if (b.pattern == null) {
            throw new IllegalArgumentException("MaskLLM config: pattern is required, e.g. pattern(\"2:4\")");
        }
        require(b.steps >= 0, "steps must be >= 0, got " + b.steps);
        require(positive(b.learningRate), "learningRate must be a positive number, got " + b.learningRate);
        require(b.minLearningRateRatio >= 0 && b.minLearningRateRatio <= 1,
                "minLearningRateRatio must be in [0, 1] (the cosine schedule ends at learningRate·ratio), got "
                        + b.minLearningRateRatio);
        require(b.beta1 >= 0 && b.beta1 < 1, "beta1 must be in [0, 1), got " + b.beta1);
        require(b.beta2 >= 0 && b.beta2 < 1, "beta2 must be in [0, 1), got " + b.beta2);
        require(positive(b.epsilon), "epsilon must be positive, got " + b.epsilon);
        require(nonNegative(b.weightDecay), "weightDecay must be >= 0, got " + b.weightDecay);
        require(nonNegative(b.gradientClip), "gradientClip must be >= 0 (0 disables clipping), got " + b.gradientClip);
        require(positive(b.kappaStart) && positive(b.kappaEnd),
                "the logit scale κ must be positive at both ends, got " + b.kappaStart + " → " + b.kappaEnd);
        require(positive(b.tauStart) && positive(b.tauEnd),
                "the temperature τ must be positive at both ends, got " + b.tauStart + " → " + b.tauEnd);
        require(nonNegative(b.priorStrength), "priorStrength must be >= 0 (0 ignores the prior), got " + b.priorStrength);
        require(nonNegative(b.weightRegularization), "weightRegularization λ must be >= 0, got " + b.weightRegularization);
        require(positive(b.gateInitStd),
                "gateInitStd must be positive (the prior is scaled by the gates' spread), got " + b.gateInitStd);
        require(b.logEvery >= 1, "logEvery must be >= 1, got " + b.logEvery);
        this.pattern = b.pattern;
        this.steps = b.steps;
        this.learningRate = b.learningRate;
        this.minLearningRateRatio = b.minLearningRateRatio;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
        this.gradientClip = b.gradientClip;
        this.kappaStart = b.kappaStart;
        this.kappaEnd = b.kappaEnd;
        this.tauStart = b.tauStart;
        this.tauEnd = b.tauEnd;
        this.priorStrength = b.priorStrength;
        this.weightRegularization = b.weightRegularization;
        this.gateInitStd = b.gateInitStd;
        this.seed = b.seed;
        this.logEvery = b.logEvery;
    }

    private static boolean positive(double v) {
        return v > 0 && Double.isFinite(v);
    }

    private static boolean nonNegative(double v) {
        return v >= 0 && Double.isFinite(v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("MaskLLM config: " + message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().pattern(pattern).steps(steps).learningRate(learningRate).minLearningRateRatio(minLearningRateRatio)
                .betas(beta1, beta2).epsilon(epsilon).weightDecay(weightDecay).gradientClip(gradientClip)
                .kappa(kappaStart, kappaEnd).tau(tauStart, tauEnd).priorStrength(priorStrength)
                .weightRegularization(weightRegularization).gateInitStd(gateInitStd).seed(seed).logEvery(logEvery);
    }

    /** Fraction of training done before step {@code step} (0-based); every schedule is a function of it. */
    private double progress(long step) {
        return steps == 0 ? 0 : (double) step / steps;
    }

    /** κ at a step: linear from start to end. */
    public double kappaAt(long step) {
        return kappaStart + (kappaEnd - kappaStart) * progress(step);
    }

    /** τ at a step: linear from start to end. */
    public double tauAt(long step) {
        return tauStart + (tauEnd - tauStart) * progress(step);
    }

    /** λ at a step: linear decay to 0, as in the official code. */
    public double weightRegularizationAt(long step) {
        return weightRegularization * (1 - progress(step));
    }

    /** Gate learning rate at a step: cosine from learningRate to learningRate·minLearningRateRatio, no warmup. */
    public double learningRateAt(long step) {
        double min = learningRate * minLearningRateRatio;
        return min + (learningRate - min) * 0.5 * (1 + Math.cos(Math.PI * progress(step)));
    }

    public NmPattern pattern() {
        return pattern;
    }

    public long steps() {
        return steps;
    }

    public double learningRate() {
        return learningRate;
    }

    public double minLearningRateRatio() {
        return minLearningRateRatio;
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

    public double weightDecay() {
        return weightDecay;
    }

    public double gradientClip() {
        return gradientClip;
    }

    public double kappaStart() {
        return kappaStart;
    }

    public double kappaEnd() {
        return kappaEnd;
    }

    public double tauStart() {
        return tauStart;
    }

    public double tauEnd() {
        return tauEnd;
    }

    public double priorStrength() {
        return priorStrength;
    }

    public double weightRegularization() {
        return weightRegularization;
    }

    public double gateInitStd() {
        return gateInitStd;
    }

    public long seed() {
        return seed;
    }

    public int logEvery() {
        return logEvery;
    }

    /** The one text form of a MaskLLM config: prune's config files and provenance. */
    public static final PropertiesCodec<MaskLlmConfig, Builder> CODEC = PropertiesCodec
            .builder("MaskLLM config", MaskLlmConfig::builder, Builder::build)
            .text("pattern", c -> c.pattern.toString(), Builder::pattern)
            .longInteger("steps", MaskLlmConfig::steps, Builder::steps)
            .decimal("learningRate", MaskLlmConfig::learningRate, Builder::learningRate)
            .decimal("minLearningRateRatio", MaskLlmConfig::minLearningRateRatio, Builder::minLearningRateRatio)
            .decimal("beta1", MaskLlmConfig::beta1, (b, v) -> b.beta1 = v)
            .decimal("beta2", MaskLlmConfig::beta2, (b, v) -> b.beta2 = v)
            .decimal("epsilon", MaskLlmConfig::epsilon, Builder::epsilon)
            .decimal("weightDecay", MaskLlmConfig::weightDecay, Builder::weightDecay)
            .decimal("gradientClip", MaskLlmConfig::gradientClip, Builder::gradientClip)
            .decimal("kappaStart", MaskLlmConfig::kappaStart, (b, v) -> b.kappaStart = v)
            .decimal("kappaEnd", MaskLlmConfig::kappaEnd, (b, v) -> b.kappaEnd = v)
            .decimal("tauStart", MaskLlmConfig::tauStart, (b, v) -> b.tauStart = v)
            .decimal("tauEnd", MaskLlmConfig::tauEnd, (b, v) -> b.tauEnd = v)
            .decimal("priorStrength", MaskLlmConfig::priorStrength, Builder::priorStrength)
            .decimal("weightRegularization", MaskLlmConfig::weightRegularization, Builder::weightRegularization)
            .decimal("gateInitStd", MaskLlmConfig::gateInitStd, Builder::gateInitStd)
            .longInteger("seed", MaskLlmConfig::seed, Builder::seed)
            .integer("logEvery", MaskLlmConfig::logEvery, Builder::logEvery)
            .build();

    @Override
    public String toString() {
        return "MaskLLM{" + pattern + ", steps=" + steps + ", lr=" + learningRate + "→" + learningRate * minLearningRateRatio
                + ", β=(" + beta1 + ", " + beta2 + "), ε=" + epsilon + ", wd=" + weightDecay + ", clip=" + gradientClip
                + ", κ=" + kappaStart + "→" + kappaEnd + ", τ=" + tauStart + "→" + tauEnd + ", prior=" + priorStrength
                + ", λ=" + weightRegularization + ", init σ=" + gateInitStd + ", seed=" + seed + "}";
    }

    public static final class Builder {
        private NmPattern pattern;
        private long steps = 2000;
        private double learningRate = 5e-4;
        private double minLearningRateRatio = 0.1;
        private double beta1 = 0.9;
        private double beta2 = 0.95;
        private double epsilon = 1e-5;
        private double weightDecay = 0.1;
        private double gradientClip = 1.0;
        private double kappaStart = 1e2;
        private double kappaEnd = 5e2;
        private double tauStart = 4;
        private double tauEnd = 0.05;
        private double priorStrength = 3;
        private double weightRegularization = 1e-5;
        private double gateInitStd = 0.01;
        private long seed = 0;
        private int logEvery = 100;

        public Builder pattern(NmPattern pattern) {
            this.pattern = pattern;
            return this;
        }

        public Builder pattern(String pattern) {
            return pattern(NmPattern.parse(pattern));
        }

        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        /** Peak gate learning rate (the official runs: base 5e-5 × lr-mult 10). */
        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /** The cosine schedule ends at learningRate × this ratio. */
        public Builder minLearningRateRatio(double minLearningRateRatio) {
            this.minLearningRateRatio = minLearningRateRatio;
            return this;
        }

        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Adam ε (1e-5 in the LLaMA-2 scripts, Megatron's 1e-8 in the LLaMA-3 ones). */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Decoupled (AdamW) weight decay on the gates. */
        public Builder weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Largest global norm of the gate gradient; 0 disables clipping. */
        public Builder gradientClip(double gradientClip) {
            this.gradientClip = gradientClip;
            return this;
        }

        /** Logit scale κ, linear from start to end over the run. */
        public Builder kappa(double start, double end) {
            this.kappaStart = start;
            this.kappaEnd = end;
            return this;
        }

        /** Gumbel-softmax temperature τ, linear from start to end over the run. */
        public Builder tau(double start, double end) {
            this.tauStart = start;
            this.tauEnd = end;
            return this;
        }

        /** α of the prior initialisation; 0 ignores a given prior. */
        public Builder priorStrength(double priorStrength) {
            this.priorStrength = priorStrength;
            return this;
        }

        /** λ of the subtracted weight regulariser λ·Σ(W ⊙ M̃)², decayed linearly to 0 over the run. */
        public Builder weightRegularization(double weightRegularization) {
            this.weightRegularization = weightRegularization;
            return this;
        }

        /** Standard deviation of the initial gates. */
        public Builder gateInitStd(double gateInitStd) {
            this.gateInitStd = gateInitStd;
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

        public MaskLlmConfig build() {
            return new MaskLlmConfig(this);
        }
    }
}
