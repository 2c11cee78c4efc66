package org.maskpro4j.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Bytes one step sends beyond Spark's own task framing, counted with Java serialization (Spark's closure
 * serializer) at the boundary: the step task sent to each partition, and each partition's result.
 */
public record StepTraffic(long step, int partitions, long taskBytes, long resultBytes, boolean startsReplicas) {

    /** Bytes per partition and step, both ways. */
    public long perPartition() {
        return taskBytes + resultBytes / Math.max(1, partitions);
    }

    static StepTraffic measure(StepTask<?> task, boolean startsReplicas, List<PartitionLosses> results) {
        long out = 0;
        for (PartitionLosses r : results) {
            out += size(r);
        }
        return new StepTraffic(results.isEmpty() ? -1 : results.get(0).step(), results.size(), size(task), out,
                startsReplicas);
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
