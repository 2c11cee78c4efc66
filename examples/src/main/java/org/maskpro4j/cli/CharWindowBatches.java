package org.maskpro4j.cli;

import java.util.AbstractList;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.factory.ops.NDBase;

/**
 * Minibatches of one-hot character windows, built when asked for: only the text's character indices are held, so
 * memory stays the size of the text whatever {@code --examples} asks (materialised, the windows take
 * {@code window · vocabulary · 4} bytes each: 11 GB for tinyshakespeare). Window {@code n} is the characters
 * {@code first + n .. first + n + window - 1}, labelled with the one that follows.
 */
final class CharWindowBatches extends AbstractList<DataSet> {
    private final int[] text;
    private final int first;
    private final int count;
    private final int window;
    private final int vocabulary;
    private final int batchSize;
    /** Recurrent layers in NCW take [batch, features, time]; NWC [batch, time, features]. */
    private final boolean channelsFirst;

    CharWindowBatches(int[] text, int first, int count, int window, int vocabulary, int batchSize, boolean channelsFirst) {
        if (count < 1 || batchSize < 1 || first < 0 || (long) first + count + window > text.length) {
            throw new IllegalArgumentException("Windows " + first + " + " + count + " of " + window + " characters do not fit"
                    + " a text of " + text.length + " in batches of " + batchSize);
        }
        this.text = text;
        this.first = first;
        this.count = count;
        this.window = window;
        this.vocabulary = vocabulary;
        this.batchSize = batchSize;
        this.channelsFirst = channelsFirst;
    }

    int examples() {
        return count;
    }

    @Override
    public int size() {
        return (count + batchSize - 1) / batchSize;
    }

    @Override
    public DataSet get(int batch) {
        int from = batch * batchSize;
        if (batch < 0 || from >= count) {
            throw new IndexOutOfBoundsException(batch);
        }
        int n = Math.min(batchSize, count - from);
        int[][] inputs = new int[n][window];
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            int start = first + from + i;
            System.arraycopy(text, start, inputs[i], 0, window);
            targets[i] = text[start + window];
        }
        // the indices and the pre-permute one-hot are freed here, not left to a GC that a pass over many batches of
        // small Java objects rarely triggers
        try (INDArray ids = Nd4j.createFromArray(inputs); INDArray next = Nd4j.createFromArray(targets)) {
            NDBase base = new NDBase();
            INDArray x = base.oneHot(ids, vocabulary, -1, 1.0, 0.0, DataType.FLOAT);
            if (channelsFirst) {
                try (INDArray timeMajor = x) {
                    x = timeMajor.permute(0, 2, 1).dup('c');
                }
            }
            return new DataSet(x, base.oneHot(next, vocabulary, -1, 1.0, 0.0, DataType.FLOAT));
        }
    }
}
