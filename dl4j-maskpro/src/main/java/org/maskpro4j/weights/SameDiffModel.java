package org.maskpro4j.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Any SameDiff graph as a {@link MaskableModel}: the caller names the weight variables (with their layout),
 * the scalar loss variable and, for calibration-based priors, the variable each weight multiplies. Batches are
 * placeholder maps. Masks are written into the variables' arrays in place, so the graph is never rebuilt.
 */
public final class SameDiffModel implements DifferentiableModel<Map<String, INDArray>> {
    private final SameDiff sd;
    private final String lossVariable;
    private final List<MaskableWeight> weights;
    private final Map<String, String> inputOf;
    private final List<String> skipped;

    private SameDiffModel(Builder b) {
        this.sd = Objects.requireNonNull(b.sd, "sd");
        this.lossVariable = b.loss != null ? b.loss : graphLoss(sd);
        if (!sd.hasVariable(lossVariable)) {
            throw new IllegalArgumentException("SameDiff graph has no loss variable '" + lossVariable + "'");
        }
        Objects.requireNonNull(b.pattern, "SameDiffModel: the N:M pattern is required");
        List<MaskableWeight> found = new ArrayList<>();
        for (Map.Entry<String, GroupLayout.Kind> e : b.weights.entrySet()) {
            String name = e.getKey();
            if (!sd.hasVariable(name)) {
                throw new IllegalArgumentException("SameDiff graph has no variable '" + name + "'");
            }
            SDVariable v = sd.getVariable(name);
            INDArray arr = v.getArr();
            if (arr == null) {
                throw new IllegalArgumentException("SameDiff variable '" + name + "' holds no array (is it a placeholder?)");
            }
            found.add(new ParamWeight(name, GroupLayout.of(name, e.getValue(), arr.shape(), b.pattern), arr));
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("SameDiffModel: name at least one weight variable");
        }
        this.weights = List.copyOf(found);
        this.inputOf = Map.copyOf(b.inputOf);
        this.skipped = List.copyOf(b.skipped);
    }

    /** The graph's own loss variable, as {@code sd.fit()} would train: the one it marks, or the loss its training config names. */
    private static String graphLoss(SameDiff sd) {
        List<String> marked = sd.getLossVariables();
        if (marked != null && marked.size() == 1) {
            return marked.get(0);
        }
        throw new IllegalArgumentException("SameDiffModel: the graph marks " + (marked == null || marked.isEmpty()
                ? "no loss variable" : "several loss variables " + marked) + "; name the one to learn on with .loss(\"name\")");
    }

    public static Builder builder(SameDiff sd) {
        return new Builder(sd);
    }

    public SameDiff sameDiff() {
        return sd;
    }

    @Override
    public List<MaskableWeight> weights() {
        return weights;
    }

    @Override
    public List<String> skipped() {
        return skipped;
    }

    @Override
    public double loss(Map<String, INDArray> batch) {
        return sd.output(batch, lossVariable).get(lossVariable).getDouble(0);
    }

    /**
     * SameDiff differentiates the sum of the graph's loss variables, so the loss variable must be the only one: it is
     * marked when the graph marks none, and a graph that marks others is refused rather than silently changed.
     */
    @Override
    public Gradients lossAndGradients(Map<String, INDArray> batch) {
        requireSoleLoss();
        List<String> names = weights.stream().map(MaskableWeight::name).toList();
        OutAndGrad result = sd.calculateGradientsAndOutputs(batch, List.of(lossVariable), names);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (String name : names) {
            INDArray g = result.getGradients().get(name);
            if (g == null) {
                throw new IllegalArgumentException("Loss '" + lossVariable + "' does not depend on weight variable '" + name
                        + "' (no gradient): name only weights the loss is computed from");
            }
            grads.put(name, g.dup('c'));
        }
        return new Gradients(result.getOutputs().get(lossVariable).getDouble(0), grads);
    }

    private void requireSoleLoss() {
        List<String> marked = sd.getLossVariables();
        if (marked == null || marked.isEmpty()) {
            sd.setLossVariables(lossVariable);
        } else if (!marked.equals(List.of(lossVariable))) {
            throw new IllegalArgumentException("SameDiff graph marks loss variables " + marked + ", but gradients are taken of '"
                    + lossVariable + "' alone: call sd.setLossVariables(\"" + lossVariable + "\") before learning masks");
        }
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, Map<String, INDArray> batch) {
        String input = inputOf.get(weight.name());
        if (input == null) {
            throw new IllegalArgumentException("No input variable was named for weight '" + weight.name()
                    + "': call Builder.input(\"" + weight.name() + "\", <variable it multiplies>) to calibrate it");
        }
        INDArray x = sd.output(batch, input).get(input);
        long k = weight.layout().rowLength();
        if (x.size(x.rank() - 1) != k) {
            throw new IllegalArgumentException("Variable '" + input + "' has shape " + Arrays.toString(x.shape())
                    + " but weight '" + weight.name() + "' reduces over " + k + " inputs");
        }
        return x.dup('c').reshape('c', -1, k);
    }

    @Override
    public String batchKey(Map<String, INDArray> batch) {
        StringBuilder key = new StringBuilder();
        for (Map.Entry<String, INDArray> e : new TreeMap<>(batch).entrySet()) {
            INDArray a = e.getValue();
            key.append(e.getKey()).append(Arrays.toString(a.shape())).append(a.sumNumber()).append('/')
                    .append(a.norm2Number()).append(';');
        }
        return key.toString();
    }

    public static final class Builder {
        private final SameDiff sd;
        private final Map<String, GroupLayout.Kind> weights = new LinkedHashMap<>();
        private final Map<String, String> inputOf = new LinkedHashMap<>();
        private final List<String> skipped = new ArrayList<>();
        private String loss;
        private NmPattern pattern;

        private Builder(SameDiff sd) {
            this.sd = sd;
        }

        /** The scalar loss to learn on; by default the graph's own (its only loss variable). */
        public Builder loss(String lossVariable) {
            this.loss = lossVariable;
            return this;
        }

        public Builder pattern(NmPattern pattern) {
            this.pattern = pattern;
            return this;
        }

        /** A weight variable, in forward order; {@code kind} says which axis is its input. */
        public Builder weight(String variable, GroupLayout.Kind kind) {
            weights.put(variable, kind);
            return this;
        }

        /** The variable whose last axis the weight reduces over (its input), for calibration. */
        public Builder input(String weightVariable, String inputVariable) {
            inputOf.put(weightVariable, inputVariable);
            return this;
        }

        /** A weight left dense, with why: for reports. */
        public Builder skipped(String weightAndReason) {
            skipped.add(weightAndReason);
            return this;
        }

        public SameDiffModel build() {
            return new SameDiffModel(this);
        }
    }
}
