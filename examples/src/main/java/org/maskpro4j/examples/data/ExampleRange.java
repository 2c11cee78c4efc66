package org.maskpro4j.examples.data;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Contiguous example ranges of a DataSet, copied out of the source so they outlive it. */
final class ExampleRange {
    private ExampleRange() {
    }

    /** Examples {@code from} (inclusive) to {@code to} (exclusive) of features and labels, any rank. */
    static DataSet slice(DataSet data, int from, int to) {
        return new DataSet(slice(data.getFeatures(), from, to), slice(data.getLabels(), from, to));
    }

    private static INDArray slice(INDArray array, int from, int to) {
        INDArrayIndex[] indices = new INDArrayIndex[array.rank()];
        Arrays.fill(indices, NDArrayIndex.all());
        indices[0] = NDArrayIndex.interval(from, to);
        return array.get(indices).dup('c');
    }
}
