package org.maskpro4j.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** DL4J {@link DataSet}s cut by examples; a shard's loss is the mean over its examples. */
public final class DataSetShards implements ShardFormat<DataSet> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<DataSet> split(DataSet batch, int shards) {
        long[] at = ShardFormat.bounds(batch.numExamples(), shards);
        List<DataSet> out = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            out.add(new DataSet(rows(batch.getFeatures(), at[i], at[i + 1]), rows(batch.getLabels(), at[i], at[i + 1]),
                    rows(batch.getFeaturesMaskArray(), at[i], at[i + 1]), rows(batch.getLabelsMaskArray(), at[i], at[i + 1])));
        }
        return out;
    }

    private static INDArray rows(INDArray a, long from, long to) {
        if (a == null) {
            return null;
        }
        INDArrayIndex[] index = new INDArrayIndex[a.rank()];
        index[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < index.length; d++) {
            index[d] = NDArrayIndex.all();
        }
        return a.get(index).dup();
    }

    @Override
    public long count(DataSet shard) {
        return shard.numExamples();
    }

    @Override
    public byte[] encode(DataSet shard) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shard.save(bytes);
        return bytes.toByteArray();
    }

    @Override
    public DataSet decode(byte[] bytes) {
        DataSet ds = new DataSet();
        ds.load(new ByteArrayInputStream(bytes));
        return ds;
    }
}
