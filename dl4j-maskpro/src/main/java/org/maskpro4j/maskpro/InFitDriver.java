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
 * top-N mask. Once {@code config.steps()} steps are spent the mask is frozen at its final top-N value and training
 * goes on under it (masked fine-tuning): every later update is still folded in and the mask re-applied, so nothing
 * {@code fit()} does after the budget is lost. The prior mask's loss is never cached, because the weights change
 * every iteration.
 */
final class InFitDriver<B> {
    private static final Logger log = LoggerFactory.getLogger(InFitDriver.class);

    private final MaskableModel<B> model;
    private final MaskProStep state;
    private final List<StepRecord> history = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private ProgressMeter progress;
    private INDArray finalMask;

    InFitDriver(MaskableModel<B> model, MaskProConfig config, Map<String, INDArray> priorMasks) {
        this.model = Objects.requireNonNull(model, "model");
        MaskPolicy policy = MaskPolicy.fromPrior(config.pattern(), model.weights(), priorMasks, config.logitMagnitude());
        this.state = new MaskProStep(config, policy);
        state.disablePriorLossCache();
        policy.applyPrior();
    }

    /** @return the step's record, or null once the step budget is spent (training then continues under the final mask) */
    StepRecord afterIteration(B batch) {
        absorbTraining();
        if (state.step() >= state.config().steps()) {
            state.policy().apply(finalMask());
            return null;
        }
        if (progress == null) {
            progress = new ProgressMeter(state.step(), state.config().steps());
        }
        StepRecord r = state.step(model, batch);
        history.add(r);
        if (progress.due(r.step(), state.config().logEvery())) {
            log.info(String.format("MaskPro (in fit) step %d/%d  loss %.5f  residual %+.5f  δ %+.5f  spread %.3g  changed %.3f%%  %s",
                    r.step(), state.config().steps(), r.loss(), r.residual(), r.delta(), r.spread(), 100 * r.changedShare(),
                    progress.status(r.step())));
        }
        state.policy().apply(state.policy().mode());
        state.policy().storeLogitsInWrappers();
        return r;
    }

    /** The top-N mask, fixed once the step budget is spent. */
    private INDArray finalMask() {
        if (state.step() < state.config().steps()) {
            return state.policy().mode();
        }
        if (finalMask == null) {
            finalMask = state.policy().mode();
            log.info("MaskPro (in fit): {} steps done; training continues under the final mask", state.step());
        }
        return finalMask;
    }

    /** Folds what the last {@code fit()} iteration did to the live (masked) weights into their dense copies. */
    private void absorbTraining() {
        for (MaskableWeight w : model.weights()) {
            if (w instanceof ParamWeight p) {
                p.absorbLiveChanges();
            }
        }
    }

    MaskProStep state() {
        return state;
    }

    /** Keeps every training update so far and leaves the model computing with the trained weights under the final mask. */
    MaskProResult finish() {
        absorbTraining();
        INDArray mode = finalMask();
        state.policy().apply(mode);
        return new MaskProResult(state.policy().split(mode), List.copyOf(history), state.step(),
                state.policy().changedFromPrior(mode), (System.nanoTime() - startNanos) / 1e9,
                List.of(), state.step());
    }
}
