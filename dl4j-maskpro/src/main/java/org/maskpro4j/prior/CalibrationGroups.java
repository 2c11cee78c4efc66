package org.maskpro4j.prior;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;

/**
 * Which weights {@link OneShotPruner} calibrates together. The weights of one group take their input statistics from
 * the same forward passes, all of them still dense, with every earlier group already pruned; then the whole group is
 * pruned. One weight per group is matrix-sequential calibration; one group per transformer block is what the Wanda and
 * SparseGPT reference code does on LLMs.
 */
public final class CalibrationGroups {
    private final String description;
    private final Function<MaskableModel<?>, List<List<String>>> names;

    private CalibrationGroups(String description, Function<MaskableModel<?>, List<List<String>>> names) {
        this.description = description;
        this.names = names;
    }

    /** The model's own grouping, {@link MaskableModel#calibrationGroups()} (one weight per group unless it says otherwise). */
    public static CalibrationGroups declaredByModel() {
        return new CalibrationGroups("declared by the model", MaskableModel::calibrationGroups);
    }

    /** One weight at a time, each calibrated with every earlier weight pruned, whatever the model declares. */
    public static CalibrationGroups perWeight() {
        return new CalibrationGroups("one weight per group",
                model -> model.weights().stream().map(w -> List.of(w.name())).toList());
    }

    /**
     * Explicit groups of weight names.
     *
     * @param groups non-empty groups that, concatenated, list every maskable weight once, in forward order
     */
    public static CalibrationGroups of(List<List<String>> groups) {
        List<List<String>> copy = Objects.requireNonNull(groups, "groups").stream().map(List::copyOf).toList();
        return new CalibrationGroups("given", model -> copy);
    }

    /**
     * The groups of {@code model}'s weights, checked.
     *
     * @throws IllegalArgumentException when weight names repeat, or the groups are empty, name an unknown weight, or
     *                                  do not list every weight once in forward order
     */
    public List<List<MaskableWeight>> resolve(MaskableModel<?> model) {
        Map<String, MaskableWeight> byName = new HashMap<>();
        for (MaskableWeight w : model.weights()) {
            if (byName.put(w.name(), w) != null) {
                throw new IllegalArgumentException("Two weights are named '" + w.name() + "'; weight names must be unique");
            }
        }
        List<List<String>> groups = names.apply(model);
        List<String> forward = model.weights().stream().map(MaskableWeight::name).toList();
        // Later weights calibrated before earlier ones would see inputs from dense layers that are pruned afterwards.
        List<String> listed = groups.stream().flatMap(List::stream).toList();
        if (groups.stream().anyMatch(List::isEmpty) || !listed.equals(forward)) {
            throw new IllegalArgumentException("Calibration groups (" + description + ") " + groups + " must be"
                    + " non-empty and, concatenated, list every maskable weight once in forward order: " + forward);
        }
        List<List<MaskableWeight>> resolved = new ArrayList<>(groups.size());
        for (List<String> group : groups) {
            resolved.add(group.stream().map(byName::get).toList());
        }
        return resolved;
    }

    @Override
    public String toString() {
        return "calibration groups " + description;
    }
}
