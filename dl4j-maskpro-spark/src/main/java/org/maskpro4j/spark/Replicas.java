package org.maskpro4j.spark;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicas an executor JVM holds, by run and partition. They live as long as the executor: one that dies
 * takes its replicas with it, and the driver rebuilds them elsewhere from its current state.
 */
final class Replicas {
    static final Replicas EXECUTOR = new Replicas();

    private final ConcurrentHashMap<String, Replica<?>> byKey = new ConcurrentHashMap<>();

    private static String key(String runId, int partition) {
        return runId + "/" + partition;
    }

    @SuppressWarnings("unchecked")
    <B> Replica<B> get(String runId, int partition) {
        return (Replica<B>) byKey.get(key(runId, partition));
    }

    void put(String runId, int partition, Replica<?> replica) {
        byKey.put(key(runId, partition), replica);
    }

    /** Forgets the replicas of a run that ended. */
    void dropRun(String runId) {
        byKey.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }

    /** Forgets every replica, as an executor that died and came back would. */
    void dropAll() {
        byKey.clear();
    }
}
