package org.maskpro4j.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Where a mask came from, so it can be traced and reproduced: the method and its full settings, the prior it started
 * from, a fingerprint of the data, the seed, the stages that ran, and the maskpro4j and DL4J versions. Mask files and
 * checkpoints carry it as {@code provenance.*} properties.
 *
 * @param method    the method's registry name
 * @param settings  the method's settings ({@code key -> value}, e.g. a MaskPro config's keys)
 * @param prior     the prior's name (or a fingerprint of the prior masks), or null when the method uses none
 * @param data      {@link DataFingerprint#of} of the training / calibration batches
 * @param seed      the seed of every random choice, or null for a method without randomness
 * @param stages    the pipeline stages that ran, in order
 * @param maskpro4j the maskpro4j version that wrote it
 * @param dl4j      the DL4J version it ran on
 */
public record Provenance(String method, Map<String, String> settings, String prior, String data, Long seed,
        List<String> stages, String maskpro4j, String dl4j) {
    private static final String PREFIX = "provenance.";
    private static final Properties VERSIONS = versions();

    public Provenance {
        Objects.requireNonNull(method, "method");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        stages = List.copyOf(stages);
    }

    /** A provenance of this maskpro4j and DL4J; the seed is the settings' {@code seed}, if any. */
    public static Provenance of(String method, Map<String, String> settings, String prior, String data, List<String> stages) {
        String seed = settings.get("seed");
        return new Provenance(method, settings, prior, data, seed == null ? null : Long.valueOf(seed), stages,
                VERSIONS.getProperty("maskpro4j"), VERSIONS.getProperty("dl4j"));
    }

    /** Puts {@code provenance.*} entries into {@code target}. */
    public void write(Properties target) {
        target.setProperty(PREFIX + "method", method);
        settings.forEach((k, v) -> target.setProperty(PREFIX + "settings." + k, v));
        put(target, "prior", prior);
        put(target, "data", data);
        put(target, "seed", seed == null ? null : seed.toString());
        target.setProperty(PREFIX + "stages", String.join(",", stages));
        put(target, "maskpro4j", maskpro4j);
        put(target, "dl4j", dl4j);
    }

    private static void put(Properties target, String key, String value) {
        if (value != null) {
            target.setProperty(PREFIX + key, value);
        }
    }

    /** The provenance in {@code p}, or null when {@code p} has none (a file written before provenance was recorded). */
    public static Provenance read(Properties p) {
        String method = p.getProperty(PREFIX + "method");
        if (method == null) {
            return null;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        String settingsPrefix = PREFIX + "settings.";
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (key.startsWith(settingsPrefix)) {
                settings.put(key.substring(settingsPrefix.length()), p.getProperty(key));
            }
        }
        String seed = p.getProperty(PREFIX + "seed");
        String stages = p.getProperty(PREFIX + "stages", "");
        return new Provenance(method, settings, p.getProperty(PREFIX + "prior"), p.getProperty(PREFIX + "data"),
                seed == null ? null : Long.valueOf(seed), stages.isEmpty() ? List.of() : Arrays.asList(stages.split(",")),
                p.getProperty(PREFIX + "maskpro4j"), p.getProperty(PREFIX + "dl4j"));
    }

    /** A JSON-friendly map of every field. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("settings", settings);
        m.put("prior", prior);
        m.put("data", data);
        m.put("seed", seed);
        m.put("stages", stages);
        m.put("maskpro4j", maskpro4j);
        m.put("dl4j", dl4j);
        return m;
    }

    private static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read maskpro4j's versions.properties", e);
        }
        return p;
    }
}
