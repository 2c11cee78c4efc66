package org.maskpro4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DataSetBatchesTest {
    /** 4-D features whose every value encodes its example index, so batches reveal which examples they hold. */
    static DataSet indexed(int n) {
        INDArray ids = Nd4j.arange(n).castTo(DataType.FLOAT);
        INDArray features = ids.reshape(n, 1, 1, 1).broadcast(n, 1, 2, 3).dup();
        INDArray labels = Nd4j.concat(1, ids.reshape(n, 1), ids.reshape(n, 1).mul(-1));
        return new DataSet(features, labels);
    }

    static List<Integer> epochOrder(DataSetIterator it, int expectedBatch) {
        List<Integer> order = new ArrayList<>();
        while (it.hasNext()) {
            DataSet batch = it.next();
            long b = batch.getFeatures().size(0);
            assertTrue(b == expectedBatch || !it.hasNext(), "only the last batch may be short");
            assertArrayEquals(new long[] {b, 1, 2, 3}, batch.getFeatures().shape());
            for (int i = 0; i < b; i++) {
                INDArray example = batch.getFeatures().get(NDArrayIndex.point(i));
                int id = example.getInt(0, 0, 0);
                assertEquals(id, example.minNumber().intValue(), "features of one example stay together");
                assertEquals(id, example.maxNumber().intValue(), "features of one example stay together");
                assertEquals(id, batch.getLabels().getInt(i, 0), "labels follow their features");
                assertEquals(-id, batch.getLabels().getInt(i, 1), "labels follow their features");
                order.add(id);
            }
        }
        return order;
    }

    @Test
    void unshuffledBatchesKeepDataOrder() {
        DataSetIterator it = DataSetBatches.ofSize(4).iterator(indexed(10));
        assertEquals(IntStream.range(0, 10).boxed().toList(), epochOrder(it, 4));
        it.reset();
        assertEquals(IntStream.range(0, 10).boxed().toList(), epochOrder(it, 4));
    }

    @Test
    void limitKeepsTheFirstExamples() {
        DataSetBatches batches = DataSetBatches.builder().batchSize(3).limit(7).shuffle(5).build();
        List<Integer> order = epochOrder(batches.iterator(indexed(20)), 3);
        List<Integer> sorted = new ArrayList<>(order);
        sorted.sort(null);
        assertEquals(IntStream.range(0, 7).boxed().toList(), sorted);
    }

    @Test
    void shuffleIsSeededAndRedrawnEachEpoch() {
        DataSet data = indexed(50);
        DataSetIterator a = DataSetBatches.builder().batchSize(8).shuffle(42).build().iterator(data);
        DataSetIterator b = DataSetBatches.builder().batchSize(8).shuffle(42).build().iterator(data);
        DataSetIterator c = DataSetBatches.builder().batchSize(8).shuffle(43).build().iterator(data);
        a.reset(); // a reset before any use must not advance the epoch
        List<Integer> a0 = epochOrder(a, 8);
        assertEquals(a0, epochOrder(b, 8), "same seed, same order");
        assertNotEquals(a0, epochOrder(c, 8), "another seed, another order");
        assertNotEquals(IntStream.range(0, 50).boxed().toList(), a0, "shuffled");
        a.reset();
        b.reset();
        List<Integer> a1 = epochOrder(a, 8);
        assertNotEquals(a0, a1, "a new order each epoch");
        assertEquals(a1, epochOrder(b, 8), "epoch orders depend on seed and epoch only");
        List<Integer> sorted = new ArrayList<>(a1);
        sorted.sort(null);
        assertEquals(IntStream.range(0, 50).boxed().toList(), sorted, "each example exactly once per epoch");
    }

    @Test
    void iteratorReportsItsShape() {
        DataSetIterator it = DataSetBatches.ofSize(4).iterator(indexed(10));
        assertEquals(6, it.inputColumns());
        assertEquals(2, it.totalOutcomes());
        assertEquals(4, it.batch());
        assertTrue(it.resetSupported());
        while (it.hasNext()) {
            it.next();
        }
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DataSetBatches.ofSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataSetBatches.builder().limit(-1).build());
        DataSet mismatched = new DataSet(Nd4j.zeros(3, 2), Nd4j.zeros(4, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSetBatches.ofSize(2).iterator(mismatched));
        assertTrue(e.getMessage().contains(Arrays.toString(new long[] {3, 2})), e.getMessage());
    }
}
