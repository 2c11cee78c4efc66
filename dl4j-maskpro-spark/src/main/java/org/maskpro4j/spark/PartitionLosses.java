package org.maskpro4j.spark;

import java.io.Serializable;

/**
 * What one partition returns for a step: its shard's mean losses under the prior mask and under each of the K
 * sampled masks, and the shard's loss-term count. {@code missing} says the executor had no replica at that step
 * and needs the driver's current state.
 */
record PartitionLosses(int partition, long step, double prior, double[] sampled, long count, boolean missing)
        implements Serializable {

    static PartitionLosses missing(int partition, long step) {
        return new PartitionLosses(partition, step, Double.NaN, new double[0], 0, true);
    }
}
