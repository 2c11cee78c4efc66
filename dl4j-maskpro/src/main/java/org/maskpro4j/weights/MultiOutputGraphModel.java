package org.maskpro4j.weights;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A ComputationGraph with any number of inputs and outputs (a policy and a value head, auxiliary classifiers …) as a
 * {@link MaskableModel} over MultiDataSets. Its loss is the data part of DL4J's score, which sums the losses of all
 * output layers; the L1/L2/weight-decay penalty is taken out, as for every DL4J model.
 */
public final class MultiOutputGraphModel implements MaskableModel<MultiDataSet> {
    private final ComputationGraph graph;
    private final Dl4jWeights.Discovery discovery;

    public MultiOutputGraphModel(ComputationGraph graph, NmPattern pattern, WeightSelection selection) {
        this.graph = Objects.requireNonNull(graph, "graph");
        if (graph.getLayers() == null) {
            throw new IllegalArgumentException("The ComputationGraph is not initialised: call graph.init() first");
        }
        this.discovery = Dl4jWeights.discover(graph.getLayers(), pattern, selection);
    }

    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public List<MaskableWeight> weights() {
        return discovery.weights();
    }

    @Override
    public List<String> skipped() {
        return discovery.skipped().stream().map(Dl4jWeights.Skipped::toString).toList();
    }

    @Override
    public double loss(MultiDataSet batch) {
        requireFits(batch);
        return graph.score(batch, false) - graph.calcRegularizationScore(true);
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, MultiDataSet batch) {
        requireFits(batch);
        return ComputationGraphModel.inputRows(graph, discovery, weight, batch.getFeatures());
    }

    @Override
    public String batchKey(MultiDataSet batch) {
        StringBuilder key = new StringBuilder();
        for (INDArray a : batch.getFeatures()) {
            key.append(Arrays.toString(a.shape())).append(a.sumNumber()).append('/').append(a.norm2Number()).append(';');
        }
        for (INDArray a : batch.getLabels()) {
            key.append(Arrays.toString(a.shape())).append(a.sumNumber()).append('/').append(a.norm2Number()).append(';');
        }
        return key.toString();
    }

    private void requireFits(MultiDataSet batch) {
        if (batch == null || batch.getFeatures() == null || batch.numFeatureArrays() != graph.getNumInputArrays()) {
            throw new IllegalArgumentException("The batch has " + (batch == null || batch.getFeatures() == null ? 0
                    : batch.numFeatureArrays()) + " feature arrays but the graph has " + graph.getNumInputArrays() + " inputs");
        }
        if (batch.getLabels() == null || batch.numLabelsArrays() != graph.getNumOutputArrays()) {
            throw new IllegalArgumentException("The batch has " + (batch.getLabels() == null ? 0 : batch.numLabelsArrays())
                    + " label arrays but the graph has " + graph.getNumOutputArrays() + " outputs: the loss needs labels"
                    + " for every output");
        }
    }
}
