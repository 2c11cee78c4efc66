package org.maskpro4j.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.maskpro4j.maskpro.MaskProCheckpoint;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.maskpro.MaskProStep;
import org.maskpro4j.maskpro.StepRecord;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel MaskPro on Spark with seed replay. The model and each partition's data shards are broadcast once
 * and kept by the executors; per step the driver sends only the step number and the previous step's K ascent
 * weights. Every executor replays the update on its own copy of the logits, draws the step's K masks from
 * (seed, step, k) like everyone else, and returns its shard's K + 1 mean losses and loss-term count; the driver
 * combines them in partition order and takes the step on its own state, which it checkpoints as
 * {@link MaskProLearner} does. The result is bit-identical to {@link MaskProLearner} on a {@link ShardedModel}
 * over the same sharded batches.
 *
 * <p>A task that fails is retried by Spark and replays nothing twice; a partition whose executor lost its replica
 * reports it, and the driver broadcasts its current state for that partition to start from.
 */
public final class SparkMaskProLearner<B> {
    private static final Logger log = LoggerFactory.getLogger(SparkMaskProLearner.class);

    private final JavaSparkContext spark;
    private final MaskProConfig config;
    private final Path checkpoint;
    private final ReplicaFactory<B> factory;
    private final ShardFormat<B> format;
    private final int partitions;
    private final StepHook hook;
    private final List<StepStats> stats = new ArrayList<>();

    private SparkMaskProLearner(Builder<B> b) {
        this.spark = Objects.requireNonNull(b.spark, "spark context");
        this.config = Objects.requireNonNull(b.config, "config");
        this.factory = Objects.requireNonNull(b.factory, "replica factory");
        this.format = Objects.requireNonNull(b.format, "shard format");
        this.checkpoint = b.checkpoint;
        this.partitions = b.partitions > 0 ? b.partitions : spark.defaultParallelism();
        this.hook = b.hook;
    }

    public static <B> Builder<B> builder() {
        return new Builder<>();
    }

    public int partitions() {
        return partitions;
    }

    /** Bytes and wall time of every step job run so far (a step whose replicas had to restart ran twice). */
    public List<StepStats> stats() {
        return List.copyOf(stats);
    }

    /**
     * @param model      the driver's copy of the model; it ends with the final top-N mask applied
     * @param modelBytes the model as {@link ReplicaFactory#build} reads it, broadcast once
     * @param batches    global batches, each cut into one shard per partition
     * @param priorMasks initial mask per weight name; ignored when resuming from a checkpoint
     */
    public MaskProResult learn(MaskableModel<B> model, byte[] modelBytes, List<B> batches, Map<String, INDArray> priorMasks) {
        List<ShardedBatch<B>> sharded = ShardedBatch.cut(batches, format, partitions);
        List<Broadcast<?>> broadcasts = new ArrayList<>();
        String runId = UUID.randomUUID().toString();
        Broadcast<byte[]> modelCast = spark.broadcast(modelBytes);
        broadcasts.add(modelCast);
        List<Broadcast<List<byte[]>>> shardCasts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<byte[]> encoded = new ArrayList<>();
            for (ShardedBatch<B> sb : sharded) {
                encoded.add(encode(sb.shards().get(p)));
            }
            Broadcast<List<byte[]>> cast = spark.broadcast(encoded);
            shardCasts.add(cast);
            broadcasts.add(cast);
        }
        Broadcast<RunContext<B>> context = spark.broadcast(new RunContext<>(modelCast, shardCasts, factory, format));
        broadcasts.add(context);
        // cached once, so each partition's tasks prefer the executor that already holds its replica
        JavaRDD<Integer> slots = spark.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                .persist(StorageLevel.MEMORY_ONLY());
        slots.count();
        Driver driver = new Driver(runId, context, slots, broadcasts);
        try {
            return new MaskProLearner(config, checkpoint).learn(model.weights(), batches, priorMasks, driver::step);
        } finally {
            release(slots, runId);
            for (Broadcast<?> b : broadcasts) {
                b.destroy();
            }
        }
    }

    /** Best effort: the executors that hold the slots (and so the replicas) let this run's replicas go. */
    private static void release(JavaRDD<Integer> slots, String runId) {
        try {
            slots.foreach(p -> Replicas.EXECUTOR.dropRun(runId));
        } catch (RuntimeException e) {
            log.warn("Could not release the replicas of run {} on the executors: {}", runId, e.getMessage());
        }
        slots.unpersist(false);
    }

    private byte[] encode(B shard) {
        try {
            return format.encode(shard);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a data shard", e);
        }
    }

    /** The driver's side of the protocol across steps: the last step's weights and the state replicas start from. */
    private final class Driver {
        private final String runId;
        private final Broadcast<RunContext<B>> context;
        private final JavaRDD<Integer> slots;
        private final List<Broadcast<?>> broadcasts;
        private double[] previousWeights;
        /** The current step's masks, drawn by the driver while the executors measure them. */
        private INDArray[] masks;
        private Broadcast<byte[]> base;
        private long baseStep = -1;

        Driver(String runId, Broadcast<RunContext<B>> context, JavaRDD<Integer> slots, List<Broadcast<?>> broadcasts) {
            this.runId = runId;
            this.context = context;
            this.slots = slots;
            this.broadcasts = broadcasts;
        }

        StepRecord step(MaskProStep state) {
            if (base == null) {
                rebase(state);
            }
            List<PartitionLosses> results = run(state);
            if (results.stream().anyMatch(PartitionLosses::missing)) {
                rebase(state);
                results = run(state);
                if (results.stream().anyMatch(PartitionLosses::missing)) {
                    throw new IllegalStateException("Step " + state.step() + ": a partition could not rebuild its replica");
                }
            }
            ShardLosses prior = new ShardLosses();
            ShardLosses[] sampled = new ShardLosses[config.samplesPerStep()];
            for (int i = 0; i < sampled.length; i++) {
                sampled[i] = new ShardLosses();
            }
            for (PartitionLosses r : results) {
                prior.add(r.prior(), r.count());
                for (int i = 0; i < sampled.length; i++) {
                    sampled[i].add(r.sampled()[i], r.count());
                }
            }
            double[] losses = new double[sampled.length];
            for (int i = 0; i < losses.length; i++) {
                losses[i] = sampled[i].mean();
            }
            MaskProStep.Update update = state.advance(masks, prior.mean(), losses);
            previousWeights = update.ascentWeights();
            return update.record();
        }

        /** Runs the step on every partition; the driver draws the same masks meanwhile, for its own update. */
        private List<PartitionLosses> run(MaskProStep state) {
            // the state to start from travels only on the step it was taken at
            StepTask.Start<B> start = baseStep == state.step() ? new StepTask.Start<>(context, base) : null;
            StepTask<B> task = new StepTask<>(runId, state.step(), previousWeights, start, hook);
            long t0 = System.nanoTime();
            JavaFutureAction<List<PartitionLosses>> job = slots.map(task).collectAsync();
            masks = state.sampleMasks();
            List<PartitionLosses> results;
            try {
                results = new ArrayList<>(job.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted at MaskPro step " + state.step(), e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("MaskPro step " + state.step() + " failed on the cluster: "
                        + e.getCause().getMessage(), e.getCause());
            }
            results.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            stats.add(StepStats.measure(task, start != null, results, (System.nanoTime() - t0) / 1e9));
            return results;
        }

        /** Broadcasts the driver's current state, from which partitions without a replica start. */
        private void rebase(MaskProStep state) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try {
                MaskProCheckpoint.write(bytes, state, List.of(), null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (base != null) {
                base.destroy();
                broadcasts.remove(base);
            }
            base = spark.broadcast(bytes.toByteArray());
            broadcasts.add(base);
            baseStep = state.step();
        }
    }

    public static final class Builder<B> {
        private JavaSparkContext spark;
        private MaskProConfig config;
        private Path checkpoint;
        private ReplicaFactory<B> factory;
        private ShardFormat<B> format;
        private int partitions;
        private StepHook hook;

        public Builder<B> spark(JavaSparkContext spark) {
            this.spark = spark;
            return this;
        }

        public Builder<B> config(MaskProConfig config) {
            this.config = config;
            return this;
        }

        /** File to checkpoint to and resume from on the driver, or null for none. */
        public Builder<B> checkpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        public Builder<B> replicas(ReplicaFactory<B> factory) {
            this.factory = factory;
            return this;
        }

        public Builder<B> shards(ShardFormat<B> format) {
            this.format = format;
            return this;
        }

        /** Data partitions (one shard of every global batch each); default: Spark's default parallelism. */
        public Builder<B> partitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be positive, got " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        Builder<B> hook(StepHook hook) {
            this.hook = hook;
            return this;
        }

        public SparkMaskProLearner<B> build() {
            return new SparkMaskProLearner<>(this);
        }
    }
}
