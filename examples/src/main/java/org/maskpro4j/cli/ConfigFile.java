package org.maskpro4j.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.maskpro4j.method.MethodSettings;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code prune --config FILE}: a properties file of {@link MethodSettings#toProperties()} keys plus {@code method},
 * {@code prior} and {@code examples} (a sweep's best-maskpro.properties is one). Picocli asks it for the default of
 * every option the command line leaves out, so options given win and the file wins over the built-in defaults; the
 * settings no option covers (MaskLLM's and the one-shot options) are read by {@link #settings}.
 */
public final class ConfigFile implements IDefaultValueProvider {
    /** The option that names the file. */
    static final String OPTION = "--config";
    /** Keys of the file that are options of {@code prune}, by option name. */
    private static final Map<String, String> KEYS_BY_OPTION = Map.ofEntries(Map.entry("--pattern", "pattern"),
            Map.entry("--update", "updateRule"), Map.entry("--lr", "learningRate"), Map.entry("--alpha", "smoothing"),
            Map.entry("--logits", "logitMagnitude"), Map.entry("--samples", "samplesPerStep"), Map.entry("--steps", "steps"),
            Map.entry("--eval-every", "evalEvery"), Map.entry("--seed", "seed"), Map.entry("--method", "method"),
            Map.entry("--prior", "prior"), Map.entry("--examples", "examples"));
    /** Keys of the file that are not method settings. */
    static final List<String> RUN_KEYS = List.of("method", "prior", "examples");

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || !KEYS_BY_OPTION.containsKey(option.longestName())) {
            return null;
        }
        OptionSpec config = arg.command().findOption(OPTION);
        if (config == null || config.originalStringValues().isEmpty()) {
            return null;
        }
        try {
            Properties p = load(Path.of(config.originalStringValues().get(0)));
            MethodSettings.fromProperties(p, Set.copyOf(RUN_KEYS));
            String value = p.getProperty(KEYS_BY_OPTION.get(option.longestName()));
            return value == null ? null : value.trim();
        } catch (IOException | RuntimeException e) {
            // settings() reports an unreadable file or a bad key or value, naming the file, before anything runs
            return null;
        }
    }

    /**
     * The method settings {@code file} holds, MaskPro's replaced by {@code maskPro} (the options, whose defaults came
     * from the file); every key is checked.
     *
     * @throws UserError naming the file for an unreadable file, an unknown key or a bad value
     */
    static MethodSettings settings(Path file, Properties maskPro) throws IOException {
        Properties p = load(file);
        try {
            MethodSettings.fromProperties(p, Set.copyOf(RUN_KEYS));
            Properties merged = new Properties();
            merged.putAll(p);
            RUN_KEYS.forEach(merged::remove);
            merged.putAll(maskPro);
            return MethodSettings.fromProperties(merged, Set.of());
        } catch (IllegalArgumentException e) {
            throw new UserError("--config " + file + ": " + e.getMessage(), e);
        }
    }

    static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }
}
