package org.maskpro4j.spark;

/**
 * A global batch's mean loss built from its shards' mean losses, weighted by their loss-term counts and added in
 * shard order. The executors' results and the single-process reference ({@link ShardedModel}) both combine
 * through this one class, so they agree to the bit.
 */
final class ShardLosses {
    private double sum;
    private long count;
    private int shards;
    private double only;

    /** Adds a shard whose mean loss over {@code terms} loss terms is {@code meanLoss}. */
    void add(double meanLoss, long terms) {
        sum += meanLoss * terms;
        count += terms;
        only = meanLoss;
        shards++;
    }

    /** One shard's mean is returned as it is, so a single partition reproduces the unsharded learner exactly. */
    double mean() {
        if (shards == 0) {
            throw new IllegalStateException("No shard was added");
        }
        return shards == 1 ? only : sum / count;
    }
}
