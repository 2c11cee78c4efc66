package org.maskpro4j.inference;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * A pruned DL4J model loaded from a compressed model file, whose Dense and Output layers run on the N:M kernel and
 * every other layer in DL4J. Outputs and loss equal the uncompressed model's to float rounding. The DL4J model it
 * rebuilds keeps dense copies of the compressed weights too: the layers that stay in DL4J need its parameter
 * storage, and so does the regularisation term of the loss.
 */
public interface CompressedModel {

    /** The DL4J model (with dense copies of the compressed weights). */
    Model network();

    /** Inference output for the (single) input, as DL4J's {@code output(features)}. */
    INDArray output(INDArray features);

    /** The loss DL4J's {@code score(data, false)} reports: mean over examples plus the regularisation term. */
    double score(DataSet data);

    /** True when {@code file} holds a DL4J model written by {@link #compress}. */
    static boolean holdsModel(NmModelFile file) {
        return file.names().contains(KernelLayers.KIND);
    }

    /**
     * Every Dense and Output layer's weight in N:M form, all other parameters dense.
     *
     * @param keepDense names of Dense/Output layers to store dense
     * @throws IllegalArgumentException naming the layer when a weight is not strictly N:M
     */
    static NmModelFile compress(Model model, NmPattern pattern, Collection<String> keepDense) {
        if (model instanceof MultiLayerNetwork net) {
            return CompressedNetwork.compress(net, pattern, keepDense);
        }
        if (model instanceof ComputationGraph graph) {
            return CompressedGraph.compress(graph, pattern, keepDense);
        }
        throw new IllegalArgumentException("Cannot compress a " + model.getClass().getSimpleName()
                + ": MultiLayerNetwork and ComputationGraph only");
    }

    /** Rebuilds the model of a file written by {@link #compress}, computing with {@code kernel}. */
    static CompressedModel load(NmModelFile file, NmKernel kernel) {
        String kind = new String(file.bytes(KernelLayers.KIND), StandardCharsets.UTF_8);
        return switch (kind) {
            case CompressedNetwork.KIND_NAME -> CompressedNetwork.load(file, kernel);
            case CompressedGraph.KIND_NAME -> CompressedGraph.load(file, kernel);
            default -> throw new IllegalArgumentException("Compressed DL4J model of unknown kind '" + kind + "'");
        };
    }
}
