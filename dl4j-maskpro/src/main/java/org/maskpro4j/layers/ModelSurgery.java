package org.maskpro4j.layers;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds a new network from an existing one with some layer configurations replaced: everything else
 * (preprocessors, other layers, global settings) is cloned, and parameters are copied. Used to swap MaskPro layers
 * in ({@link MaskProWrapping}) and out (plain export). The source network is never modified; updater state is not
 * carried over (the new network starts with a fresh updater).
 */
public final class ModelSurgery {

    /** Copies parameters from a replaced layer of the source network into its replacement. */
    @FunctionalInterface
    public interface ParamTransfer {
        void copy(String layerName, Layer from, Layer to);
    }

    private ModelSurgery() {
    }

    /** The name layers of a MultiLayerNetwork are known by: the configured name, else the index. */
    public static String layerName(MultiLayerNetwork net, int index) {
        String name = net.getLayerWiseConfigurations().getConf(index).getLayer().getLayerName();
        return name != null ? name : String.valueOf(index);
    }

    /** Copies every parameter the two layers share by key, in place ({@code setParam} is a no-op on SameDiff layers). */
    public static void copySharedParams(Layer from, Layer to) {
        Map<String, INDArray> target = to.paramTable();
        for (Map.Entry<String, INDArray> e : from.paramTable().entrySet()) {
            INDArray dst = target.get(e.getKey());
            if (dst != null) {
                assignReshaped(dst, e.getValue());
            }
        }
    }

    /**
     * {@code target := source} for arrays of equal length; DL4J's own convolution bias is {@code [nOut]} where
     * SameDiff layers use {@code [1, nOut]}.
     */
    public static void assignReshaped(INDArray target, INDArray source) {
        if (target.length() != source.length()) {
            throw new IllegalArgumentException("Cannot copy a parameter of shape " + Arrays.toString(source.shape())
                    + " into one of shape " + Arrays.toString(target.shape()));
        }
        target.assign(source.reshape(target.shape()));
    }

    /**
     * @param replacements new layer configurations by layer name (see {@link #layerName}); each is used as given
     * @param transfer     fills the parameters of each replaced layer; other layers get all parameters copied
     */
    public static MultiLayerNetwork replaceLayers(MultiLayerNetwork net, Map<String, org.deeplearning4j.nn.conf.layers.Layer> replacements,
                                                  ParamTransfer transfer) {
        requireInitialised(net.getLayers(), "MultiLayerNetwork");
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        Set<String> pending = new LinkedHashSet<>(replacements.keySet());
        for (int i = 0; i < conf.getConfs().size(); i++) {
            String name = layerName(net, i);
            if (pending.remove(name)) {
                replace(conf.getConf(i), replacements.get(name));
            }
        }
        requireAllFound(pending);
        MultiLayerNetwork result = new MultiLayerNetwork(conf);
        result.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            String name = layerName(net, i);
            copy(name, net.getLayer(i), result.getLayer(i), replacements.containsKey(name), transfer);
        }
        return result;
    }

    /**
     * @param replacements new layer configurations by vertex name; each is used as given
     * @param transfer     fills the parameters of each replaced layer; other layers get all parameters copied
     */
    public static ComputationGraph replaceLayers(ComputationGraph graph, Map<String, org.deeplearning4j.nn.conf.layers.Layer> replacements,
                                                 ParamTransfer transfer) {
        requireInitialised(graph.getLayers(), "ComputationGraph");
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        Set<String> pending = new LinkedHashSet<>(replacements.keySet());
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (vertex.getValue() instanceof LayerVertex layerVertex && pending.remove(vertex.getKey())) {
                replace(layerVertex.getLayerConf(), replacements.get(vertex.getKey()));
            }
        }
        requireAllFound(pending);
        ComputationGraph result = new ComputationGraph(conf);
        result.init();
        for (Layer layer : graph.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            copy(name, layer, result.getLayer(name), replacements.containsKey(name), transfer);
        }
        return result;
    }

    private static void replace(NeuralNetConfiguration layerConf, org.deeplearning4j.nn.conf.layers.Layer replacement) {
        layerConf.setLayer(Objects.requireNonNull(replacement, "replacement layer"));
        // The variable list drives updater blocks; left as is it would name the old layer's parameters.
        layerConf.clearVariables();
    }

    private static void copy(String name, Layer from, Layer to, boolean replaced, ParamTransfer transfer) {
        if (replaced) {
            transfer.copy(name, from, to);
        } else {
            copySharedParams(from, to);
        }
    }

    private static void requireInitialised(Layer[] layers, String kind) {
        if (layers == null) {
            throw new IllegalArgumentException("The " + kind + " is not initialised; call init() first");
        }
    }

    private static void requireAllFound(Set<String> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("No layer named " + missing + " in the network; use the layer names"
                    + " (or indices, for unnamed MultiLayerNetwork layers)");
        }
    }
}
