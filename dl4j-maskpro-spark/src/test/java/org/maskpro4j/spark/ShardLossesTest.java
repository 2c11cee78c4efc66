package org.maskpro4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How shards are cut and how their losses combine into a global batch's. */
class ShardLossesTest {

    @Test
    void shardsAreContiguousNonEmptyAndCoverTheBatch() {
        assertArrayEquals(new long[] {0, 2, 5, 7, 10}, ShardFormat.bounds(10, 4));
        assertArrayEquals(new long[] {0, 1, 2}, ShardFormat.bounds(2, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShardFormat.bounds(3, 4));
        assertTrue(e.getMessage().contains("at least one example per shard"), e::getMessage);
    }

    @Test
    void theGlobalLossIsTheCountWeightedMeanAndOneShardIsReturnedAsItIs() {
        ShardLosses two = new ShardLosses();
        two.add(1.0, 3);
        two.add(2.0, 1);
        assertEquals(1.25, two.mean());

        double awkward = 0.1; // 0.1 * 3 / 3 is 0.10000000000000002
        ShardLosses one = new ShardLosses();
        one.add(awkward, 3);
        assertEquals(Double.doubleToRawLongBits(awkward), Double.doubleToRawLongBits(one.mean()));
        assertThrows(IllegalStateException.class, () -> new ShardLosses().mean());
    }
}
