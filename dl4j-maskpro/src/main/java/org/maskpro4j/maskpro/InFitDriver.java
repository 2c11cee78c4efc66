package org.maskpro4j.maskpro;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What both training listeners do after each {@code fit()} iteration: fold the weights' training updates into
 * their dense copies, take one MaskPro step on the iteration's batch, and continue training under the current
 * top-N mask. Stops updating the policy after {@code config.steps()} steps.
 */
final class InFitDriver<B> {
    private final MaskableModel<B> model;
    private final MaskProStep state;
    private final List<StepRecord> history = new ArrayList<>();

    InFitDriver(MaskableModel<B> model, MaskProConfig config, Map<String, INDArray> priorMasks) {
        this.model = Objects.requireNonNull(model, "model");
        MaskPolicy policy = MaskPolicy.fromPrior(config.pattern(), model.weights(), priorMasks, config.logitMagnitude());
        this.state = new MaskProStep(config, policy);
        policy.apply(policy.priorMask());
    }

    /** @return the step's record, or null once the step budget is spent */
    StepRecord afterIteration(B batch) {
        if (state.step() >= state.config().steps()) {
            return null;
        }
        for (MaskableWeight w : model.weights()) {
            if (w instanceof ParamWeight p) {
                p.absorbLiveChanges();
            }
        }
        StepRecord r = state.step(model, batch);
        history.add(r);
        state.policy().apply(state.policy().mode());
        state.policy().storeLogitsInWrappers();
        return r;
    }

    MaskProStep state() {
        return state;
    }

    MaskProResult finish() {
        INDArray mode = state.policy().mode();
        state.policy().apply(mode);
        return new MaskProResult(state.policy().split(mode), List.copyOf(history), state.step(),
                state.policy().changedShare(mode, state.policy().priorMask()), 0);
    }
}
