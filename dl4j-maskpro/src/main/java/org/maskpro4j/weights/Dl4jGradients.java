package org.maskpro4j.weights;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Backprop for the DL4J adapters (MultiLayerNetwork and ComputationGraph differ only in their gradient keys):
 * one {@code computeGradientAndScore} on inputs the caller has set, then dL/dW_live per maskable weight.
 *
 * <p>DL4J's score is the mean over the minibatch, but its backprop gradients are sums: the updater divides them by
 * the minibatch size later. They are divided here, so the gradients are those of the score.
 */
final class Dl4jGradients {
    private Dl4jGradients() {
    }

    /**
     * @param pass  the model's {@code computeGradientAndScore()}
     * @param keyOf the model's gradient key for a found weight ("0_W" in a MultiLayerNetwork, "dense_W" in a graph)
     * @param layers all layers of the model
     * @param output the model's output layer, whose configuration says whether the score is a minibatch mean
     * @param penalty the model's L1/L2/weight-decay score, taken out of its score so the loss is the data loss
     */
    static DifferentiableModel.Gradients backprop(Model model, Runnable pass, Layer[] layers, Dl4jWeights.Discovery discovery,
            Function<Dl4jWeights.Found, String> keyOf, Layer output, long minibatch, DoubleSupplier penalty) {
        refuseSameDiffLayers(layers);
        double divisor = output.conf().isMiniBatch() ? minibatch : 1;
        pass.run();
        Gradient gradient = model.gradient();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Dl4jWeights.Found f : discovery.found()) {
            String key = keyOf.apply(f);
            INDArray full = gradient.getGradientFor(key);
            if (full == null) {
                throw new IllegalStateException("Backprop produced no gradient '" + key + "' for weight '"
                        + f.weight().name() + "'; it has " + gradient.gradientForVariable().keySet());
            }
            // a fresh array: the model reuses its gradient buffer on the next pass
            out.put(f.weight().name(), leadingColumns(full, f.weight().layout().shape()).div(divisor));
        }
        return new DifferentiableModel.Gradients(model.score() - penalty.getAsDouble(), out);
    }

    /**
     * DL4J 1.0.0-M2.1 doubles the error a SameDiffLayer passes back, so every gradient of that layer and of all layers
     * before it is twice the true value (checked against finite differences, float and double, with a minimal
     * SameDiffLayer too). MaskPro layers are SameDiffLayers. Such models are refused rather than corrected by a
     * factor that depends on the DL4J version and on how many such layers are stacked.
     */
    private static void refuseSameDiffLayers(Layer[] layers) {
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = layers[i].conf().getLayer();
            if (conf instanceof AbstractSameDiffLayer) {
                throw new IllegalArgumentException("Layer '" + Dl4jWeights.layerName(layers[i], i) + "' is a SameDiff layer ("
                        + conf.getClass().getSimpleName() + "); DL4J 1.0.0-M2.1 backpropagates twice the true gradient"
                        + " through such layers, so gradient-based mask learning cannot use this model. For MaskPro"
                        + " layers, convert the model with PlainModelExport.toPlain(...) first");
            }
        }
    }

    /**
     * GravesLSTM's {@code RW} gradient has three peephole columns after the gate columns; the maskable weight is the
     * view of the leading columns, so its gradient is the same view.
     */
    private static INDArray leadingColumns(INDArray full, long[] shape) {
        if (full.rank() == 2 && shape.length == 2 && full.size(0) == shape[0] && full.size(1) > shape[1]) {
            return full.get(NDArrayIndex.all(), NDArrayIndex.interval(0, shape[1]));
        }
        return full;
    }
}
