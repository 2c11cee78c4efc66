package org.maskpro4j.spark;

import java.io.Serializable;

/**
 * Runs inside every step task after the shard's losses are measured; tests use it to fail a task or lose a
 * replica, as a dying executor would. Runs on the executors, so it must serialize.
 */
interface StepHook extends Serializable {
    void afterEvaluate(int partition, long step, int attempt, Replicas replicas) throws Exception;
}
