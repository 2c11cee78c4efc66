package org.maskpro4j.maskllm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.DifferentiableModel;
import org.maskpro4j.weights.NativeGarbage;
import org.maskpro4j.progress.ProgressMeter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MaskLLM (Fang et al., NeurIPS 2024) as a baseline: learns one categorical choice among the C(M, N) candidate masks
 * of every group by backprop through a Gumbel-softmax relaxation, with the model's weights frozen. Each step draws
 * fresh noise for every weight, makes the model compute with W ⊙ M̃, backpropagates the model once, chains the
 * weight gradients to the gates ({@link SoftMaskObjective}) and takes a clipped AdamW step. The data is cycled in
 * its order. Ends with the winning candidate of every group applied to the model.
 *
 * <p>Only the live weights and the learner's own state change; the dense weights are never written.
 */
public final class MaskLlmLearner {
    private static final Logger log = LoggerFactory.getLogger(MaskLlmLearner.class);

    private final MaskLlmConfig config;

    public MaskLlmLearner(MaskLlmConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * @param priorMasks a {@code [groups, M]} 0/1 mask (any numeric type) per weight name to initialise the gates towards (e.g. from a
     *                   {@link org.maskpro4j.prior.MaskPrior}), or null to start without a prior
     */
    public <B> MaskLlmResult learn(DifferentiableModel<B> model, Iterable<B> data, Map<String, INDArray> priorMasks) {
        Objects.requireNonNull(model, "model");
        long started = System.nanoTime();
        Iterator<B> it = data.iterator();
        if (!it.hasNext()) {
            throw new IllegalArgumentException("The training data is empty: MaskLLM needs at least one minibatch");
        }
        log.info("Starting {} on {} weights{}", config, model.weights().size(), priorMasks == null ? " without a prior" : "");
        CandidateGates gates = CandidateGates.initialise(config.pattern(), model.weights(), config.gateInitStd(),
                config.seed(), priorMasks, config.priorStrength());
        GateAdamW optimizer = new GateAdamW(gates.gates(), config.beta1(), config.beta2(), config.epsilon(),
                config.weightDecay(), config.gradientClip());
        List<MaskLlmStepRecord> history = new ArrayList<>();
        ProgressMeter progress = new ProgressMeter(0, config.steps());
        for (long step = 0; step < config.steps(); step++) {
            if (!it.hasNext()) {
                it = data.iterator();
            }
            double kappa = config.kappaAt(step);
            double tau = config.tauAt(step);
            double lr = config.learningRateAt(step);
            SoftMaskObjective.Evaluation e = SoftMaskObjective.evaluate(model, it.next(), gates,
                    gates.noise(config.seed(), step), kappa, tau, config.weightRegularizationAt(step));
            double meanMax = e.relaxed().max(1).meanNumber().doubleValue();
            double norm = optimizer.step(gates.gates(), e.gateGradient(), lr);
            NativeGarbage.collectAfter(step + 1);
            MaskLlmStepRecord r = new MaskLlmStepRecord(step + 1, e.loss(), e.objective(), kappa, tau, lr, norm, meanMax);
            history.add(r);
            if (r.step() % config.logEvery() == 0 || r.step() == config.steps()) {
                logProgress(r, progress);
            }
        }
        INDArray winners = ByteMasks.ofBinary(gates.winnerMask()); // one-hot rows times 0/1 candidates: 0/1
        gates.apply(winners);
        double seconds = (System.nanoTime() - started) / 1e9;
        log.info("MaskLLM done: {} steps in {} s; winning candidates applied", config.steps(), String.format("%.1f", seconds));
        return new MaskLlmResult(gates.split(winners), List.copyOf(history), config.steps(), seconds,
                stateBytes(gates, optimizer));
    }

    /** Gates and Adam moments, plus one step's ỹ ({@code [groups, K]}) and M̃ ({@code [groups, M]}). */
    private static long stateBytes(CandidateGates gates, GateAdamW optimizer) {
        long width = gates.gates().dataType().width();
        long relaxed = gates.groupCount() * gates.candidateCount() * width;
        long soft = gates.groupCount() * gates.pattern().m() * width;
        return GateAdamW.bytes(gates.gates()) + optimizer.stateBytes() + relaxed + soft;
    }

    private void logProgress(MaskLlmStepRecord r, ProgressMeter progress) {
        log.info(String.format("MaskLLM step %d/%d  loss %.5f  objective %.5f  κ %.1f  τ %.3f  lr %.2e  |g| %.3e"
                        + "  mean max ỹ %.3f  %s", r.step(), config.steps(), r.loss(), r.objective(), r.kappa(),
                r.tau(), r.learningRate(), r.gradientNorm(), r.meanMaxRelaxed(), progress.status(r.step())));
    }
}
