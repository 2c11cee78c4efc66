package org.maskpro4j.examples.llama.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.method.ChosenPrior;
import org.maskpro4j.method.MaskMethod;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MaskResult;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The masks an earlier row computed, as the mask stage of a recovery row's {@link MaskPipeline}, so that a method is
 * computed once per pattern however many rows start from it. With the weights that row left live (SparseGPT's
 * update) the model computes with those; without, with its dense weights under the masks.
 */
final class ReusedMasks implements MaskMethod {
    private final ChosenPrior masks;
    private final Map<String, INDArray> live;

    private ReusedMasks(ChosenPrior masks, Map<String, INDArray> live) {
        this.masks = Objects.requireNonNull(masks, "masks");
        this.live = live;
    }

    /** {@code masks} on the dense weights. */
    static ReusedMasks onDense(ChosenPrior masks) {
        return new ReusedMasks(masks, null);
    }

    /** {@code masks} with the weights its row left live, weight-shaped per weight name. */
    static ReusedMasks withWeights(ChosenPrior masks, Map<String, INDArray> live) {
        return new ReusedMasks(masks, Map.copyOf(live));
    }

    /** Copies of the weights {@code model} computes with now, to hand to {@link #withWeights}. */
    static Map<String, INDArray> liveWeights(MaskableModel<?> model) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (MaskableWeight w : model.weights()) {
            out.put(w.name(), w.live().dup());
        }
        return out;
    }

    @Override
    public String name() {
        return masks.name();
    }

    @Override
    public boolean usesPrior() {
        return false;
    }

    @Override
    public Map<String, String> settings() {
        return Map.of("reused", masks.name(), "weights", live == null ? "dense" : "as left by " + masks.name());
    }

    @Override
    public <B> MaskResult run(MaskableModel<B> model, List<B> data, Map<String, INDArray> prior) {
        for (MaskableWeight w : model.weights()) {
            INDArray mask = masks.masks().get(w.name());
            INDArray weights = live == null ? null : live.get(w.name());
            if (mask == null || live != null && weights == null) {
                throw new IllegalArgumentException("The reused " + masks.name() + " result has nothing for weight '"
                        + w.name() + "'; it covers " + masks.masks().keySet());
            }
            if (weights == null) {
                w.applyMask(mask);
            } else {
                w.assignLive(weights);
            }
        }
        return new MaskResult(name(), masks.masks(), 0, List.of(), Double.NaN, live != null, 0);
    }
}
