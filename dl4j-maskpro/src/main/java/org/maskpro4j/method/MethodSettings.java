package org.maskpro4j.method;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import org.maskpro4j.config.PropertiesCodec;

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

    public Builder toBuilder() {
        return new Builder().maskPro(maskPro).maskLlm(maskLlm).oneShot(oneShot).checkpoint(checkpoint);
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

    private static final String MASK_LLM = "maskllm.";
    private static final String ONE_SHOT = "oneshot.";

    /**
     * Every key of {@link #toProperties()}: MaskPro's keys as they are (so a sweep's best-maskpro.properties is such a
     * file), MaskLLM's prefixed with {@code maskllm.} and the one-shot options' with {@code oneshot.}.
     */
    public static Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>(MaskProConfig.CODEC.keys());
        MaskLlmConfig.CODEC.keys().forEach(k -> keys.add(MASK_LLM + k));
        OneShotOptions.CODEC.keys().forEach(k -> keys.add(ONE_SHOT + k));
        return Collections.unmodifiableSet(keys);
    }

    /** The settings as text (the checkpoint file is not part of them). */
    public Properties toProperties() {
        Properties p = MaskProConfig.CODEC.toProperties(maskPro);
        MaskLlmConfig.CODEC.write(maskLlm, p, MASK_LLM);
        OneShotOptions.CODEC.write(oneShot, p, ONE_SHOT);
        return p;
    }

    /**
     * Reads {@link #toProperties()}, or any part of it: MaskLLM keys left out follow MaskPro's pattern, steps, seed and
     * log cadence, and the rest keep their defaults.
     *
     * @param otherKeys keys of {@code p} that belong to the caller and are skipped here
     * @throws IllegalArgumentException for a key that is neither a settings key nor one of {@code otherKeys}
     */
    public static MethodSettings fromProperties(Properties p, Set<String> otherKeys) {
        Set<String> known = new LinkedHashSet<>(keys());
        known.addAll(otherKeys);
        PropertiesCodec.requireKnownKeys(p, known, "Method settings");
        Map<String, String> maskProValues = PropertiesCodec.section(p, "");
        maskProValues.keySet().removeAll(otherKeys);
        MaskProConfig maskPro = MaskProConfig.CODEC.read(maskProValues);
        Map<String, String> maskLlmValues = new LinkedHashMap<>();
        maskLlmValues.put("pattern", maskPro.pattern().toString());
        maskLlmValues.put("steps", Long.toString(maskPro.steps()));
        maskLlmValues.put("seed", Long.toString(maskPro.seed()));
        maskLlmValues.put("logEvery", Integer.toString(maskPro.logEvery()));
        maskLlmValues.putAll(PropertiesCodec.section(p, MASK_LLM));
        return builder(maskPro).maskLlm(MaskLlmConfig.CODEC.read(maskLlmValues))
                .oneShot(OneShotOptions.CODEC.read(PropertiesCodec.section(p, ONE_SHOT))).build();
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
