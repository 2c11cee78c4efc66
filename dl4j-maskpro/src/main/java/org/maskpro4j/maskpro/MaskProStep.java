package org.maskpro4j.maskpro;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MaskPro update (maskpro-spec §1.4–1.5), shared by the forward-only learner and the training listeners:
 * sample K masks, measure each one's loss forward-only, take the residual against the prior mask's loss on the
 * same batch, update the tracker δ, and move the logits along −A·∇ log P(mask), A = r − baseline.
 *
 * <p>With K = 1 the baseline is δ, updated before use as the reference code does. With K > 1 each sample's
 * baseline is the mean residual of the other K − 1 (leave-one-out, unbiased), and δ only tracks the mean.
 *
 * <p>The {@link UpdateRule#NORMALIZED normalized} update divides A by its spread s, the root of a bias-corrected
 * moving average (factor α) of the squared advantages, including this step's (as Adam does with gradients), so
 * the first step and every later one move the logits by about η whatever the loss's units. Steps whose advantages
 * are all zero (every sample equal to the prior mask, or to each other) carry no information on the spread and do
 * not update it. s is floored at {@value #SPREAD_FLOOR} of the prior loss, below which loss differences are float
 * rounding, not signal. The {@link UpdateRule#RAW raw} update uses A as it is; the spread is tracked either way.
 */
public final class MaskProStep {
    /** Relative floor of the spread: float32 losses carry about 7 digits, so smaller differences are noise. */
    static final double SPREAD_FLOOR = 1e-6;

    private final MaskProConfig config;
    private final MaskPolicy policy;
    private final Map<String, Double> priorLosses;
    private double delta;
    private long step;
    private SpreadTracker spread;
    private boolean cachePriorLosses = true;

    public MaskProStep(MaskProConfig config, MaskPolicy policy) {
        this(config, policy, 0, 0.0, new HashMap<>(), new SpreadTracker(0, 0));
    }

    MaskProStep(MaskProConfig config, MaskPolicy policy, long step, double delta, Map<String, Double> priorLosses,
            SpreadTracker spread) {
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
        if (!policy.pattern().equals(config.pattern())) {
            throw new IllegalArgumentException("Policy pattern " + policy.pattern() + " differs from config pattern "
                    + config.pattern());
        }
        this.step = step;
        this.delta = delta;
        this.priorLosses = priorLosses;
        this.spread = Objects.requireNonNull(spread, "spread");
    }

    /**
     * The moving average of squared advantages and the number of steps it averages (for the bias correction).
     */
    record SpreadTracker(double meanSquare, long updates) {
        SpreadTracker after(double stepMeanSquare, double alpha) {
            return stepMeanSquare > 0 ? new SpreadTracker(alpha * meanSquare + (1 - alpha) * stepMeanSquare, updates + 1) : this;
        }

        double spread(double alpha) {
            return updates == 0 ? 0 : Math.sqrt(meanSquare / (1 - Math.pow(alpha, updates)));
        }
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

    /** The current spread estimate s of the advantages (0 before any step had a non-zero advantage). */
    public double spread() {
        return spread.spread(config.smoothing());
    }

    SpreadTracker spreadTracker() {
        return spread;
    }

    Map<String, Double> priorLosses() {
        return priorLosses;
    }

    /**
     * Stops caching the prior mask's loss per batch: needed when the weights change between steps (inside
     * {@code fit()}), where a cached loss would belong to weights that no longer exist.
     */
    void disablePriorLossCache() {
        cachePriorLosses = false;
        priorLosses.clear();
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
        // each draw is bits (1/8 byte per position), applied, compared and ascended along without an array of it
        MaskBits[] drawn = new MaskBits[k];
        double[] losses = new double[k];
        double changed = 0;
        for (int i = 0; i < k; i++) {
            drawn[i] = policy.draw(GumbelTopN.derive(config.seed(), step, i));
            policy.apply(drawn[i]);
            if (i == k - 1) { // the record's share, read from the kept sets the weights just ranked
                changed = policy.changedFromPriorApplied(drawn[i]);
            }
            losses[i] = model.loss(batch);
        }
        Decision d = decide(priorLoss, losses);
        replay(drawn, d.ascentWeights());
        return d.record(changed);
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
        int k = config.samplesPerStep();
        if (masks.length != k) {
            throw new IllegalArgumentException("A step takes " + k + " masks, got " + masks.length);
        }
        Decision d = decide(priorLoss, losses);
        replay(masks, d.ascentWeights());
        return new Update(d.record(policy.changedFromPrior(masks[k - 1])), d.ascentWeights());
    }

    /** What a step's losses decide: the record's numbers and the K ascent weights. */
    private record Decision(long step, double meanLoss, double priorLoss, double meanResidual, double delta,
            double spread, double[] ascentWeights) {
        StepRecord record(double changedShare) {
            return new StepRecord(step, meanLoss, priorLoss, meanResidual, delta, changedShare, spread);
        }
    }

    /**
     * Updates δ and the spread from the step's losses and returns the ascent weights; changes nothing when a loss is
     * not finite.
     */
    private Decision decide(double priorLoss, double[] losses) {
        requireFinite(priorLoss, "the prior mask's loss");
        int k = config.samplesPerStep();
        if (losses.length != k) {
            throw new IllegalArgumentException("A step takes " + k + " losses, got " + losses.length);
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
        double[] advantages = new double[k];
        double meanSquare = 0;
        for (int i = 0; i < k; i++) {
            double baseline = k == 1 ? delta : (meanResidual * k - residuals[i]) / (k - 1);
            advantages[i] = residuals[i] - baseline;
            meanSquare += advantages[i] * advantages[i] / k;
        }
        spread = spread.after(meanSquare, config.smoothing());
        // the raw rule divides by exactly 1, so it stays the reference's η·A/K bit for bit
        double unit = config.updateRule() == UpdateRule.NORMALIZED
                ? Math.max(spread(), SPREAD_FLOOR * Math.abs(priorLoss) + Double.MIN_NORMAL) : 1;
        for (int i = 0; i < k; i++) {
            weights[i] = config.learningRate() * (advantages[i] / unit) / k;
        }
        return new Decision(step + 1, lossSum / k, priorLoss, meanResidual, delta, spread(), weights);
    }

    /**
     * Applies a step that was decided elsewhere: the logits ascend along each of the step's masks by its weight.
     * A replica that replays every step's weights holds the same logits as the state that {@link #advance}d (its
     * spread tracker is not replayed: only the deciding state normalizes).
     */
    public void replay(INDArray[] masks, double[] ascentWeights) {
        MaskBits[] bits = new MaskBits[masks.length];
        for (int i = 0; i < masks.length; i++) {
            bits[i] = ascentWeights[i] == 0 ? null : policy.bits(masks[i]);
        }
        replay(bits, ascentWeights);
    }

    /** {@link #replay(INDArray[], double[])} of masks held as bits ({@link MaskPolicy#draw} gives them). */
    public void replay(MaskBits[] masks, double[] ascentWeights) {
        if (masks.length != ascentWeights.length) {
            throw new IllegalArgumentException(masks.length + " masks for " + ascentWeights.length + " ascent weights");
        }
        for (int i = 0; i < masks.length; i++) {
            if (ascentWeights[i] != 0) {
                policy.ascend(masks[i], ascentWeights[i]);
            }
        }
        step++;
    }

    private <B> double priorLoss(MaskableModel<B> model, B batch) {
        String key = cachePriorLosses ? model.batchKey(batch) : null;
        Double cached = key == null ? null : priorLosses.get(key);
        if (cached != null) {
            return cached;
        }
        policy.applyPrior();
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
