package org.maskpro4j.inference;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.DenseTensor;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * A pruned MultiLayerNetwork whose Dense and Output layers run on the N:M kernel, loaded from a compressed model
 * file. Its outputs and loss equal the uncompressed network's to float rounding.
 *
 * <p>The file holds the network's configuration JSON, each compressed layer's weight transposed to
 * {@code [nOut, nIn]} (groups of M run along the input, as everywhere in maskpro4j) and every other parameter dense.
 * The DL4J network it rebuilds keeps dense copies of the compressed weights too: the layers that stay in DL4J
 * (convolutions, pooling) need it, and so does the regularisation term of the loss.
 */
public final class CompressedNetwork {
    static final String KIND = "dl4j/kind";
    static final String CONFIGURATION = "dl4j/configuration";
    static final String MULTI_LAYER = "MultiLayerNetwork";
    private static final String PARAM = "dl4j/param/";
    private static final String WEIGHT = "dl4j/nm/";

    private final MultiLayerNetwork net;
    private final Map<Integer, NmMatrix> compressed;
    private final NmKernel kernel;

    private CompressedNetwork(MultiLayerNetwork net, Map<Integer, NmMatrix> compressed, NmKernel kernel) {
        this.net = net;
        this.compressed = Map.copyOf(compressed);
        this.kernel = kernel;
    }

    /** True when {@code file} holds a DL4J network written by {@link #compress}. */
    public static boolean holdsNetwork(NmModelFile file) {
        return file.names().contains(KIND);
    }

    /**
     * Every Dense and Output layer's weight in N:M form, all other parameters dense.
     *
     * @param keepDense names of Dense/Output layers to store dense
     * @throws IllegalArgumentException naming the layer when a weight is not strictly N:M
     */
    public static NmModelFile compress(MultiLayerNetwork net, NmPattern pattern, Collection<String> keepDense) {
        NmModelFile.Builder b = NmModelFile.builder()
                .bytes(KIND, MULTI_LAYER.getBytes(StandardCharsets.UTF_8))
                .bytes(CONFIGURATION, net.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            boolean nm = runsOnKernel(layers[i]) && !keepDense.contains(layerName(layers[i]));
            for (Map.Entry<String, INDArray> p : layers[i].paramTable().entrySet()) {
                if (nm && p.getKey().equals(DefaultParamInitializer.WEIGHT_KEY)) {
                    String owner = "layer " + i + " '" + layerName(layers[i]) + "'";
                    b.matrix(WEIGHT + i, NmMatrix.compress(owner, p.getValue().transpose(), pattern));
                } else {
                    b.tensor(PARAM + i + "_" + p.getKey(), DenseTensor.of(p.getValue()));
                }
            }
        }
        return b.build();
    }

    /** Rebuilds the network from a file written by {@link #compress}, computing with {@code kernel}. */
    public static CompressedNetwork load(NmModelFile file, NmKernel kernel) {
        String kind = new String(file.bytes(KIND), StandardCharsets.UTF_8);
        if (!kind.equals(MULTI_LAYER)) {
            throw new IllegalArgumentException("Compressed DL4J model of kind '" + kind + "': only " + MULTI_LAYER
                    + " is supported");
        }
        MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(
                new String(file.bytes(CONFIGURATION), StandardCharsets.UTF_8));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Map<Integer, NmMatrix> compressed = new LinkedHashMap<>();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            for (Map.Entry<String, INDArray> p : layers[i].paramTable().entrySet()) {
                INDArray target = p.getValue();
                if (p.getKey().equals(DefaultParamInitializer.WEIGHT_KEY) && file.hasMatrix(WEIGHT + i)) {
                    NmMatrix w = file.matrix(WEIGHT + i);
                    requireShape(w.rows() == target.size(1) && w.cols() == target.size(0), i, p.getKey());
                    if (!runsOnKernel(layers[i])) {
                        throw new IllegalArgumentException("Layer " + i + " holds an N:M weight but is a "
                                + layers[i].conf().getLayer().getClass().getSimpleName() + ", not a Dense or Output layer");
                    }
                    target.assign(w.toDenseArray().transpose());
                    compressed.put(i, w);
                } else {
                    DenseTensor t = file.tensor(PARAM + i + "_" + p.getKey());
                    requireShape(Arrays.equals(t.shape(), target.shape()), i, p.getKey());
                    target.assign(t.toArray());
                }
            }
        }
        return new CompressedNetwork(net, compressed, kernel);
    }

    private static void requireShape(boolean fits, int layer, String param) {
        if (!fits) {
            throw new IllegalArgumentException("Layer " + layer + " parameter " + param
                    + " in the compressed file does not fit the configuration's shape (corrupt file?)");
        }
    }

    private static boolean runsOnKernel(Layer layer) {
        Class<?> type = layer.conf().getLayer().getClass();
        return (type == DenseLayer.class || type == OutputLayer.class)
                && ((FeedForwardLayer) layer.conf().getLayer()).getNIn() > 0;
    }

    private static String layerName(Layer layer) {
        String name = layer.conf().getLayer().getLayerName();
        return name != null ? name : "layer" + layer.getIndex();
    }

    /** The DL4J network (with dense copies of the compressed weights). */
    public MultiLayerNetwork network() {
        return net;
    }

    /** Indices of the layers that run on the kernel. */
    public Set<Integer> kernelLayers() {
        return compressed.keySet();
    }

    /** Inference output, as {@code network().output(features, false)}. */
    public INDArray output(INDArray features) {
        int layers = net.getnLayers();
        INDArray x = inputOf(layers - 1, features);
        NmMatrix w = compressed.get(layers - 1);
        if (w == null) {
            return net.getLayer(layers - 1).activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        }
        return activationOf(layers - 1).getActivation(preOutput(layers - 1, w, x), false);
    }

    /** The loss {@code network().score(data, false)} reports: mean over examples plus the regularisation term. */
    public double score(DataSet data) {
        int last = net.getnLayers() - 1;
        INDArray x = inputOf(last, data.getFeatures());
        double regularization = net.calcRegularizationScore(true);
        NmMatrix w = compressed.get(last);
        if (w == null) {
            IOutputLayer out = (IOutputLayer) net.getLayer(last);
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            out.setInput(x, mgr);
            out.setLabels(data.getLabels());
            return out.computeScore(regularization, false, mgr);
        }
        BaseOutputLayer out = (BaseOutputLayer) net.getLayer(last).conf().getLayer();
        return out.getLossFn().computeScore(data.getLabels(), preOutput(last, w, x), out.getActivationFn(), null, true)
                + regularization;
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
            if (i == layer) {
                break;
            }
            NmMatrix w = compressed.get(i);
            x = w == null ? net.getLayer(i).activate(x, false, mgr) : activationOf(i).getActivation(preOutput(i, w, x), false);
        }
        return x;
    }

    /** {@code x · W + b} with W on the kernel. */
    private INDArray preOutput(int layer, NmMatrix w, INDArray x) {
        INDArray z = kernel.multiplyBatchMajor(w, x);
        INDArray bias = net.getLayer(layer).getParam(DefaultParamInitializer.BIAS_KEY);
        if (bias != null) {
            z.addiRowVector(bias.reshape(bias.length()).castTo(z.dataType()));
        }
        return z;
    }

    private IActivation activationOf(int layer) {
        return ((FeedForwardLayer) net.getLayer(layer).conf().getLayer()).getActivationFn();
    }
}
