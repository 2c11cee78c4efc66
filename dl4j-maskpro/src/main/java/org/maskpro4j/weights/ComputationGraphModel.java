package org.maskpro4j.weights;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A single-input, single-output ComputationGraph (ResNets, most zoo graphs) as a {@link MaskableModel}.
 * Calibration feeds forward only up to the vertex whose input is needed.
 */
public final class ComputationGraphModel extends Dl4jNetworkModel {
    private final ComputationGraph graph;

    public ComputationGraphModel(ComputationGraph graph, NmPattern pattern, WeightSelection selection) {
        super(layersOf(graph), pattern, selection);
        this.graph = graph;
    }

    private static org.deeplearning4j.nn.api.Layer[] layersOf(ComputationGraph graph) {
        Objects.requireNonNull(graph, "graph");
        if (graph.getLayers() == null) {
            throw new IllegalArgumentException("The ComputationGraph is not initialised: call graph.init() first");
        }
        if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
            throw new IllegalArgumentException("This ComputationGraph has " + graph.getNumInputArrays() + " inputs and "
                    + graph.getNumOutputArrays() + " outputs: use MultiOutputGraphModel, whose batches are MultiDataSets");
        }
        return graph.getLayers();
    }

    public ComputationGraph graph() {
        return graph;
    }

    @Override
    public double loss(DataSet batch) {
        org.deeplearning4j.nn.api.Layer out = graph.getOutputLayer(0);
        Batches.requireFits(batch, out.conf().getLayer(), out.getParam("W"));
        return graph.score(batch, false) - graph.calcRegularizationScore(true);
    }

    /** Gradient keys are {@code "<layer name>_<param>"}; the graph's inputs and labels become this batch's. */
    @Override
    public Gradients lossAndGradients(DataSet batch) {
        org.deeplearning4j.nn.api.Layer out = graph.getOutputLayer(0);
        Batches.requireFits(batch, out.conf().getLayer(), out.getParam("W"));
        graph.setInputs(batch.getFeatures());
        graph.setLabels(batch.getLabels());
        graph.setLayerMaskArrays(masks(batch.getFeaturesMaskArray()), masks(batch.getLabelsMaskArray()));
        try {
            return Dl4jGradients.backprop(graph, graph::computeGradientAndScore, graph.getLayers(), discovery(),
                    f -> graph.getLayers()[f.layerIndex()].conf().getLayer().getLayerName() + "_" + f.paramKey(), out,
                    batch.getFeatures().size(0), () -> graph.calcRegularizationScore(true));
        } finally {
            graph.clearLayerMaskArrays();
        }
    }

    private static INDArray[] masks(INDArray mask) {
        return mask == null ? null : new INDArray[] {mask};
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, DataSet batch) {
        return inputRows(graph, discovery(), weight, new INDArray[] {batch.getFeatures()});
    }

    /** The rows {@code weight} multiplies when the graph is fed {@code features}; shared with {@link MultiOutputGraphModel}. */
    static INDArray inputRows(ComputationGraph graph, Dl4jWeights.Discovery discovery, MaskableWeight weight,
            INDArray[] features) {
        Dl4jWeights.Found found = Batches.find(discovery, weight);
        org.deeplearning4j.nn.api.Layer layer = graph.getLayers()[found.layerIndex()];
        String name = layer.conf().getLayer().getLayerName();
        // feedForward stops at an index into getLayers(); a vertex index would overrun it at the last layer
        Map<String, INDArray> acts = graph.feedForward(features, found.layerIndex(), false);
        List<String> inputs = graph.getConfiguration().getVertexInputs().get(name);
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("Layer '" + name + "' has " + inputs.size() + " inputs; expected one");
        }
        INDArray input = acts.get(inputs.get(0));
        if (input == null) {
            input = features[graph.getConfiguration().getNetworkInputs().indexOf(inputs.get(0))];
        }
        GraphVertex vertex = graph.getConfiguration().getVertices().get(name);
        if (vertex instanceof LayerVertex lv && lv.getPreProcessor() != null) {
            InputPreProcessor pre = lv.getPreProcessor();
            input = pre.preProcess(input, (int) input.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        return LayerInputs.rows(layer, found.paramKey(), input, acts.get(name));
    }
}
