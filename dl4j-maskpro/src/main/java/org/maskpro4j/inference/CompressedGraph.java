package org.maskpro4j.inference;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * A compressed ComputationGraph with one input and one output: vertices run in topological order; a layer vertex
 * with an N:M weight runs its preprocessor and then the kernel, every other vertex its own DL4J forward.
 */
public final class CompressedGraph implements CompressedModel {
    static final String KIND_NAME = "ComputationGraph";

    private final ComputationGraph graph;
    private final Map<String, NmMatrix> compressed;
    private final NmKernel kernel;

    private CompressedGraph(ComputationGraph graph, Map<String, NmMatrix> compressed, NmKernel kernel) {
        this.graph = graph;
        this.compressed = Map.copyOf(compressed);
        this.kernel = kernel;
    }

    static NmModelFile compress(ComputationGraph graph, NmPattern pattern, Collection<String> keepDense) {
        requireSingleInputAndOutput(graph.getConfiguration());
        NmModelFile.Builder b = NmModelFile.builder()
                .bytes(KernelLayers.KIND, KIND_NAME.getBytes(StandardCharsets.UTF_8))
                .bytes(KernelLayers.CONFIGURATION, graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
        for (GraphVertex v : graph.getVertices()) {
            if (v.hasLayer()) {
                KernelLayers.store(b, v.getVertexName(), v.getLayer(), pattern, keepDense);
            }
        }
        return b.build();
    }

    static CompressedGraph load(NmModelFile file, NmKernel kernel) {
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(
                new String(file.bytes(KernelLayers.CONFIGURATION), StandardCharsets.UTF_8));
        requireSingleInputAndOutput(conf);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Map<String, NmMatrix> compressed = new LinkedHashMap<>();
        for (GraphVertex v : graph.getVertices()) {
            if (v.hasLayer()) {
                NmMatrix w = KernelLayers.load(file, v.getVertexName(), v.getLayer());
                if (w != null) {
                    compressed.put(v.getVertexName(), w);
                }
            }
        }
        return new CompressedGraph(graph, compressed, kernel);
    }

    private static void requireSingleInputAndOutput(ComputationGraphConfiguration conf) {
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new IllegalArgumentException("Compressed ComputationGraphs need one input and one output, this one has "
                    + conf.getNetworkInputs() + " -> " + conf.getNetworkOutputs());
        }
    }

    @Override
    public ComputationGraph network() {
        return graph;
    }

    /** Names of the layer vertices that run on the kernel. */
    public Set<String> kernelLayers() {
        return compressed.keySet();
    }

    @Override
    public INDArray output(INDArray features) {
        GraphVertex out = outputVertex();
        return KernelLayers.activate(kernel, compressed.get(out.getVertexName()), out.getLayer(), inputOf(out, features));
    }

    @Override
    public double score(DataSet data) {
        GraphVertex out = outputVertex();
        return KernelLayers.score(kernel, compressed.get(out.getVertexName()), out.getLayer(),
                inputOf(out, data.getFeatures()), data.getLabels(), graph.calcRegularizationScore(true));
    }

    private GraphVertex outputVertex() {
        return graph.getVertex(graph.getConfiguration().getNetworkOutputs().get(0));
    }

    /** The input the (layer) vertex {@code target} sees after its preprocessor, running every vertex before it. */
    private INDArray inputOf(GraphVertex target, INDArray features) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        GraphVertex[] vertices = graph.getVertices();
        Map<Integer, INDArray> activations = new HashMap<>();
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex v = vertices[index];
            if (v.isInputVertex()) {
                activations.put(index, features);
                continue;
            }
            VertexIndices[] inputs = v.getInputVertices();
            NmMatrix w = v.hasLayer() ? compressed.get(v.getVertexName()) : null;
            if (w != null || v == target) {
                INDArray x = activations.get(inputs[0].getVertexIndex());
                InputPreProcessor pre = v instanceof LayerVertex lv ? lv.getLayerPreProcessor() : null;
                if (pre != null) {
                    x = pre.preProcess(x, (int) x.size(0), mgr);
                }
                if (v == target) {
                    return x;
                }
                activations.put(index, KernelLayers.activate(kernel, w, v.getLayer(), x));
            } else {
                for (int i = 0; i < inputs.length; i++) {
                    v.setInput(i, activations.get(inputs[i].getVertexIndex()), mgr);
                }
                activations.put(index, v.doForward(false, mgr));
            }
        }
        throw new IllegalStateException("Vertex " + target.getVertexName() + " is not reached from the input");
    }
}
