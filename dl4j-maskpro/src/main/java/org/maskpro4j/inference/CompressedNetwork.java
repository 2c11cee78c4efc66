package org.maskpro4j.inference;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/** A compressed MultiLayerNetwork: layers run in order, each after its input preprocessor. */
public final class CompressedNetwork implements CompressedModel {
    static final String KIND_NAME = "MultiLayerNetwork";

    private final MultiLayerNetwork net;
    private final Map<Integer, NmMatrix> compressed;
    private final NmKernel kernel;

    private CompressedNetwork(MultiLayerNetwork net, Map<Integer, NmMatrix> compressed, NmKernel kernel) {
        this.net = net;
        this.compressed = Map.copyOf(compressed);
        this.kernel = kernel;
    }

    static NmModelFile compress(MultiLayerNetwork net, NmPattern pattern, Collection<String> keepDense) {
        NmModelFile.Builder b = NmModelFile.builder()
                .bytes(KernelLayers.KIND, KIND_NAME.getBytes(StandardCharsets.UTF_8))
                .bytes(KernelLayers.CONFIGURATION, net.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            KernelLayers.store(b, Integer.toString(i), layers[i], pattern, keepDense);
        }
        return b.build();
    }

    static CompressedNetwork load(NmModelFile file, NmKernel kernel) {
        MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(
                new String(file.bytes(KernelLayers.CONFIGURATION), StandardCharsets.UTF_8)));
        net.init();
        Map<Integer, NmMatrix> compressed = new LinkedHashMap<>();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            NmMatrix w = KernelLayers.load(file, Integer.toString(i), layers[i]);
            if (w != null) {
                compressed.put(i, w);
            }
        }
        return new CompressedNetwork(net, compressed, kernel);
    }

    @Override
    public MultiLayerNetwork network() {
        return net;
    }

    /** Indices of the layers that run on the kernel. */
    public Set<Integer> kernelLayers() {
        return compressed.keySet();
    }

    @Override
    public INDArray output(INDArray features) {
        int last = net.getnLayers() - 1;
        return KernelLayers.activate(kernel, compressed.get(last), net.getLayer(last), inputOf(last, features));
    }

    @Override
    public double score(DataSet data) {
        int last = net.getnLayers() - 1;
        return KernelLayers.score(kernel, compressed.get(last), net.getLayer(last), inputOf(last, data.getFeatures()),
                data.getLabels(), net.calcRegularizationScore(true));
    }

    /** The input layer {@code layer} sees (after its preprocessor): layers before it run on the kernel or in DL4J. */
    private INDArray inputOf(int layer, INDArray features) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        INDArray x = features;
        for (int i = 0; i <= layer; i++) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre != null) {
                x = pre.preProcess(x, (int) x.size(0), mgr);
            }
            if (i < layer) {
                x = KernelLayers.activate(kernel, compressed.get(i), net.getLayer(i), x);
            }
        }
        return x;
    }
}
