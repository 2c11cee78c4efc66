package org.maskpro4j.maskpro;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.progress.ProgressMeter;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both training listeners do after each {@code fit()} iteration: fold the weights' training updates into
 * their dense copies, take one MaskPro step on the iteration's batch, and continue training under the current
 * top-N mask. Stops updating the policy after {@code config.steps()} steps.
 */
final class InFitDriver<B> {
    private static final Logger log = LoggerFactory.getLogger(InFitDriver.class);

    private final MaskableModel<B> model;
    private final MaskProStep state;
    private final List<StepRecord> history = new ArrayList<>();
    private ProgressMeter progress;

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
        if (progress == null) {
            progress = new ProgressMeter(state.step(), state.config().steps());
        }
        StepRecord r = state.step(model, batch);
        history.add(r);
        if (r.step() % state.config().logEvery() == 0 || r.step() == state.config().steps()) {
            log.info(String.format("MaskPro (in fit) step %d/%d  loss %.5f  residual %+.5f  δ %+.5f  changed %.3f%%  %s",
                    r.step(), state.config().steps(), r.loss(), r.residual(), r.delta(), 100 * r.changedShare(),
                    progress.status(r.step())));
        }
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
