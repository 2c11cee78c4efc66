package org.maskpro4j.maskpro;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MaskPro update (maskpro-spec §1.4–1.5), shared by the forward-only learner and the training listeners:
 * sample K masks, measure each one's loss forward-only, take the residual against the prior mask's loss on the
 * same batch, update the tracker δ, and move the logits along −(r − baseline)·∇ log P(mask).
 *
 * <p>With K = 1 the baseline is δ, updated before use as the reference code does. With K > 1 each sample's
 * baseline is the mean residual of the other K − 1 (leave-one-out, unbiased), and δ only tracks the mean.
 */
public final class MaskProStep {
    private final MaskProConfig config;
    private final MaskPolicy policy;
    private final Map<String, Double> priorLosses;
    private double delta;
    private long step;

    public MaskProStep(MaskProConfig config, MaskPolicy policy) {
        this(config, policy, 0, 0.0, new HashMap<>());
    }

    MaskProStep(MaskProConfig config, MaskPolicy policy, long step, double delta, Map<String, Double> priorLosses) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
        if (!policy.pattern().equals(config.pattern())) {
            throw new IllegalArgumentException("Policy pattern " + policy.pattern() + " differs from config pattern "
                    + config.pattern());
        }
        this.step = step;
        this.delta = delta;
        this.priorLosses = priorLosses;
    }

    public MaskProConfig config() {
        return config;
    }

    public MaskPolicy policy() {
        return policy;
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    public double delta() {
        return delta;
    }

    Map<String, Double> priorLosses() {
        return priorLosses;
    }

    /**
     * One update on {@code batch}. Leaves the model computing with the last sampled mask; callers apply what they
     * need next (the learner nothing, the listener the current top-N mask).
     *
     * @throws MaskProDivergedException when a loss is NaN or infinite (the state is left as before the step)
     */
    public <B> StepRecord step(MaskableModel<B> model, B batch) {
        double priorLoss = priorLoss(model, batch);
        int k = config.samplesPerStep();
        INDArray[] masks = new INDArray[k];
        double[] residuals = new double[k];
        double lossSum = 0;
        for (int i = 0; i < k; i++) {
            masks[i] = policy.sample(GumbelTopN.derive(config.seed(), step, i));
            policy.apply(masks[i]);
            double loss = model.loss(batch);
            requireFinite(loss, "the sampled mask's loss");
            residuals[i] = loss - priorLoss;
            lossSum += loss;
        }
        double meanResidual = (lossSum / k) - priorLoss;
        delta = config.smoothing() * delta + (1 - config.smoothing()) * meanResidual;
        for (int i = 0; i < k; i++) {
            double baseline = k == 1 ? delta : (meanResidual * k - residuals[i]) / (k - 1);
            double advantage = residuals[i] - baseline;
            if (advantage != 0) {
                policy.ascend(masks[i], config.learningRate() * advantage / k);
            }
        }
        step++;
        return new StepRecord(step, lossSum / k, priorLoss, meanResidual, delta,
                policy.changedShare(masks[k - 1], policy.priorMask()));
    }

    private <B> double priorLoss(MaskableModel<B> model, B batch) {
        String key = model.batchKey(batch);
        Double cached = key == null ? null : priorLosses.get(key);
        if (cached != null) {
            return cached;
        }
        policy.apply(policy.priorMask());
        double loss = model.loss(batch);
        requireFinite(loss, "the prior mask's loss");
        if (key != null) {
            priorLosses.put(key, loss);
        }
        return loss;
    }

    private void requireFinite(double loss, String what) {
        if (!Double.isFinite(loss)) {
            throw new MaskProDivergedException("MaskPro step " + (step + 1) + ": " + what + " is " + loss
                    + ". Check the data for NaN/Inf, or lower the learning rate (now " + config.learningRate() + ")");
        }
    }
}
