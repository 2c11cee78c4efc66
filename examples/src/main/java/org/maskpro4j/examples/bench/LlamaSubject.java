package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaDifferentiableModel;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;

/** A llama2.c model run as one SameDiff graph ({@link LlamaGraph}) with tokenised text minibatches. */
public final class LlamaSubject implements BenchSubject<LlamaBatch> {
    private final String name;
    private final LlamaGraph graph;
    private final List<LlamaBatch> batches;

    public LlamaSubject(String name, LlamaGraph graph, List<LlamaBatch> batches) {
        this.name = Objects.requireNonNull(name, "name");
        this.graph = Objects.requireNonNull(graph, "graph");
        if (batches == null || batches.isEmpty()) {
            throw new IllegalArgumentException("Benchmarks of " + name + " need at least one minibatch");
        }
        this.batches = List.copyOf(batches);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<LlamaBatch> batches() {
        return batches;
    }

    @Override
    public double forward(LlamaBatch batch) {
        return graph.loss(batch);
    }

    /** The command line's view: every linear weight of every block whose fan-in fits. */
    @Override
    public MaskableModel<LlamaBatch> maskable(NmPattern pattern) {
        return new LlamaMaskableModel(graph, pattern);
    }

    /**
     * A {@link org.maskpro4j.weights.SameDiffModel} over the same variables, checked by one backward pass on the first
     * batch, because SameDiff builds a graph's gradient lazily and some of its ops cannot be differentiated.
     */
    @Override
    public DifferentiableModel<LlamaBatch> differentiable(NmPattern pattern) {
        LlamaDifferentiableModel model = new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, pattern));
        try {
            model.lossAndGradients(batches.get(0));
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalStateException("SameDiff cannot backpropagate the " + name + " graph: " + e.getMessage()
                    + " (" + root + ")", e);
        }
        return model;
    }

    @Override
    public BenchSubject<LlamaBatch> copy() {
        return new LlamaSubject(name, LlamaGraph.build(graph.toCheckpoint()), batches);
    }

    @Override
    public Optional<BenchSubject<LlamaBatch>> wrapperLayers(NmPattern pattern) {
        return Optional.empty();
    }
}
