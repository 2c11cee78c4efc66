package org.maskpro4j.examples.bench;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.layers.MaskProWrapping;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.ComputationGraphModel;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.dataset.DataSet;

/** A DL4J MultiLayerNetwork or ComputationGraph classifier with labelled minibatches. */
public final class Dl4jSubject implements BenchSubject<DataSet> {
    private final String name;
    private final Model model;
    private final List<DataSet> batches;

    public Dl4jSubject(String name, Model model, List<DataSet> batches) {
        this.name = Objects.requireNonNull(name, "name");
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new IllegalArgumentException("Benchmarks run on a MultiLayerNetwork or ComputationGraph, not "
                    + (model == null ? "null" : model.getClass().getSimpleName()));
        }
        if (batches == null || batches.isEmpty()) {
            throw new IllegalArgumentException("Benchmarks of " + name + " need at least one minibatch");
        }
        this.model = model;
        this.batches = List.copyOf(batches);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<DataSet> batches() {
        return batches;
    }

    @Override
    public double forward(DataSet batch) {
        return model instanceof MultiLayerNetwork net ? net.score(batch, false) : ((ComputationGraph) model).score(batch, false);
    }

    @Override
    public MaskableModel<DataSet> maskable(NmPattern pattern) {
        return view(pattern);
    }

    @Override
    public DifferentiableModel<DataSet> differentiable(NmPattern pattern) {
        return view(pattern);
    }

    private DifferentiableModel<DataSet> view(NmPattern pattern) {
        return model instanceof MultiLayerNetwork net ? new MultiLayerNetworkModel(net, pattern, WeightSelection.all())
                : new ComputationGraphModel((ComputationGraph) model, pattern, WeightSelection.all());
    }

    @Override
    public BenchSubject<DataSet> copy() {
        Model twin = model instanceof MultiLayerNetwork net ? net.clone() : ((ComputationGraph) model).clone();
        return new Dl4jSubject(name, twin, batches);
    }

    @Override
    public Optional<BenchSubject<DataSet>> wrapperLayers(NmPattern pattern) {
        Model wrapped = model instanceof MultiLayerNetwork net ? MaskProWrapping.wrap(net, pattern).network()
                : MaskProWrapping.wrap((ComputationGraph) model, pattern).network();
        return Optional.of(new Dl4jSubject(name + " (MaskPro wrapper layers)", wrapped, batches));
    }
}
