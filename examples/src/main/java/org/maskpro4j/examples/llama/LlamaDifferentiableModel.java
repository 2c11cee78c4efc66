package org.maskpro4j.examples.llama;

import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.DistillableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.SameDiffModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LLaMA graph with backprop, for MaskLLM and masked fine-tuning: a {@link SameDiffModel} over the same weight variables that
 * {@link LlamaMaskableModel} selects, fed with each batch's placeholders. Gradients are those of the graph's
 * {@link LlamaGraph#OBJECTIVE}, which is the cross-entropy unless a teacher's distribution is given (distillation). The one backprop adapter of the LLaMA graph
 * (MaskLLM, fine-tuning, benchmarks, tests); priors and calibration go through the forward-only selection.
 */
public final class LlamaDifferentiableModel implements DistillableModel<LlamaBatch> {
    private final LlamaGraph graph;
    private final SameDiffModel model;
    private final LlamaMaskableModel selection;

    /** Over the weights {@code selection} picks of {@code graph} (the graph it was built on). */
    public LlamaDifferentiableModel(LlamaGraph graph, LlamaMaskableModel selection) {
        this.graph = graph;
        SameDiffModel.Builder b = SameDiffModel.builder(graph.sameDiff()).loss(LlamaGraph.OBJECTIVE)
                .pattern(selection.pattern());
        for (MaskableWeight w : selection.weights()) {
            b.weight(w.name(), GroupLayout.Kind.OUT_IN);
        }
        this.model = b.build();
        this.selection = selection;
    }

    @Override
    public List<MaskableWeight> weights() {
        return model.weights();
    }

    @Override
    public List<String> skipped() {
        return selection.skipped();
    }

    @Override
    public double loss(LlamaBatch batch) {
        return graph.loss(batch);
    }

    @Override
    public Gradients lossAndGradients(LlamaBatch batch) {
        // λ = 0: the teacher input only has to be finite; zeros of the right shape
        try (INDArray noTeacher = Nd4j.zeros(DataType.FLOAT, batch.tokens().length(), graph.config().vocabSize())) {
            return lossAndGradients(batch, noTeacher, 0);
        }
    }

    @Override
    public Gradients lossAndGradients(LlamaBatch batch, INDArray teacherLogProbabilities, double lambda) {
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("Distillation weight must lie in [0, 1], got " + lambda);
        }
        long[] expected = {batch.tokens().length(), graph.config().vocabSize()};
        if (!java.util.Arrays.equals(teacherLogProbabilities.shape(), expected)) {
            throw new IllegalArgumentException("Teacher log-probabilities must have shape " + java.util.Arrays.toString(expected)
                    + " (batch positions x vocabulary), got " + java.util.Arrays.toString(teacherLogProbabilities.shape()));
        }
        return model.lossAndGradients(graph.placeholders(batch, teacherLogProbabilities, lambda));
    }

    @Override
    public INDArray logProbabilities(LlamaBatch batch) {
        return graph.logProbabilities(batch);
    }

    /** The selection's calibration inputs for the weight of the same name. */
    @Override
    public INDArray inputRows(MaskableWeight weight, LlamaBatch batch) {
        return selection.inputRows(selected(weight), batch);
    }

    /** The selection's inputs of the weights of the same names, from one forward pass. */
    @Override
    public Map<String, INDArray> inputRows(List<MaskableWeight> weights, LlamaBatch batch) {
        return selection.inputRows(weights.stream().map(this::selected).toList(), batch);
    }

    /** The selection's per-block groups; the weights here carry the same names. */
    @Override
    public List<List<String>> calibrationGroups() {
        return selection.calibrationGroups();
    }

    private MaskableWeight selected(MaskableWeight weight) {
        for (MaskableWeight w : selection.weights()) {
            if (w.name().equals(weight.name())) {
                return w;
            }
        }
        throw new IllegalArgumentException("Weight '" + weight.name() + "' is not a maskable weight of this LLaMA model");
    }
}
