package org.maskpro4j.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * One global batch cut into the shards that the executors evaluate, shard p on partition p. Step t uses global
 * batch t mod (number of batches), as the single-process learner cycles over its data.
 */
public record ShardedBatch<B>(List<B> shards) {

    public ShardedBatch {
        if (shards == null || shards.isEmpty()) {
            throw new IllegalArgumentException("A sharded batch needs at least one shard");
        }
        shards = List.copyOf(shards);
    }

    /** Every batch cut into {@code partitions} shards by {@code format}. */
    public static <B> List<ShardedBatch<B>> cut(List<B> batches, ShardFormat<B> format, int partitions) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("The training data is empty: MaskPro needs at least one minibatch");
        }
        List<ShardedBatch<B>> out = new ArrayList<>(batches.size());
        for (B b : batches) {
            out.add(new ShardedBatch<>(format.split(b, partitions)));
        }
        return out;
    }
}
