package org.maskpro4j.inference;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.sparse.DenseTensor;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmMatrix;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One DL4J layer in the compressed file and on the kernel, for networks and graphs alike: a Dense or Output layer's
 * weight is stored transposed to {@code [nOut, nIn]} as N:M (groups of M along the input, as everywhere in maskpro4j),
 * every other parameter dense, under entry names made from the layer's key (its index or vertex name).
 */
final class KernelLayers {
    static final String KIND = "dl4j/kind";
    static final String CONFIGURATION = "dl4j/configuration";
    private static final String PARAM = "dl4j/param/";
    private static final String WEIGHT = "dl4j/nm/";

    private KernelLayers() {
    }

    static boolean runsOnKernel(Layer layer) {
        Class<?> type = layer.conf().getLayer().getClass();
        return (type == DenseLayer.class || type == OutputLayer.class)
                && ((FeedForwardLayer) layer.conf().getLayer()).getNIn() > 0;
    }

    static String name(Layer layer) {
        String name = layer.conf().getLayer().getLayerName();
        return name != null ? name : "layer" + layer.getIndex();
    }

    /**
     * @throws IllegalArgumentException naming the layer when its weight is to be N:M but is not strictly N:M
     */
    static void store(NmModelFile.Builder b, String key, Layer layer, NmPattern pattern, Collection<String> keepDense) {
        boolean nm = runsOnKernel(layer) && !keepDense.contains(name(layer));
        for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
            if (nm && p.getKey().equals(DefaultParamInitializer.WEIGHT_KEY)) {
                b.matrix(WEIGHT + key, NmMatrix.compress(name(layer), p.getValue().transpose(), pattern));
            } else {
                b.tensor(PARAM + key + "_" + p.getKey(), DenseTensor.of(p.getValue()));
            }
        }
    }

    /** Sets the layer's parameters from the file; returns its N:M weight, or null when it has none. */
    static NmMatrix load(NmModelFile file, String key, Layer layer) {
        NmMatrix compressed = null;
        for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
            INDArray target = p.getValue();
            if (p.getKey().equals(DefaultParamInitializer.WEIGHT_KEY) && file.hasMatrix(WEIGHT + key)) {
                NmMatrix w = file.matrix(WEIGHT + key);
                requireShape(w.rows() == target.size(1) && w.cols() == target.size(0), key, p.getKey());
                if (!runsOnKernel(layer)) {
                    throw new IllegalArgumentException("Layer " + key + " holds an N:M weight but is a "
                            + layer.conf().getLayer().getClass().getSimpleName() + ", not a Dense or Output layer");
                }
                target.assign(w.toDenseArray().transpose());
                compressed = w;
            } else {
                DenseTensor t = file.tensor(PARAM + key + "_" + p.getKey());
                requireShape(Arrays.equals(t.shape(), target.shape()), key, p.getKey());
                target.assign(t.toArray());
            }
        }
        return compressed;
    }

    private static void requireShape(boolean fits, String layer, String param) {
        if (!fits) {
            throw new IllegalArgumentException("Layer " + layer + " parameter " + param
                    + " in the compressed file does not fit the configuration's shape (corrupt file?)");
        }
    }

    /** {@code x · W + b} with W on the kernel. */
    static INDArray preOutput(NmKernel kernel, NmMatrix w, Layer layer, INDArray x) {
        INDArray z = kernel.multiplyBatchMajor(w, x);
        INDArray bias = layer.getParam(DefaultParamInitializer.BIAS_KEY);
        if (bias != null) {
            z.addiRowVector(bias.reshape(bias.length()).castTo(z.dataType()));
        }
        return z;
    }

    /** The layer's inference output, on the kernel when {@code w} is not null. */
    static INDArray activate(NmKernel kernel, NmMatrix w, Layer layer, INDArray x) {
        if (w == null) {
            return layer.activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        }
        return ((FeedForwardLayer) layer.conf().getLayer()).getActivationFn().getActivation(preOutput(kernel, w, layer, x), false);
    }

    /** DL4J's {@code score(data, false)} of an output layer given its input: mean loss plus the regularisation term. */
    static double score(NmKernel kernel, NmMatrix w, Layer output, INDArray x, INDArray labels, double regularization) {
        if (w == null) {
            IOutputLayer out = (IOutputLayer) output;
            LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
            out.setInput(x, mgr);
            out.setLabels(labels);
            return out.computeScore(regularization, false, mgr);
        }
        BaseOutputLayer conf = (BaseOutputLayer) output.conf().getLayer();
        return conf.getLossFn().computeScore(labels, preOutput(kernel, w, output, x), conf.getActivationFn(), null, true)
                + regularization;
    }
}
