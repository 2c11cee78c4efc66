package org.maskpro4j.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * One step job as the driver saw it: the bytes it sent beyond Spark's own task framing, counted with Java
 * serialization (Spark's closure serializer) at the boundary (the step task sent to each partition, and all the
 * partitions' results), whether it carried the state replicas start from, and its wall time.
 */
public record StepStats(long step, int partitions, long taskBytes, long resultBytes, boolean startsReplicas,
        double seconds) {

    /** Bytes per partition and step, both ways. */
    public long perPartition() {
        return taskBytes + resultBytes / Math.max(1, partitions);
    }

    static StepStats measure(StepTask<?> task, boolean startsReplicas, List<PartitionLosses> results, double seconds) {
        long out = 0;
        for (PartitionLosses r : results) {
            out += size(r);
        }
        return new StepStats(results.isEmpty() ? -1 : results.get(0).step(), results.size(), size(task), out,
                startsReplicas, seconds);
    }

    static long size(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }
}
