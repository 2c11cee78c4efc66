package org.maskpro4j.weights;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Checks shared by the DL4J model adapters, so every bad batch gets the same clear message. */
final class Batches {
    private Batches() {
    }

    static void requireFits(DataSet batch, Layer outputConf, INDArray outputW) {
        if (batch == null || batch.getFeatures() == null || batch.getFeatures().isEmpty()) {
            throw new IllegalArgumentException("Empty minibatch: it has no features");
        }
        if (batch.getLabels() == null) {
            throw new IllegalArgumentException("Minibatch without labels: the loss needs labels");
        }
        if (outputW != null) {
            long nOut = outputW.size(1);
            long labelCols = batch.getLabels().size(1);
            if (labelCols != nOut) {
                throw new IllegalArgumentException("Labels have shape " + Arrays.toString(batch.getLabels().shape())
                        + " (" + labelCols + " classes) but output layer '" + outputConf.getLayerName() + "' has nOut="
                        + nOut + ": the data does not fit this model");
            }
        }
    }

    /** Mean losses are order-invariant within a batch, so sums identify the batch well enough. */
    static String key(DataSet batch) {
        INDArray f = batch.getFeatures();
        INDArray l = batch.getLabels();
        return Arrays.toString(f.shape()) + "|" + f.sumNumber().doubleValue() + "|" + f.norm2Number().doubleValue()
                + "|" + (l == null ? "" : l.sumNumber().doubleValue() + "|" + l.norm2Number().doubleValue());
    }

    static Dl4jWeights.Found find(Dl4jWeights.Discovery discovery, MaskableWeight weight) {
        for (Dl4jWeights.Found f : discovery.found()) {
            if (f.weight() == weight || f.weight().name().equals(weight.name())) {
                return f;
            }
        }
        throw new IllegalArgumentException("Weight '" + weight.name() + "' does not belong to this model");
    }
}
