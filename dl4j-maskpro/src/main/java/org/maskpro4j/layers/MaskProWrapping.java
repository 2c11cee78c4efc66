package org.maskpro4j.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

import org.deeplearning4j.nn.api.layers.LayerConstraint;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.activations.Activation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an existing network into one whose maskable layers are MaskPro layers: every {@link DenseLayer} and NCHW
 * {@link ConvolutionLayer} (exact classes: output, deconvolution, depthwise and separable layers are kept) whose
 * fan-in is a multiple of M becomes a {@link MaskProDenseLayer} / {@link MaskProConv2DLayer} with the same
 * hyperparameters, training configuration and weights, and a dense mask; so the new network computes exactly what
 * the old one did until a mask is applied. Everything else is copied unchanged.
 */
public final class MaskProWrapping {
    private static final Logger log = LoggerFactory.getLogger(MaskProWrapping.class);
    /** W and b carry over by key; the new nmMask and nmLogits keep their initial ones and zeros. */
    private static final ModelSurgery.ParamTransfer COPY_WEIGHTS = (name, from, to) -> ModelSurgery.copySharedParams(from, to);

    private MaskProWrapping() {
    }

    /** Wraps every eligible layer. */
    public static WrapResult<MultiLayerNetwork> wrap(MultiLayerNetwork net, NmPattern pattern) {
        return wrap(net, pattern, name -> true);
    }

    /**
     * @param layerFilter accepts the names (see {@link ModelSurgery#layerName}) of the layers that may be wrapped
     */
    public static WrapResult<MultiLayerNetwork> wrap(MultiLayerNetwork net, NmPattern pattern, Predicate<String> layerFilter) {
        Objects.requireNonNull(pattern, "pattern");
        Map<String, Layer> replacements = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (int i = 0; i < net.getLayerWiseConfigurations().getConfs().size(); i++) {
            String name = ModelSurgery.layerName(net, i);
            plan(name, net.getLayerWiseConfigurations().getConf(i).getLayer(), pattern, layerFilter, replacements, skipped);
        }
        MultiLayerNetwork result = ModelSurgery.replaceLayers(net, replacements, COPY_WEIGHTS);
        return report(result, replacements, skipped, pattern);
    }

    /** Wraps every eligible layer vertex. */
    public static WrapResult<ComputationGraph> wrap(ComputationGraph graph, NmPattern pattern) {
        return wrap(graph, pattern, name -> true);
    }

    /**
     * @param layerFilter accepts the vertex names of the layers that may be wrapped
     */
    public static WrapResult<ComputationGraph> wrap(ComputationGraph graph, NmPattern pattern, Predicate<String> layerFilter) {
        Objects.requireNonNull(pattern, "pattern");
        Map<String, Layer> replacements = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            Layer conf = layer.conf().getLayer();
            plan(conf.getLayerName(), conf, pattern, layerFilter, replacements, skipped);
        }
        ComputationGraph result = ModelSurgery.replaceLayers(graph, replacements, COPY_WEIGHTS);
        return report(result, replacements, skipped, pattern);
    }

    private static <M> WrapResult<M> report(M network, Map<String, Layer> replacements, Map<String, String> skipped,
                                            NmPattern pattern) {
        List<String> wrapped = new ArrayList<>(replacements.keySet());
        log.info("MaskPro {}: wrapped {} layer(s) {}; kept {} layer(s) as they were", pattern, wrapped.size(), wrapped,
                skipped.size());
        skipped.forEach((name, reason) -> log.debug("Layer '{}' kept: {}", name, reason));
        return new WrapResult<>(network, wrapped, skipped);
    }

    private static void plan(String name, Layer conf, NmPattern pattern, Predicate<String> filter,
                             Map<String, Layer> replacements, Map<String, String> skipped) {
        String reason;
        MaskProLayer replacement = null;
        if (conf instanceof MaskProLayer) {
            reason = "already a MaskPro layer";
        } else if (conf.getClass() != DenseLayer.class && conf.getClass() != ConvolutionLayer.class) {
            reason = conf.getClass().getSimpleName() + " is not wrapped (only DenseLayer and ConvolutionLayer are)";
        } else if (!filter.test(name)) {
            reason = "excluded by the layer filter";
        } else {
            reason = unsupported((BaseLayer) conf, pattern);
            if (reason == null) {
                replacement = conf instanceof DenseLayer dense ? dense(dense, pattern) : conv((ConvolutionLayer) conf, pattern);
                copyTraining((BaseLayer) conf, replacement);
            }
        }
        if (replacement != null) {
            replacements.put(name, replacement);
        } else {
            skipped.put(name, reason);
        }
    }

    /** Why {@code conf} cannot become a MaskPro layer computing the same thing, or null when it can. */
    private static String unsupported(BaseLayer conf, NmPattern pattern) {
        long fanIn = conf instanceof DenseLayer d ? d.getNIn() : ((ConvolutionLayer) conf).getNIn();
        if (fanIn % pattern.m() != 0) {
            return "fan-in " + fanIn + " is not a multiple of M=" + pattern.m();
        }
        if (conf instanceof DenseLayer d && d.hasLayerNorm()) {
            return "layer normalisation is not supported by MaskProDenseLayer";
        }
        if (conf instanceof ConvolutionLayer c && c.getCnn2dDataFormat() != null && c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            return "data format " + c.getCnn2dDataFormat() + " (MaskProConv2DLayer takes NCHW only)";
        }
        if (conf.getIDropout() != null) {
            return "dropout " + conf.getIDropout() + " would be ignored by a SameDiff layer (DL4J M2.1)";
        }
        if (conf.getWeightNoise() != null) {
            return "weight noise is not supported by SameDiff layers";
        }
        if (activation(conf).isEmpty()) {
            return "activation " + conf.getActivationFn() + " has no SameDiff equivalent";
        }
        return null;
    }

    private static Optional<Activation> activation(BaseLayer conf) {
        return ActivationMapping.of(conf.getActivationFn());
    }

    private static MaskProLayer dense(DenseLayer d, NmPattern pattern) {
        return new MaskProDenseLayer.Builder().nIn(d.getNIn()).nOut(d.getNOut()).hasBias(d.hasBias())
                .activation(activation(d).orElseThrow()).pattern(pattern).name(d.getLayerName()).build();
    }

    private static MaskProLayer conv(ConvolutionLayer c, NmPattern pattern) {
        return new MaskProConv2DLayer.Builder().kernelSize(c.getKernelSize()).stride(c.getStride())
                .padding(c.getPadding()).dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                .nIn(c.getNIn()).nOut(c.getNOut()).hasBias(c.hasBias())
                .activation(activation(c).orElseThrow()).pattern(pattern).name(c.getLayerName()).build();
    }

    private static void copyTraining(BaseLayer from, MaskProLayer to) {
        to.setUpdater(from.getIUpdater() == null ? null : from.getIUpdater().clone());
        to.setBiasUpdater(from.getBiasUpdater() == null ? null : from.getBiasUpdater().clone());
        to.setRegularization(from.getRegularization() == null ? new ArrayList<>() : new ArrayList<>(from.getRegularization()));
        to.setRegularizationBias(from.getRegularizationBias() == null ? new ArrayList<>()
                : new ArrayList<>(from.getRegularizationBias()));
        to.setGradientNormalization(from.getGradientNormalization());
        to.setGradientNormalizationThreshold(from.getGradientNormalizationThreshold());
        if (from.getConstraints() != null) {
            List<LayerConstraint> copies = new ArrayList<>();
            for (LayerConstraint c : from.getConstraints()) {
                copies.add(c.clone());
            }
            to.setConstraints(copies);
        }
    }
}
