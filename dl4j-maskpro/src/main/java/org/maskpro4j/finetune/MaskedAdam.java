package org.maskpro4j.finetune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam over the live weights of maskable weights with their masks fixed: gradients are masked before they enter
 * the moments, and the weights are multiplied by the mask after every update, so a pruned weight is exactly zero
 * at every step and its moments stay zero.
 */
final class MaskedAdam {
    private final FineTuneConfig config;
    private final Map<String, INDArray> masks;
    private final Map<String, INDArray> first;
    private final Map<String, INDArray> second;
    private long step;

    /**
     * @param masks per weight name, the weight-shaped BYTE 0/1 mask ({@link MaskedFineTuner#weightShapedMasks})
     */
    MaskedAdam(FineTuneConfig config, List<MaskableWeight> weights, Map<String, INDArray> masks) {
        this.config = config;
        this.masks = masks;
        this.first = new LinkedHashMap<>();
        this.second = new LinkedHashMap<>();
        for (MaskableWeight w : weights) {
            first.put(w.name(), w.live().ulike().assign(0));
            second.put(w.name(), w.live().ulike().assign(0));
        }
    }

    /** Continues from saved moments after {@code step} updates. */
    void restore(long step, Map<String, INDArray> firstMoments, Map<String, INDArray> secondMoments) {
        for (String name : first.keySet()) {
            first.get(name).assign(requireSaved(firstMoments, name));
            second.get(name).assign(requireSaved(secondMoments, name));
        }
        this.step = step;
    }

    private static INDArray requireSaved(Map<String, INDArray> saved, String name) {
        INDArray a = saved.get(name);
        if (a == null) {
            throw new IllegalArgumentException("Fine-tuning checkpoint has no Adam moments for weight '" + name + "'");
        }
        return a;
    }

    /** One update of {@code weight} with its gradient {@code dL/dW_live}; call {@link #advance()} once per step first. */
    void update(MaskableWeight weight, INDArray gradient) {
        String name = weight.name();
        // every temporary is closed here: their native buffers would otherwise wait for a Java GC that the small heap
        // rarely needs, and a fine-tuning run's resident memory grew by megabytes a step; the BYTE mask is cast for this
        // weight only
        try (INDArray mask = masks.get(name).castTo(weight.live().dataType());
                INDArray g = gradient.castTo(weight.live().dataType()).mul(mask);
                INDArray newFirst = g.mul(1 - config.beta1());
                INDArray newSecond = g.mul(g).muli(1 - config.beta2())) {
            INDArray m = first.get(name).muli(config.beta1()).addi(newFirst);
            INDArray v = second.get(name).muli(config.beta2()).addi(newSecond);
            double mScale = 1 / (1 - Math.pow(config.beta1(), step));
            double vScale = 1 / (1 - Math.pow(config.beta2(), step));
            try (INDArray denominator = Transforms.sqrt(v.mul(vScale), false).addi(config.epsilon());
                    INDArray delta = m.mul(mScale * config.learningRateAt(step)).divi(denominator);
                    INDArray updated = weight.live().sub(delta).muli(mask)) {
                weight.assignLive(updated);
            }
        }
    }

    /** Starts the next step (Adam's bias corrections count steps from 1). */
    void advance() {
        step++;
    }

    long step() {
        return step;
    }

    Map<String, INDArray> firstMoments() {
        return Collections.unmodifiableMap(first);
    }

    Map<String, INDArray> secondMoments() {
        return Collections.unmodifiableMap(second);
    }

    /** Bytes of the two moment tensors of every weight. */
    long stateBytes() {
        long bytes = 0;
        for (INDArray a : first.values()) {
            bytes += 2 * a.length() * a.dataType().width();
        }
        return bytes;
    }
}
