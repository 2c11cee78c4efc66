package org.maskpro4j.cli;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.maskpro4j.weights.WeightSelection;

import picocli.CommandLine.Option;

/** Which layers get masks. */
public final class SelectionOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    @Option(names = "--exclude", split = ",", description = "Layer (or llama matrix) names to keep dense")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--include", split = ",", description = "Only these layer names")
    List<String> include = new ArrayList<>();

    @Option(names = "--keep-first-dense", description = "Keep the first maskable layer dense")
    boolean keepFirst;

    @Option(names = "--keep-last-dense", description = "Keep the last maskable layer dense")
    boolean keepLast;

    WeightSelection selection() {
        return WeightSelection.builder().include(include.toArray(String[]::new)).exclude(exclude.toArray(String[]::new))
                .keepFirstDense(keepFirst).keepLastDense(keepLast).build();
    }
}
