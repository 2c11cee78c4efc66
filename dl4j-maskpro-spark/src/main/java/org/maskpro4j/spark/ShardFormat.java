package org.maskpro4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * How one batch type is cut into data shards and travels to the executors that keep them. A global batch's loss
 * is the count-weighted mean of its shards' mean losses, so {@link #count} says how many loss terms a shard's
 * mean averages (examples for a classifier, scored tokens for a language model).
 *
 * @param <B> the model's batch type
 */
public interface ShardFormat<B> extends Serializable {

    /** {@code batch} cut into {@code shards} non-empty parts, in order; their counts add up to the batch's. */
    List<B> split(B batch, int shards);

    /** Loss terms that the model's mean loss on {@code shard} averages over. */
    long count(B shard);

    /** The shard as bytes for the executor that keeps it. */
    byte[] encode(B shard) throws IOException;

    B decode(byte[] bytes) throws IOException;

    /** Contiguous, near-equal slices of {@code size} items: the bounds of slice i are {@code [at(i), at(i+1))}. */
    static long[] bounds(long size, int shards) {
        if (shards < 1 || size < shards) {
            throw new IllegalArgumentException("Cannot cut a batch of " + size + " into " + shards
                    + " non-empty shards: use batches of at least one example per shard");
        }
        long[] at = new long[shards + 1];
        for (int i = 0; i <= shards; i++) {
            at[i] = size * i / shards;
        }
        return at;
    }
}
