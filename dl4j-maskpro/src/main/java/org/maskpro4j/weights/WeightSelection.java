package org.maskpro4j.weights;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which layers of a model get N:M masks. By default every supported layer whose fan-in fits the pattern;
 * names and types narrow or widen that, and the first/last maskable layer can be kept dense (as LLM pruning
 * keeps the classifier dense).
 */
public final class WeightSelection {
    private final Set<String> includeNames;
    private final Set<String> excludeNames;
    private final Set<String> includeTypes;
    private final boolean keepFirstDense;
    private final boolean keepLastDense;

    private WeightSelection(Builder b) {
        this.includeNames = Collections.unmodifiableSet(new LinkedHashSet<>(b.includeNames));
        this.excludeNames = Collections.unmodifiableSet(new LinkedHashSet<>(b.excludeNames));
        this.includeTypes = Collections.unmodifiableSet(new LinkedHashSet<>(b.includeTypes));
        this.keepFirstDense = b.keepFirstDense;
        this.keepLastDense = b.keepLastDense;
        Set<String> both = new LinkedHashSet<>(includeNames);
        both.retainAll(excludeNames);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("Layers " + both + " are both included and excluded; name each layer once");
        }
    }

    public static WeightSelection all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Why a layer of the given name and simple type name is not selected, or null when it is. */
    String rejectionReason(String layerName, String typeName) {
        if (excludeNames.contains(layerName)) {
            return "excluded by name";
        }
        if (!includeNames.isEmpty() && !includeNames.contains(layerName)) {
            return "not in the included layer names " + includeNames;
        }
        if (!includeTypes.isEmpty() && !includeTypes.contains(typeName)) {
            return "type " + typeName + " not in the included types " + includeTypes;
        }
        return null;
    }

    /** True when a layer (or weight) of this name and type is selected by the name/type rules. */
    public boolean selects(String layerName, String typeName) {
        return rejectionReason(layerName, typeName) == null;
    }

    public boolean keepFirstDense() {
        return keepFirstDense;
    }

    public boolean keepLastDense() {
        return keepLastDense;
    }

    /** Names that were asked for but never seen: a typo there would otherwise prune the wrong layers silently. */
    List<String> unknownNames(Set<String> seen) {
        Set<String> asked = new LinkedHashSet<>(includeNames);
        asked.addAll(excludeNames);
        asked.removeAll(seen);
        return List.copyOf(asked);
    }

    public static final class Builder {
        private final Set<String> includeNames = new LinkedHashSet<>();
        private final Set<String> excludeNames = new LinkedHashSet<>();
        private final Set<String> includeTypes = new LinkedHashSet<>();
        private boolean keepFirstDense;
        private boolean keepLastDense;

        public Builder include(String... layerNames) {
            includeNames.addAll(List.of(layerNames));
            return this;
        }

        public Builder exclude(String... layerNames) {
            excludeNames.addAll(List.of(layerNames));
            return this;
        }

        /** Simple class names of layer configs, e.g. "DenseLayer", "ConvolutionLayer", "LSTM". */
        public Builder types(String... simpleTypeNames) {
            includeTypes.addAll(List.of(simpleTypeNames));
            return this;
        }

        public Builder keepFirstDense(boolean keep) {
            this.keepFirstDense = keep;
            return this;
        }

        public Builder keepLastDense(boolean keep) {
            this.keepLastDense = keep;
            return this;
        }

        public WeightSelection build() {
            return new WeightSelection(this);
        }
    }
}
