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
        INDArray[] masks = sampleMasks();
        double[] losses = new double[masks.length];
        for (int i = 0; i < masks.length; i++) {
            policy.apply(masks[i]);
            losses[i] = model.loss(batch);
        }
        return advance(masks, priorLoss, losses).record();
    }

    /** The K masks of the current step, drawn from (seed, step, k): anyone holding the same logits draws the same. */
    public INDArray[] sampleMasks() {
        INDArray[] masks = new INDArray[config.samplesPerStep()];
        for (int i = 0; i < masks.length; i++) {
            masks[i] = policy.sample(GumbelTopN.derive(config.seed(), step, i));
        }
        return masks;
    }

    /** What one step applied: its record and the K ascent weights, enough for a replica to {@link #replay} it. */
    public record Update(StepRecord record, double[] ascentWeights) {
    }

    /**
     * Ends the current step from its masks' losses, wherever they were measured (here, or summed over data
     * shards elsewhere): updates δ and ascends the logits.
     *
     * @throws MaskProDivergedException when a loss is NaN or infinite (the state is left as before the step)
     */
    public Update advance(INDArray[] masks, double priorLoss, double[] losses) {
        requireFinite(priorLoss, "the prior mask's loss");
        int k = config.samplesPerStep();
        if (masks.length != k || losses.length != k) {
            throw new IllegalArgumentException("A step takes " + k + " masks and losses, got " + masks.length + " and " + losses.length);
        }
        double lossSum = 0;
        double[] residuals = new double[k];
        for (int i = 0; i < k; i++) {
            requireFinite(losses[i], "the sampled mask's loss");
            residuals[i] = losses[i] - priorLoss;
            lossSum += losses[i];
        }
        double meanResidual = (lossSum / k) - priorLoss;
        delta = config.smoothing() * delta + (1 - config.smoothing()) * meanResidual;
        double[] weights = new double[k];
        for (int i = 0; i < k; i++) {
            double baseline = k == 1 ? delta : (meanResidual * k - residuals[i]) / (k - 1);
            weights[i] = config.learningRate() * (residuals[i] - baseline) / k;
        }
        replay(masks, weights);
        return new Update(new StepRecord(step, lossSum / k, priorLoss, meanResidual, delta,
                policy.changedShare(masks[k - 1], policy.priorMask())), weights);
    }

    /**
     * Applies a step that was decided elsewhere: the logits ascend along each of the step's masks by its weight.
     * A replica that replays every step's weights holds the same logits as the state that {@link #advance}d.
     */
    public void replay(INDArray[] masks, double[] ascentWeights) {
        for (int i = 0; i < masks.length; i++) {
            if (ascentWeights[i] != 0) {
                policy.ascend(masks[i], ascentWeights[i]);
            }
        }
        step++;
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
