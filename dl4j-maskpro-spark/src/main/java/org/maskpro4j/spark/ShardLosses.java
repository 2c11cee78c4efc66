package org.maskpro4j.spark;

/**
 * A global batch's mean loss built from its shards' mean losses, weighted by their loss-term counts and added in
 * shard order. The executors' results and the single-process reference ({@link ShardedModel}) both combine
 * through this one class, so they agree to the bit.
 */
final class ShardLosses {
    private double sum;
    private long count;

    /** Adds a shard whose mean loss over {@code terms} loss terms is {@code meanLoss}. */
    void add(double meanLoss, long terms) {
        sum += meanLoss * terms;
        count += terms;
    }

    double mean() {
        if (count == 0) {
            throw new IllegalStateException("No shard was added");
        }
        return sum / count;
    }
}
