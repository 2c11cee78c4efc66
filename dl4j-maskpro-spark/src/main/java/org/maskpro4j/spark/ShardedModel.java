package org.maskpro4j.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model whose batches are {@link ShardedBatch}es, losses combined exactly as the distributed learner combines
 * its executors' shard losses: the single-process reference that {@link SparkMaskProLearner} reproduces bit for
 * bit, and the way to resume a Spark run's checkpoint on one machine.
 */
public final class ShardedModel<B> implements MaskableModel<ShardedBatch<B>> {
    private final MaskableModel<B> model;
    private final ShardFormat<B> format;

    public ShardedModel(MaskableModel<B> model, ShardFormat<B> format) {
        this.model = Objects.requireNonNull(model, "model");
        this.format = Objects.requireNonNull(format, "format");
    }

    @Override
    public List<MaskableWeight> weights() {
        return model.weights();
    }

    @Override
    public double loss(ShardedBatch<B> batch) {
        ShardLosses losses = new ShardLosses();
        for (B shard : batch.shards()) {
            losses.add(model.loss(shard), format.count(shard));
        }
        return losses.mean();
    }

    @Override
    public INDArray inputRows(MaskableWeight weight, ShardedBatch<B> batch) {
        List<INDArray> rows = new ArrayList<>();
        for (B shard : batch.shards()) {
            rows.add(model.inputRows(weight, shard));
        }
        return Nd4j.concat(0, rows.toArray(new INDArray[0]));
    }

    @Override
    public List<List<String>> calibrationGroups() {
        return model.calibrationGroups();
    }

    @Override
    public List<String> skipped() {
        return model.skipped();
    }

    @Override
    public String batchKey(ShardedBatch<B> batch) {
        StringBuilder key = new StringBuilder();
        for (B shard : batch.shards()) {
            String k = model.batchKey(shard);
            if (k == null) {
                return null;
            }
            key.append(k).append('|');
        }
        return key.toString();
    }
}
