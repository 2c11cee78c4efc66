package org.maskpro4j.finetune;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps N:M masks fixed inside a DL4J network's own {@code fit()}: DL4J calls {@code iterationDone} right after each
 * parameter update, and the listener multiplies every maskable weight by its mask there, so the weights the next
 * forward pass (and any saved model) sees are exactly zero where the mask is 0, whatever the network's updater did.
 */
public final class MaskedFitListener extends BaseTrainingListener {
    private final List<MaskableWeight> weights;
    private final Map<String, INDArray> masks;
    private long iterations;

    /**
     * @param weights the network's maskable weights (their live arrays are the network's parameters)
     * @param masks   per weight name its {@code [groups, M]} 0/1 mask
     */
    public MaskedFitListener(List<MaskableWeight> weights, Map<String, INDArray> masks) {
        this.weights = List.copyOf(weights);
        this.masks = MaskedFineTuner.weightShapedMasks(weights, masks);
        applyMasks();
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        applyMasks();
        iterations++;
    }

    /** Updates seen so far. */
    public long iterations() {
        return iterations;
    }

    private void applyMasks() {
        for (MaskableWeight w : weights) {
            MaskedFineTuner.keepMasked(w, masks.get(w.name()));
        }
    }
}
