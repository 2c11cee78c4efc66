package org.maskpro4j.arbiter;

import java.util.List;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;

/**
 * The workload a MaskPro sweep tunes for, written by the caller: the user's model, its training data and a
 * held-out score. Candidates run one after another on the same thread; each starts from the dense weights and
 * the sweep restores them after each candidate, so an implementation may hand out the same network every time.
 *
 * @param <B> the model's minibatch type
 */
public interface SweepTarget<B> {

    /**
     * The user's model seen with {@code pattern}: its {@link MaskableModel#weights()} dense copies must be the
     * user's dense weights. Throw IllegalArgumentException when the pattern does not fit the model; the candidate
     * is then recorded as failed with that message.
     */
    MaskableModel<B> freshModel(NmPattern pattern);

    /**
     * Training batches holding {@code examples} examples, in a fixed order; used for the prior's calibration and
     * for MaskPro itself. Must be re-iterable (a List), as the one-shot priors pass over it once per weight.
     */
    List<B> train(int examples);

    /**
     * Held-out loss (or perplexity) of {@code model} as it is: after MaskPro, with its final top-N mask applied.
     * Lower is better.
     */
    double score(MaskableModel<B> model);

    /** What {@link #score} measures, e.g. "held-out loss" or "perplexity", for reports. */
    String scoreName();
}
