package org.maskpro4j.examples.bench;

import java.util.List;

import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.nm.NmPattern;

/**
 * What a bench run measures and how often. Defaults: pattern 2:4, 7 timed samples of about 0.5 s after 3 warm-up
 * runs, 1,048,576 groups for throughput at 2:4, 4:8 and 8:16, mask codes at the same patterns, MaskLLM's memory at
 * 2:4 and 4:8, every memory probe twice, seed 0. MaskPro steps use the reference hyperparameters (η = 50, C = 10,
 * α = 0.99, one sample per step).
 */
public final class BenchConfig {
    private final NmPattern pattern;
    private final int warmup;
    private final int repeats;
    private final double sampleSeconds;
    private final long groups;
    private final List<NmPattern> throughputPatterns;
    private final List<NmPattern> maskLlmPatterns;
    private final int memoryRuns;
    private final long seed;

    private BenchConfig(Builder b) {
        this.pattern = b.pattern;
        this.warmup = b.warmup;
        this.repeats = b.repeats;
        this.sampleSeconds = b.sampleSeconds;
        this.groups = b.groups;
        this.throughputPatterns = List.copyOf(b.throughputPatterns);
        this.maskLlmPatterns = List.copyOf(b.maskLlmPatterns);
        this.memoryRuns = b.memoryRuns;
        this.seed = b.seed;
        if (groups < 1) {
            throw new IllegalArgumentException("Bench config: groups must be >= 1, got " + groups);
        }
        if (memoryRuns < 1) {
            throw new IllegalArgumentException("Bench config: memoryRuns must be >= 1, got " + memoryRuns);
        }
        if (throughputPatterns.isEmpty() || maskLlmPatterns.isEmpty()) {
            throw new IllegalArgumentException("Bench config: name at least one throughput and one MaskLLM pattern");
        }
        timing();
    }

    public static Builder builder() {
        return new Builder();
    }

    public NmPattern pattern() {
        return pattern;
    }

    public int repeats() {
        return repeats;
    }

    public long groups() {
        return groups;
    }

    public List<NmPattern> throughputPatterns() {
        return throughputPatterns;
    }

    public List<NmPattern> maskLlmPatterns() {
        return maskLlmPatterns;
    }

    public int memoryRuns() {
        return memoryRuns;
    }

    public long seed() {
        return seed;
    }

    public Timing timing() {
        return new Timing(warmup, repeats, sampleSeconds);
    }

    /**
     * The MaskPro settings {@code step_over_forward} is defined with: one sampled mask per step (the learner's default takes
     * two, which doubles a step's forwards and draws); η and C do not change what a step costs.
     */
    public MaskProConfig maskPro() {
        return MaskProConfig.builder().pattern(pattern).seed(seed).samplesPerStep(1).build();
    }

    public static final class Builder {
        private NmPattern pattern = NmPattern.parse("2:4");
        private int warmup = 3;
        private int repeats = 7;
        private double sampleSeconds = 0.5;
        private long groups = 1L << 20;
        private List<NmPattern> throughputPatterns = List.of(NmPattern.parse("2:4"), NmPattern.parse("4:8"),
                NmPattern.parse("8:16"));
        private List<NmPattern> maskLlmPatterns = List.of(NmPattern.parse("2:4"), NmPattern.parse("4:8"));
        private int memoryRuns = 2;
        private long seed = 0;

        private Builder() {
        }

        /** The pattern of step_over_forward, wrapped_over_original and learn_mem_over_infer. */
        public Builder pattern(NmPattern pattern) {
            this.pattern = pattern;
            return this;
        }

        public Builder warmup(int runs) {
            this.warmup = runs;
            return this;
        }

        /** Timed samples per measurement; the reported value is their median. */
        public Builder repeats(int samples) {
            this.repeats = samples;
            return this;
        }

        /** About how long one timed sample runs (fast operations are repeated back to back to fill it). */
        public Builder sampleSeconds(double seconds) {
            this.sampleSeconds = seconds;
            return this;
        }

        /** Groups of the groups_per_s measurement. */
        public Builder groups(long groups) {
            this.groups = groups;
            return this;
        }

        /** Patterns of groups_per_s and mask_bits_per_weight. */
        public Builder throughputPatterns(List<NmPattern> patterns) {
            this.throughputPatterns = patterns;
            return this;
        }

        /** Patterns of maskllm_over_maskpro_mem. */
        public Builder maskLlmPatterns(List<NmPattern> patterns) {
            this.maskLlmPatterns = patterns;
            return this;
        }

        public Builder memoryRuns(int runs) {
            this.memoryRuns = runs;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public BenchConfig build() {
            return new BenchConfig(this);
        }
    }
}
