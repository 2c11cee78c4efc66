package org.maskpro4j.prior;

import java.util.Map;
import java.util.Objects;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A calibrated one-shot pruner's masks as a learner's prior. The prior is the mask alone: the model is left with
 * its dense weights (SparseGPT's weight update and the pruning done during calibration are undone), since MaskPro and
 * MaskLLM mask the dense weights and a prior only computes masks.
 */
public final class OneShotPrior implements MaskPrior {
    private final OneShotPruner pruner;

    public OneShotPrior(OneShotPruner pruner) {
        this.pruner = Objects.requireNonNull(pruner, "pruner");
    }

    public OneShotPrior(PruneMethod method) {
        this(OneShotPruner.builder(method).build());
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
        PackedMasks masks = PackedMasks.of(pruner.prune(model, calibration).masks());
        // the pruner prunes the model as it goes (later weights calibrate on earlier pruned ones); a prior only answers masks
        model.weights().forEach(MaskableWeight::restoreDense);
        return masks;
    }
}
