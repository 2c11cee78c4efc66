package org.maskpro4j.examples.llama;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.maskpro4j.spark.ShardFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** LLaMA batches cut by sequences; a shard's loss is the mean over its scored tokens. */
public final class LlamaShards implements ShardFormat<LlamaBatch> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<LlamaBatch> split(LlamaBatch batch, int shards) {
        long[] at = ShardFormat.bounds(batch.batchSize(), shards);
        List<LlamaBatch> out = new ArrayList<>(shards);
        for (int i = 0; i < shards; i++) {
            out.add(new LlamaBatch(rows(batch.tokens(), at[i], at[i + 1]), rows(batch.targets(), at[i], at[i + 1]),
                    rows(batch.lossMask(), at[i], at[i + 1])));
        }
        return out;
    }

    private static INDArray rows(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
    }

    @Override
    public long count(LlamaBatch shard) {
        return shard.lossMask().sumNumber().longValue();
    }

    @Override
    public byte[] encode(LlamaBatch shard) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(shard.tokens(), out);
            Nd4j.write(shard.targets(), out);
            Nd4j.write(shard.lossMask(), out);
        }
        return bytes.toByteArray();
    }

    @Override
    public LlamaBatch decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return new LlamaBatch(Nd4j.read(in), Nd4j.read(in), Nd4j.read(in));
        }
    }
}
