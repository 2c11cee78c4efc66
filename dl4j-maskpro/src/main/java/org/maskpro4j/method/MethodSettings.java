package org.maskpro4j.method;

import java.nio.file.Path;
import java.util.Objects;

import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.nm.NmPattern;

/**
 * Everything {@link MaskMethods} needs to make any method: the MaskPro and MaskLLM configs, the one-shot options and
 * MaskPro's checkpoint file. Without an explicit MaskLLM config, MaskLLM takes MaskPro's pattern, step count, seed and
 * log cadence with its own defaults for the rest.
 */
public final class MethodSettings {
    private final MaskProConfig maskPro;
    private final MaskLlmConfig maskLlm;
    private final OneShotOptions oneShot;
    private final Path checkpoint;

    private MethodSettings(Builder b) {
        this.maskPro = Objects.requireNonNull(b.maskPro, "method settings need a MaskPro config (it carries the pattern)");
        this.maskLlm = b.maskLlm != null ? b.maskLlm : MaskLlmConfig.builder().pattern(maskPro.pattern())
                .steps(maskPro.steps()).seed(maskPro.seed()).logEvery(maskPro.logEvery()).build();
        if (!maskLlm.pattern().equals(maskPro.pattern())) {
            throw new IllegalArgumentException("Method settings: the MaskPro config is " + maskPro.pattern()
                    + " but the MaskLLM config is " + maskLlm.pattern() + "; give both the same pattern");
        }
        this.oneShot = Objects.requireNonNull(b.oneShot, "oneShot");
        this.checkpoint = b.checkpoint;
    }

    public static Builder builder(MaskProConfig maskPro) {
        return new Builder().maskPro(maskPro);
    }

    /** Settings with every default and {@code pattern}. */
    public static MethodSettings of(NmPattern pattern) {
        return builder(MaskProConfig.builder().pattern(pattern).build()).build();
    }

    public NmPattern pattern() {
        return maskPro.pattern();
    }

    public MaskProConfig maskPro() {
        return maskPro;
    }

    public MaskLlmConfig maskLlm() {
        return maskLlm;
    }

    public OneShotOptions oneShot() {
        return oneShot;
    }

    /** MaskPro's checkpoint file, or null for none. */
    public Path checkpoint() {
        return checkpoint;
    }

    public static final class Builder {
        private MaskProConfig maskPro;
        private MaskLlmConfig maskLlm;
        private OneShotOptions oneShot = OneShotOptions.DEFAULTS;
        private Path checkpoint;

        public Builder maskPro(MaskProConfig maskPro) {
            this.maskPro = maskPro;
            return this;
        }

        public Builder maskLlm(MaskLlmConfig maskLlm) {
            this.maskLlm = maskLlm;
            return this;
        }

        public Builder oneShot(OneShotOptions oneShot) {
            this.oneShot = oneShot;
            return this;
        }

        /** MaskPro checkpoints to (and resumes from) this file; null for none. */
        public Builder checkpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        public MethodSettings build() {
            return new MethodSettings(this);
        }
    }
}
