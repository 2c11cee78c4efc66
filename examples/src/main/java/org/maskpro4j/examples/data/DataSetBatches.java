package org.maskpro4j.examples.data;

import java.util.OptionalLong;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * How an in-memory data set is cut into minibatches: batch size, an optional limit (the first n examples, so a
 * limited run always sees the same examples) and an optional seeded shuffle, redrawn every epoch.
 */
public final class DataSetBatches {
    private final int batchSize;
    private final int limit;
    private final OptionalLong shuffleSeed;

    private DataSetBatches(Builder b) {
        if (b.batchSize < 1) {
            throw new IllegalArgumentException("Batch size must be at least 1, got " + b.batchSize);
        }
        if (b.limit < 0) {
            throw new IllegalArgumentException("Example limit must be >= 0 (0 means all examples), got " + b.limit);
        }
        this.batchSize = b.batchSize;
        this.limit = b.limit;
        this.shuffleSeed = b.shuffleSeed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Batches of the given size, every example, data order. */
    public static DataSetBatches ofSize(int batchSize) {
        return builder().batchSize(batchSize).build();
    }

    public int batchSize() {
        return batchSize;
    }

    /** 0 means all examples. */
    public int limit() {
        return limit;
    }

    public OptionalLong shuffleSeed() {
        return shuffleSeed;
    }

    /** The first {@link #limit()} examples of {@code data} (all when the limit is 0 or not smaller). */
    public DataSet limitOf(DataSet data) {
        int n = data.numExamples();
        if (limit == 0 || limit >= n) {
            return data;
        }
        return ExampleRange.slice(data, 0, limit);
    }

    public DataSetIterator iterator(DataSet data) {
        return new InMemoryBatchIterator(limitOf(data), batchSize, shuffleSeed);
    }

    public static final class Builder {
        private int batchSize = 64;
        private int limit;
        private OptionalLong shuffleSeed = OptionalLong.empty();

        private Builder() {
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Keep only the first {@code limit} examples; 0 keeps all. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /** Shuffle the examples with this seed; each epoch (each reset after use) draws a new order. */
        public Builder shuffle(long seed) {
            this.shuffleSeed = OptionalLong.of(seed);
            return this;
        }

        public DataSetBatches build() {
            return new DataSetBatches(this);
        }
    }
}
