package org.maskpro4j.examples.data;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of an in-memory {@link DataSet}, optionally in a seeded order that is redrawn at every reset that
 * follows use (so epoch k's order depends only on the seed and k). Batches are gathered with
 * {@link Nd4j#pullRows}, one native call per batch.
 */
final class InMemoryBatchIterator implements DataSetIterator {
    private static final long EPOCH_STRIDE = 0x9E3779B97F4A7C15L;

    private final INDArray featureRows;
    private final INDArray labelRows;
    private final long[] featureShape;
    private final long[] labelShape;
    private final int batchSize;
    private final OptionalLong shuffleSeed;
    private final int[] order;
    private int cursor;
    private long epoch;
    private DataSetPreProcessor preProcessor;

    public InMemoryBatchIterator(DataSet data, int batchSize, OptionalLong shuffleSeed) {
        if (data == null || data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException("Batch iterator needs a DataSet with features and labels");
        }
        if (data.hasMaskArrays()) {
            throw new IllegalArgumentException("Batch iterator does not support feature/label mask arrays;"
                    + " use a fixed-length data set");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("Batch size must be at least 1, got " + batchSize);
        }
        INDArray features = data.getFeatures();
        INDArray labels = data.getLabels();
        long n = features.size(0);
        if (labels.size(0) != n) {
            throw new IllegalArgumentException("Features " + Arrays.toString(features.shape()) + " and labels "
                    + Arrays.toString(labels.shape()) + " disagree on the number of examples");
        }
        this.featureShape = features.shape();
        this.labelShape = labels.shape();
        // Rows of the flattened view are whole examples, which is what pullRows gathers.
        this.featureRows = features.reshape('c', n, -1);
        this.labelRows = labels.reshape('c', n, -1);
        this.batchSize = batchSize;
        this.shuffleSeed = shuffleSeed;
        this.order = IntStream.range(0, (int) n).toArray();
        shuffleForEpoch();
    }

    public int numExamples() {
        return order.length;
    }

    @Override
    public boolean hasNext() {
        return cursor < order.length;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch finished after " + order.length + " examples: call reset()");
        }
        int end = Math.min(order.length, cursor + num);
        int[] rows = Arrays.copyOfRange(order, cursor, end);
        cursor = end;
        DataSet batch = new DataSet(gather(featureRows, featureShape, rows), gather(labelRows, labelShape, rows));
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    private static INDArray gather(INDArray rowsView, long[] shape, int[] rows) {
        long[] batchShape = shape.clone();
        batchShape[0] = rows.length;
        return Nd4j.pullRows(rowsView, 1, rows).reshape('c', batchShape);
    }

    @Override
    public void reset() {
        if (cursor > 0) {
            epoch++;
            shuffleForEpoch();
        }
        cursor = 0;
    }

    private void shuffleForEpoch() {
        if (shuffleSeed.isEmpty()) {
            return;
        }
        // Fisher-Yates over example indices from the identity, so the order depends on (seed, epoch) only.
        Random random = new Random(shuffleSeed.getAsLong() + epoch * EPOCH_STRIDE);
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    @Override
    public int inputColumns() {
        return (int) featureRows.size(1);
    }

    @Override
    public int totalOutcomes() {
        return (int) labelRows.size(1);
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
