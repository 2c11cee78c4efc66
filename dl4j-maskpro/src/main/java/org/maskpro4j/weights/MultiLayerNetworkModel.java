package org.maskpro4j.weights;

import java.util.List;
import java.util.Objects;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A MultiLayerNetwork as a {@link MaskableModel}: masks go straight into its parameters. Its loss is the data part
 * of DL4J's score: the L1/L2/weight-decay penalty is taken out, because it would reward masks for dropping large
 * weights rather than for keeping the model's predictions.
 */
public final class MultiLayerNetworkModel extends Dl4jNetworkModel {
    private final MultiLayerNetwork net;

    public MultiLayerNetworkModel(MultiLayerNetwork net, NmPattern pattern, WeightSelection selection) {
        super(layersOf(net), pattern, selection);
        this.net = net;
    }

    private static Layer[] layersOf(MultiLayerNetwork net) {
        Objects.requireNonNull(net, "net");
        if (net.getLayers() == null) {
            throw new IllegalArgumentException("The MultiLayerNetwork is not initialised: call net.init() first");
        }
        return net.getLayers();
    }

    public MultiLayerNetwork network() {
        return net;
    }

    @Override
    public double loss(DataSet batch) {
        Batches.requireFits(batch, net.getLayerWiseConfigurations().getConf(net.getnLayers() - 1).getLayer(),
                net.getOutputLayer().getParam("W"));
        return net.score(batch, false) - net.calcRegularizationScore(true);
    }

    /** Gradient keys are {@code "<layer index>_<param>"}; the network's input and labels become this batch's. */
    @Override
    public Gradients lossAndGradients(DataSet batch) {
        Batches.requireFits(batch, net.getLayerWiseConfigurations().getConf(net.getnLayers() - 1).getLayer(),
                net.getOutputLayer().getParam("W"));
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.setLayerMaskArrays(batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
        try {
            return Dl4jGradients.backprop(net, net::computeGradientAndScore, net.getLayers(), discovery(),
                    f -> f.layerIndex() + "_" + f.paramKey(), net.getOutputLayer(), batch.getFeatures().size(0),
                    () -> net.calcRegularizationScore(true));
        } finally {
            net.clearLayerMaskArrays();
        }
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, DataSet batch) {
        Dl4jWeights.Found found = Batches.find(discovery(), weight);
        int index = found.layerIndex();
        List<INDArray> acts = net.feedForwardToLayer(index, batch.getFeatures(), false);
        INDArray input = acts.get(index);
        InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(index);
        if (pre != null) {
            input = pre.preProcess(input, (int) input.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        return LayerInputs.rows(net.getLayer(index), found.paramKey(), input, acts.get(index + 1));
    }
}
