package org.maskpro4j.method;

/** How a pipeline picks the best of several candidate priors (lowest wins, the earlier one on a tie). */
public enum PriorSelection {
    /** Mean loss on the training batches: keeps the held-out comparison of methods fair. */
    TRAINING_LOSS,
    /** {@link HeldOut#score} of the held-out metrics. */
    HELD_OUT
}
