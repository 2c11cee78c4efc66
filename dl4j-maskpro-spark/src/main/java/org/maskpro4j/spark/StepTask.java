package org.maskpro4j.spark;

import java.io.Serializable;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * One step on one partition. On most steps all that travels is the run's id, the step number and the previous
 * step's K ascent weights: the executor replays the previous update on its replica, draws the step's masks from
 * (seed, step, k) and measures them on its shard. Only on the steps where replicas (re)start does the task carry
 * handles to the broadcast run context and the driver's state.
 */
final class StepTask<B> implements Function<Integer, PartitionLosses> {
    private static final long serialVersionUID = 1L;

    /** Where a partition without a replica starts from: the run's context and the driver's state at this step. */
    record Start<B>(Broadcast<RunContext<B>> context, Broadcast<byte[]> state) implements Serializable {
    }

    private final String runId;
    private final long step;
    private final double[] previousWeights;
    private final Start<B> start;
    private final StepHook hook;

    StepTask(String runId, long step, double[] previousWeights, Start<B> start, StepHook hook) {
        this.runId = runId;
        this.step = step;
        this.previousWeights = previousWeights;
        this.start = start;
        this.hook = hook;
    }

    @Override
    public PartitionLosses call(Integer partition) throws Exception {
        Replicas replicas = Replicas.EXECUTOR;
        // one task per partition runs at a time, so the replica is this thread's alone
        Replica<B> replica = replicas.get(runId, partition);
        if (replica == null || !replica.catchUp(step, previousWeights)) {
            if (start == null) {
                return PartitionLosses.missing(partition, step);
            }
            replica = Replica.build(start.context().value(), partition, start.state().value());
            replicas.put(runId, partition, replica);
        }
        PartitionLosses losses = replica.evaluate(partition);
        if (hook != null) {
            TaskContext task = TaskContext.get();
            hook.afterEvaluate(partition, step, task == null ? 0 : task.attemptNumber(), replicas);
        }
        return losses;
    }
}
