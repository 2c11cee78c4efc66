package org.maskpro4j.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.maskpro.MaskProCheckpoint;
import org.maskpro4j.maskpro.MaskProStep;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One partition's copy of the learner on an executor: a model replica, the policy state it replays step by step
 * from the driver's ascent weights, and the partition's data shards, kept between steps.
 */
final class Replica<B> {
    private final MaskableModel<B> model;
    private final MaskProStep state;
    private final List<B> shards;
    private final long[] counts;
    private final Map<Integer, Double> priorLosses = new HashMap<>();
    private INDArray[] masks;

    private Replica(MaskableModel<B> model, MaskProStep state, List<B> shards, long[] counts) {
        this.model = model;
        this.state = state;
        this.shards = shards;
        this.counts = counts;
    }

    /** A replica at the state the driver broadcast (a checkpoint without history), on partition {@code p}'s shards. */
    static <B> Replica<B> build(RunContext<B> ctx, int p, byte[] state) throws IOException {
        MaskableModel<B> model = ctx.factory().build(ctx.model().value());
        MaskProCheckpoint.Snapshot snap = MaskProCheckpoint.read(new ByteArrayInputStream(state), "The driver's state");
        MaskProStep step = snap.bind(model.weights(), snap.config());
        List<B> shards = new ArrayList<>();
        for (byte[] bytes : ctx.shards().get(p).value()) {
            shards.add(ctx.format().decode(bytes));
        }
        long[] counts = new long[shards.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = ctx.format().count(shards.get(i));
        }
        return new Replica<>(model, step, shards, counts);
    }

    /** Steps whose updates the logits hold. */
    long step() {
        return state.step();
    }

    /**
     * Brings the logits from step − 1 to {@code step} with that step's ascent weights. A retried task finds the
     * replica already there and replays nothing, so a retry never applies an update twice.
     *
     * @return whether the replica is now at {@code step}
     */
    boolean catchUp(long step, double[] previousWeights) {
        if (state.step() == step - 1 && previousWeights != null) {
            state.replay(masks != null ? masks : state.sampleMasks(), previousWeights);
            masks = null;
        }
        return state.step() == step;
    }

    /** The losses of this step's prior and sampled masks on the shard of the step's global batch. */
    PartitionLosses evaluate(int partition) {
        if (masks == null) {
            masks = state.sampleMasks();
        }
        int b = (int) (state.step() % shards.size());
        B shard = shards.get(b);
        Double prior = priorLosses.get(b);
        if (prior == null) {
            state.policy().applyPrior();
            prior = model.loss(shard);
            priorLosses.put(b, prior);
        }
        double[] sampled = new double[masks.length];
        for (int i = 0; i < masks.length; i++) {
            state.policy().apply(masks[i]);
            sampled[i] = model.loss(shard);
        }
        return new PartitionLosses(partition, state.step(), prior, sampled, counts[b], false);
    }
}
