package org.maskpro4j.arbiter;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

import org.maskpro4j.config.PropertiesCodec;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.MaskMethods;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * One point of a MaskPro sweep: the MaskPro hyperparameters, the one-shot method that gives the prior mask, and
 * how many training examples the run sees. Its properties form is {@link MaskProConfig#toProperties} plus
 * {@code prior} and {@code examples}: a settings file that {@code maskpro prune --config} reads
 * ({@link org.maskpro4j.method.MethodSettings#fromProperties} with those two keys left to the caller).
 * <p>
 * Serializable because Arbiter beta7's {@code Candidate} stores every value Java-serialised (and deserialises it
 * on each {@code getValue()}); it travels as its properties.
 */
public final class MaskProCandidate implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String PRIOR = "prior";
    static final String EXAMPLES = "examples";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MaskProConfig config;
    private final String prior;
    private final int examples;

    /**
     * @param prior    a prior name of {@link MaskMethods#priorNames()}: "magnitude", "wanda", "sparsegpt-mask" or "sparsegpt"
     * @param examples training examples the prior and MaskPro see (≥ 1)
     */
    public MaskProCandidate(MaskProConfig config, String prior, int examples) {
        this.config = Objects.requireNonNull(config, "config");
        this.prior = MaskMethods.requirePrior(prior);
        if (examples < 1) {
            throw new IllegalArgumentException("A MaskPro candidate needs at least one training example, got " + examples);
        }
        this.examples = examples;
    }

    public MaskProConfig config() {
        return config;
    }

    /** The prior's canonical name. */
    public String prior() {
        return prior;
    }

    public int examples() {
        return examples;
    }

    /** The swept hyperparameters by name, in {@link MaskProSpace}'s order, for reports. */
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(MaskProSpace.LEARNING_RATE, config.learningRate());
        p.put(MaskProSpace.SMOOTHING, config.smoothing());
        p.put(MaskProSpace.LOGIT_MAGNITUDE, config.logitMagnitude());
        p.put(MaskProSpace.SAMPLES_PER_STEP, config.samplesPerStep());
        p.put(MaskProSpace.STEPS, config.steps());
        p.put(EXAMPLES, examples);
        p.put(PRIOR, prior);
        p.put(MaskProSpace.PATTERN, config.pattern().toString());
        return p;
    }

    /** {@link MaskProConfig#toProperties()} plus {@code prior} and {@code examples}. */
    public Properties toProperties() {
        Properties p = config.toProperties();
        p.setProperty(PRIOR, prior);
        p.setProperty(EXAMPLES, Integer.toString(examples));
        return p;
    }

    public static MaskProCandidate fromProperties(Properties p) {
        for (String key : new String[] {PRIOR, EXAMPLES}) {
            if (!p.containsKey(key)) {
                throw new IllegalArgumentException("MaskPro candidate: property '" + key + "' is missing; a plain"
                        + " MaskProConfig file lacks it, so add e.g. prior=magnitude and examples=256");
            }
        }
        Set<String> known = new LinkedHashSet<>(MaskProConfig.CODEC.keys());
        known.addAll(List.of(PRIOR, EXAMPLES));
        PropertiesCodec.requireKnownKeys(p, known, "MaskPro candidate");
        Map<String, String> config = PropertiesCodec.section(p, "");
        config.keySet().removeAll(List.of(PRIOR, EXAMPLES));
        try {
            return new MaskProCandidate(MaskProConfig.CODEC.read(config), p.getProperty(PRIOR),
                    Integer.parseInt(p.getProperty(EXAMPLES).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MaskPro candidate: unreadable examples count: " + e.getMessage(), e);
        }
    }

    /** A flat JSON object of every property, numbers as numbers; doubles keep their exact value. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>(params());
        m.put("seed", config.seed());
        m.put("logEvery", config.logEvery());
        m.put("checkpointEvery", config.checkpointEvery());
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a MaskPro candidate as JSON", e);
        }
    }

    public static MaskProCandidate fromJson(String json) {
        Map<String, Object> m;
        try {
            m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw new IllegalArgumentException("MaskPro candidate: not a JSON object: " + e.getMessage(), e);
        }
        Properties p = new Properties();
        m.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        return fromProperties(p);
    }

    private Object writeReplace() {
        return new AsProperties(toProperties());
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("A MaskProCandidate is serialised as its properties");
    }

    private record AsProperties(Properties properties) implements Serializable {
        private Object readResolve() {
            return fromProperties(properties);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskProCandidate c && toProperties().equals(c.toProperties());
    }

    @Override
    public int hashCode() {
        return toProperties().hashCode();
    }

    @Override
    public String toString() {
        return "MaskProCandidate" + params();
    }
}
