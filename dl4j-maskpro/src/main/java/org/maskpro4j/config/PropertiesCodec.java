package org.maskpro4j.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The text form of one config type, written once and used wherever the config is stored or read: command-line config
 * files, sweep results, checkpoints and provenance. Each key maps to a getter and a builder setter; reading starts from
 * the builder's defaults, so a file only needs the keys it changes. Unknown keys are errors (a misspelt key would
 * otherwise be silently ignored), and doubles keep their exact value.
 *
 * @param <C> the config type
 * @param <B> its builder
 */
public final class PropertiesCodec<C, B> {
    private final String what;
    private final Supplier<B> newBuilder;
    private final Function<B, C> build;
    private final Map<String, Field<C, B>> fields;

    private record Field<C, B>(Function<C, String> get, BiConsumer<B, String> set) {
    }

    private PropertiesCodec(Builder<C, B> b) {
        this.what = b.what;
        this.newBuilder = b.newBuilder;
        this.build = b.build;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
    }

    /**
     * @param what       the config's name in messages, e.g. "MaskPro config"
     * @param newBuilder a builder holding the defaults
     * @param build      builds (and validates) the config
     */
    public static <C, B> Builder<C, B> builder(String what, Supplier<B> newBuilder, Function<B, C> build) {
        return new Builder<>(what, newBuilder, build);
    }

    /** Every key, in writing order. */
    public Set<String> keys() {
        return fields.keySet();
    }

    /** Every key with its value, in writing order. */
    public Map<String, String> toMap(C config) {
        Map<String, String> m = new LinkedHashMap<>();
        fields.forEach((k, f) -> m.put(k, f.get().apply(config)));
        return m;
    }

    public Properties toProperties(C config) {
        Properties p = new Properties();
        write(config, p, "");
        return p;
    }

    /** Puts every key of {@code config}, prefixed with {@code prefix}, into {@code target}. */
    public void write(C config, Properties target, String prefix) {
        toMap(config).forEach((k, v) -> target.setProperty(prefix + k, v));
    }

    /**
     * The config {@code values} describe, defaults for what they leave out.
     *
     * @throws IllegalArgumentException for an unknown key (naming the known ones), an unreadable value or a config
     *                                  its builder rejects
     */
    public C read(Map<String, String> values) {
        B b = newBuilder.get();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Field<C, B> f = fields.get(e.getKey());
            if (f == null) {
                throw new IllegalArgumentException(what + ": unknown key '" + e.getKey() + "'; known keys: " + keys());
            }
            String value = e.getValue() == null ? "" : e.getValue().trim();
            try {
                f.set().accept(b, value);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(what + ": " + e.getKey() + "=" + value + " is not a number", ex);
            }
        }
        return build.apply(b);
    }

    /** {@link #read(Map)} of every entry of {@code p}. */
    public C read(Properties p) {
        return read(section(p, ""));
    }

    /**
     * The entries of {@code p} whose key starts with {@code prefix}, without it ("" takes the entries without a dot
     * prefix of another section, i.e. every key that contains no '.').
     */
    public static Map<String, String> section(Properties p, String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
            if (prefix.isEmpty() ? !key.contains(".") : key.startsWith(prefix)) {
                m.put(key.substring(prefix.length()), p.getProperty(key));
            }
        }
        return m;
    }

    /** Fails with one line when {@code p} holds a key outside {@code known}. */
    public static void requireKnownKeys(Properties p, Set<String> known, String where) {
        Set<String> unknown = new LinkedHashSet<>(new java.util.TreeSet<>(p.stringPropertyNames()));
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown key" + (unknown.size() == 1 ? " '" + unknown.iterator().next()
                    + "'" : "s " + unknown) + "; known keys: " + known);
        }
    }

    public static final class Builder<C, B> {
        private final String what;
        private final Supplier<B> newBuilder;
        private final Function<B, C> build;
        private final Map<String, Field<C, B>> fields = new LinkedHashMap<>();

        private Builder(String what, Supplier<B> newBuilder, Function<B, C> build) {
            this.what = Objects.requireNonNull(what, "what");
            this.newBuilder = Objects.requireNonNull(newBuilder, "newBuilder");
            this.build = Objects.requireNonNull(build, "build");
        }

        public Builder<C, B> text(String key, Function<C, String> get, BiConsumer<B, String> set) {
            if (fields.put(key, new Field<>(get, set)) != null) {
                throw new IllegalArgumentException(what + ": key '" + key + "' declared twice");
            }
            return this;
        }

        public Builder<C, B> decimal(String key, Function<C, Double> get, BiConsumer<B, Double> set) {
            return text(key, c -> Double.toString(get.apply(c)), (b, v) -> set.accept(b, Double.parseDouble(v)));
        }

        public Builder<C, B> integer(String key, Function<C, Integer> get, BiConsumer<B, Integer> set) {
            return text(key, c -> Integer.toString(get.apply(c)), (b, v) -> set.accept(b, Integer.parseInt(v)));
        }

        public Builder<C, B> longInteger(String key, Function<C, Long> get, BiConsumer<B, Long> set) {
            return text(key, c -> Long.toString(get.apply(c)), (b, v) -> set.accept(b, Long.parseLong(v)));
        }

        public Builder<C, B> bool(String key, Function<C, Boolean> get, BiConsumer<B, Boolean> set) {
            return text(key, c -> Boolean.toString(get.apply(c)), (b, v) -> {
                if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException(what + ": " + key + "=" + v + " is not true or false");
                }
                set.accept(b, Boolean.parseBoolean(v));
            });
        }

        public PropertiesCodec<C, B> build() {
            return new PropertiesCodec<>(this);
        }
    }
}
