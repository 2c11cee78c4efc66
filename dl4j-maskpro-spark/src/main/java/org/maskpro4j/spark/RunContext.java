package org.maskpro4j.spark;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.broadcast.Broadcast;

/**
 * What every executor of one run needs, broadcast once: the model bytes, a handle per partition to its data
 * shards (so an executor fetches only its own), and how to build replicas and read shards.
 */
record RunContext<B>(Broadcast<byte[]> model, List<Broadcast<List<byte[]>>> shards,
        ReplicaFactory<B> factory, ShardFormat<B> format) implements Serializable {
}
