package org.maskpro4j.weights;

import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.dataset.DataSet;

/** What a MultiLayerNetwork and a ComputationGraph share as maskable models: discovery over their layers, DataSet batches. */
abstract class Dl4jNetworkModel implements DifferentiableModel<DataSet> {
    private final Dl4jWeights.Discovery discovery;

    Dl4jNetworkModel(Layer[] layers, NmPattern pattern, WeightSelection selection) {
        this.discovery = Dl4jWeights.discover(layers, pattern, selection);
    }

    public Dl4jWeights.Discovery discovery() {
        return discovery;
    }

    @Override
    public List<String> skipped() {
        return discovery.skipped().stream().map(Dl4jWeights.Skipped::toString).toList();
    }

    @Override
    public List<MaskableWeight> weights() {
        return discovery.weights();
    }

    @Override
    public String batchKey(DataSet batch) {
        return Batches.key(batch);
    }
}
