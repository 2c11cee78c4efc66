package org.maskpro4j.spark;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.spark.api.java.JavaSparkContext;
import org.maskpro4j.arbiter.MaskProSweep;
import org.maskpro4j.arbiter.MaskProTaskCreator;
import org.maskpro4j.arbiter.SweepRecord;

/**
 * A MaskPro sweep's candidates as Spark tasks, one task per candidate. Each executor thread builds its own
 * target once per sweep (a model is not shared between concurrent candidates) and runs candidates on it exactly
 * as the local sweep does, so the same seed gives the same candidates and scores.
 * <pre>{@code
 * SweepResult r = sweep.run(scoreName, SparkSweep.runner(spark, () -> myTarget()));
 * }</pre>
 */
public final class SparkSweep {
    /** Idle targets of this executor JVM, per sweep; they live as long as the Spark application (one per sweep). */
    private static final Map<String, Queue<MaskProTaskCreator<?>>> IDLE = new ConcurrentHashMap<>();

    private SparkSweep() {
    }

    public static <B> MaskProSweep.CandidateRunner runner(JavaSparkContext spark, SweepTargetFactory<B> targets) {
        return candidates -> {
            if (candidates.isEmpty()) {
                return List.of();
            }
            String sweepId = UUID.randomUUID().toString();
            return spark.parallelize(candidates, candidates.size()).map(c -> run(sweepId, targets, c)).collect();
        };
    }

    private static <B> SweepRecord run(String sweepId, SweepTargetFactory<B> targets, MaskProSweep.IndexedCandidate c)
            throws Exception {
        Queue<MaskProTaskCreator<?>> idle = IDLE.computeIfAbsent(sweepId, k -> new ConcurrentLinkedQueue<>());
        MaskProTaskCreator<?> creator = idle.poll();
        if (creator == null) {
            creator = new MaskProTaskCreator<>(targets.create());
        }
        try {
            return creator.run(c.index(), c.candidate());
        } finally {
            idle.offer(creator);
        }
    }
}
