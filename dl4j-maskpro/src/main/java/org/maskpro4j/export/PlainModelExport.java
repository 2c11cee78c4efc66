package org.maskpro4j.export;

import java.util.LinkedHashMap;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.layers.MaskProLayer;
import org.maskpro4j.layers.MaskProParams;
import org.maskpro4j.layers.ModelSurgery;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a network with MaskPro layers into an ordinary DL4J network: each MaskPro layer becomes the equivalent
 * {@code DenseLayer} / {@code ConvolutionLayer} ({@link MaskProLayer#toPlainLayer()}) with {@code W := W ⊙ nmMask}
 * and the bias copied; all other layers, preprocessors and settings are copied as they are. The result references
 * no maskpro4j class, so a file written with {@code ModelSerializer.writeModel} loads with DL4J alone. The logits
 * are dropped; the source network is unchanged, and the result has a fresh updater.
 */
public final class PlainModelExport {
    private static final Logger log = LoggerFactory.getLogger(PlainModelExport.class);
    private static final ModelSurgery.ParamTransfer MASKED_WEIGHTS = PlainModelExport::copyMasked;

    private PlainModelExport() {
    }

    public static MultiLayerNetwork toPlain(MultiLayerNetwork wrapped) {
        Map<String, org.deeplearning4j.nn.conf.layers.Layer> plain = new LinkedHashMap<>();
        for (int i = 0; i < wrapped.getLayerWiseConfigurations().getConfs().size(); i++) {
            org.deeplearning4j.nn.conf.layers.Layer conf = wrapped.getLayerWiseConfigurations().getConf(i).getLayer();
            if (conf instanceof MaskProLayer maskPro) {
                plain.put(ModelSurgery.layerName(wrapped, i), maskPro.toPlainLayer());
            }
        }
        log.info("Exporting {} MaskPro layer(s) {} as plain DL4J layers", plain.size(), plain.keySet());
        return ModelSurgery.replaceLayers(wrapped, plain, MASKED_WEIGHTS);
    }

    public static ComputationGraph toPlain(ComputationGraph wrapped) {
        Map<String, org.deeplearning4j.nn.conf.layers.Layer> plain = new LinkedHashMap<>();
        for (Layer layer : wrapped.getLayers()) {
            if (layer.conf().getLayer() instanceof MaskProLayer maskPro) {
                plain.put(maskPro.getLayerName(), maskPro.toPlainLayer());
            }
        }
        log.info("Exporting {} MaskPro layer(s) {} as plain DL4J layers", plain.size(), plain.keySet());
        return ModelSurgery.replaceLayers(wrapped, plain, MASKED_WEIGHTS);
    }

    private static void copyMasked(String name, Layer from, Layer to) {
        INDArray masked = from.getParam(MaskProParams.WEIGHT).mul(from.getParam(MaskProParams.MASK));
        ModelSurgery.assignReshaped(to.getParam(MaskProParams.WEIGHT), masked);
        if (from.getParam(MaskProParams.BIAS) != null) {
            ModelSurgery.assignReshaped(to.getParam(MaskProParams.BIAS), from.getParam(MaskProParams.BIAS));
        }
    }
}
