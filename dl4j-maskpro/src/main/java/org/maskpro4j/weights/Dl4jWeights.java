package org.maskpro4j.weights;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the maskable weights of DL4J layers: Dense/Output/RnnOutput {@code W} [nIn, nOut], Convolution2D
 * {@code W} [nOut, nIn, kH, kW], LSTM/GravesLSTM input {@code W} and recurrent {@code RW} (GravesLSTM's three
 * peephole columns stay dense). Every layer that is not masked is reported with its reason.
 */
public final class Dl4jWeights {
    private static final Logger log = LoggerFactory.getLogger(Dl4jWeights.class);

    /** A weight that was found, with the index of its layer in the model's layer array. */
    public record Found(MaskableWeight weight, int layerIndex, String paramKey) {
    }

    /** A layer (or one of its weights) left dense, and why. */
    public record Skipped(String layer, String reason) {
        @Override
        public String toString() {
            return layer + ": " + reason;
        }
    }

    /** What discovery found; {@code skipped} explains every layer that was not masked. */
    public record Discovery(List<Found> found, List<Skipped> skipped) {
        public List<MaskableWeight> weights() {
            return found.stream().map(Found::weight).toList();
        }
    }

    private Dl4jWeights() {
    }

    public static String layerName(Layer layer, int index) {
        String name = layer.conf().getLayer().getLayerName();
        return name == null || name.isBlank() ? "layer" + index : name;
    }

    /**
     * @param layers the model's layers in forward order ({@code net.getLayers()} / {@code graph.getLayers()})
     */
    public static Discovery discover(Layer[] layers, NmPattern pattern, WeightSelection selection) {
        List<Found> found = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            String name = layerName(layer, i);
            seen.add(name);
            org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
            String type = conf.getClass().getSimpleName();
            List<Candidate> candidates = candidates(layer, conf, name);
            if (candidates.isEmpty()) {
                if (layer.numParams() > 0) {
                    skipped.add(new Skipped(name, "layer type " + type + " has no N:M-maskable weight"));
                }
                continue;
            }
            String rejection = selection.rejectionReason(name, type);
            if (rejection != null) {
                skipped.add(new Skipped(name, rejection));
                continue;
            }
            for (Candidate c : candidates) {
                try {
                    GroupLayout layout = GroupLayout.of(c.owner, c.kind, c.array.shape(), pattern);
                    MaskableWeight weight = conf instanceof MaskHoldingLayer holder
                            ? heldWeight(holder, c.owner, layer, pattern)
                            : new ParamWeight(c.owner, layout, c.array);
                    found.add(new Found(weight, i, c.paramKey));
                } catch (IllegalArgumentException e) {
                    skipped.add(new Skipped(c.owner, e.getMessage()));
                }
            }
        }
        List<String> unknown = selection.unknownNames(seen);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Layer names " + unknown + " do not exist in this model; its layers are " + seen);
        }
        keepEnds(found, skipped, selection);
        for (Skipped s : skipped) {
            log.info("Kept dense: {}", s);
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("No layer of this model can carry a " + pattern + " mask: " + skipped
                    + ". Choose a pattern whose M divides the layers' fan-in, or include other layers.");
        }
        return new Discovery(List.copyOf(found), List.copyOf(skipped));
    }

    private static void keepEnds(List<Found> found, List<Skipped> skipped, WeightSelection selection) {
        if (found.isEmpty()) {
            return;
        }
        if (selection.keepFirstDense()) {
            int first = found.get(0).layerIndex();
            found.removeIf(f -> {
                boolean drop = f.layerIndex() == first;
                if (drop) {
                    skipped.add(new Skipped(f.weight().name(), "first maskable layer kept dense on request"));
                }
                return drop;
            });
        }
        if (selection.keepLastDense() && !found.isEmpty()) {
            int last = found.get(found.size() - 1).layerIndex();
            found.removeIf(f -> {
                boolean drop = f.layerIndex() == last;
                if (drop) {
                    skipped.add(new Skipped(f.weight().name(), "last maskable layer kept dense on request"));
                }
                return drop;
            });
        }
    }

    private static MaskableWeight heldWeight(MaskHoldingLayer holder, String owner, Layer layer, NmPattern pattern) {
        MaskableWeight w = holder.maskableWeight(owner, layer);
        if (!w.layout().pattern().equals(pattern)) {
            throw new IllegalArgumentException("Layer '" + owner + "' is a MaskPro layer built for " + w.layout().pattern()
                    + ", not " + pattern + ": rebuild it with pattern(\"" + pattern + "\") or use " + w.layout().pattern());
        }
        return w;
    }

    private record Candidate(String owner, String paramKey, GroupLayout.Kind kind, INDArray array) {
    }

    private static List<Candidate> candidates(Layer layer, org.deeplearning4j.nn.conf.layers.Layer conf, String name) {
        List<Candidate> out = new ArrayList<>();
        if (conf instanceof MaskHoldingLayer wrapper) {
            out.add(new Candidate(name + "/W", "W", wrapper.layoutKind(), layer.getParam("W")));
        } else if (conf.getClass() == DenseLayer.class || (conf instanceof BaseOutputLayer && layer.getParam("W") != null)) {
            out.add(new Candidate(name + "/W", "W", GroupLayout.Kind.IN_OUT, layer.getParam("W")));
        } else if (conf.getClass() == ConvolutionLayer.class) {
            out.add(new Candidate(name + "/W", "W", GroupLayout.Kind.CONV2D_OIHW, layer.getParam("W")));
        } else if (conf instanceof LSTM) {
            out.add(new Candidate(name + "/W", "W", GroupLayout.Kind.IN_OUT, layer.getParam("W")));
            out.add(new Candidate(name + "/RW", "RW", GroupLayout.Kind.IN_OUT, layer.getParam("RW")));
        } else if (conf instanceof GravesLSTM) {
            out.add(new Candidate(name + "/W", "W", GroupLayout.Kind.IN_OUT, layer.getParam("W")));
            INDArray rw = layer.getParam("RW");
            long gates = rw.size(1) - 3;
            out.add(new Candidate(name + "/RW", "RW", GroupLayout.Kind.IN_OUT,
                    rw.get(NDArrayIndex.all(), NDArrayIndex.interval(0, gates))));
        }
        return out;
    }
}
