package org.maskpro4j.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * One step on one partition: all that travels per step is this object, the step number and the previous step's K
 * ascent weights (plus handles to data broadcast earlier). The executor replays the previous update, draws the
 * step's masks from (seed, step, k) and measures them on its shard.
 */
final class StepTask<B> implements Function<Integer, PartitionLosses> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<RunContext<B>> context;
    private final long step;
    private final double[] previousWeights;
    /** The driver's state at this step, from which a partition without a replica starts; null on most steps. */
    private final Broadcast<byte[]> base;

    StepTask(Broadcast<RunContext<B>> context, long step, double[] previousWeights, Broadcast<byte[]> base) {
        this.context = context;
        this.step = step;
        this.previousWeights = previousWeights;
        this.base = base;
    }

    @Override
    public PartitionLosses call(Integer partition) throws Exception {
        RunContext<B> ctx = context.value();
        Replicas replicas = Replicas.EXECUTOR;
        // one task per partition runs at a time, so the replica is this thread's alone
        Replica<B> replica = replicas.get(ctx.runId(), partition);
        if (replica == null || !replica.catchUp(step, previousWeights)) {
            if (base == null) {
                return PartitionLosses.missing(partition, step);
            }
            replica = Replica.build(ctx, partition, base.value());
            replicas.put(ctx.runId(), partition, replica);
        }
        PartitionLosses losses = replica.evaluate(partition);
        TaskContext task = TaskContext.get();
        ctx.hook().afterEvaluate(partition, step, task == null ? 0 : task.attemptNumber(), replicas);
        return losses;
    }
}
