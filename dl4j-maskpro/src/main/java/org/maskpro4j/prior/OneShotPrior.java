package org.maskpro4j.prior;

import java.util.Map;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A calibrated one-shot pruner (Wanda, SparseGPT mask only, or magnitude) as MaskPro's prior. It leaves the model
 * computing with its dense weights. SparseGPT's
 * weight update is refused here: MaskPro applies its masks to the original dense weights.
 */
public final class OneShotPrior implements MaskPrior {
    private final OneShotPruner pruner;

    public OneShotPrior(PruneMethod method) {
        if (method == PruneMethod.SPARSEGPT) {
            throw new IllegalArgumentException("MaskPro keeps the dense weights, so its SparseGPT prior is the mask only:"
                    + " use \"" + PruneMethod.SPARSEGPT_MASK_ONLY.cliName() + "\"");
        }
        this.pruner = OneShotPruner.builder(method).build();
    }

    public static OneShotPrior parse(String name) {
        return new OneShotPrior(PruneMethod.parse(name));
    }

    @Override
    public String name() {
        return pruner.method().cliName();
    }

    @Override
    public <B> Map<String, INDArray> masks(MaskableModel<B> model, Iterable<B> calibration) {
        Map<String, INDArray> masks = pruner.prune(model, calibration).masks();
        // the pruner prunes the model as it goes (later weights calibrate on earlier pruned ones); a prior only answers masks
        model.weights().forEach(MaskableWeight::restoreDense);
        return masks;
    }
}
