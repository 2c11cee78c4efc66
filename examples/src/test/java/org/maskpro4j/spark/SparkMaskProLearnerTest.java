package org.maskpro4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Issue acceptance for data-parallel MaskPro on Spark (local mode): the final mask is bit-identical to the
 * single-process learner on the same sharded batches, also when a task fails once and is retried, when an
 * executor loses its replica mid-run, and when the driver stops half-way and resumes from its checkpoint.
 */
class SparkMaskProLearnerTest {
    private static final Path CNN = Path.of("target", "fashion-cnn-seed42.zip");
    private static final NmPattern PATTERN = NmPattern.parse("2:4");
    private static final int PARTITIONS = 2;
    private static JavaSparkContext spark;

    @BeforeAll
    static void startSpark() {
        assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIRECTORY), "Fashion-MNIST not installed: skipped");
        if (!Files.isRegularFile(CNN)) {
            TrainedFashionCnn.getOrTrain(CNN, 42, 1);
        }
        // local[2,2]: two executor threads, and a failed task is tried up to twice (plain local[N] never retries)
        spark = new JavaSparkContext(new SparkConf().setMaster("local[" + PARTITIONS + ",2]").setAppName("maskpro-test")
                .set("spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static final long STEPS = 12;

    private static MaskProConfig config() {
        return config(STEPS);
    }

    private static MaskProConfig config(long steps) {
        return MaskProConfig.builder().pattern(PATTERN).steps(steps).learningRate(300).smoothing(0.9).logitMagnitude(3)
                .samplesPerStep(2).seed(5).logEvery(4).checkpointEvery(5).build();
    }

    private static List<DataSet> batches() {
        DataSet all = FashionMnist.atDefaultDirectory().load(FashionMnist.Split.TRAIN, 192);
        List<DataSet> out = new ArrayList<>();
        for (DataSet b : all.batchBy(64)) {
            out.add(b);
        }
        return out;
    }

    private static MultiLayerNetworkModel model(byte[] bytes) throws IOException {
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes), false);
        return new MultiLayerNetworkModel(net, NmPattern.parse("2:4"), WeightSelection.all());
    }

    private static Map<String, INDArray> prior(MultiLayerNetworkModel model) {
        return new MagnitudePrior().masks(model, List.of());
    }

    private static MaskProResult singleProcess(byte[] bytes, List<DataSet> batches) throws IOException {
        MultiLayerNetworkModel model = model(bytes);
        ShardedModel<DataSet> sharded = new ShardedModel<>(model, new DataSetShards());
        return new MaskProLearner(config(), null).learn(sharded, ShardedBatch.cut(batches, new DataSetShards(), PARTITIONS),
                prior(model));
    }

    private static MaskProResult onSpark(byte[] bytes, List<DataSet> batches, StepHook hook, Path checkpoint) throws IOException {
        return onSpark(bytes, batches, hook, checkpoint, PARTITIONS, STEPS);
    }

    private static MaskProResult onSpark(byte[] bytes, List<DataSet> batches, StepHook hook, Path checkpoint,
            int partitions, long steps) throws IOException {
        MultiLayerNetworkModel model = model(bytes);
        SparkMaskProLearner<DataSet> learner = SparkMaskProLearner.<DataSet>builder().spark(spark).config(config(steps))
                .replicas(SparkMaskProLearnerTest::model).shards(new DataSetShards()).partitions(partitions)
                .checkpoint(checkpoint).hook(hook).build();
        MaskProResult result = learner.learn(model, bytes, batches, prior(model));
        for (StepStats t : learner.stats()) {
            if (!t.startsReplicas()) {
                assertTrue(t.perPartition() < 1024, t::toString);
            }
        }
        return result;
    }

    private static void assertSameMasks(MaskProResult expected, MaskProResult actual) {
        assertEquals(expected.masks().keySet(), actual.masks().keySet());
        for (String name : expected.masks().keySet()) {
            assertArrayEquals(expected.masks().get(name).data().asFloat(), actual.masks().get(name).data().asFloat(), name);
        }
        assertEquals(expected.history(), actual.history(), "every step's losses, residual and δ, to the bit");
    }

    @Test
    void maskIsBitIdenticalToTheSingleProcessLearnerEvenWhenATaskFailsAndAReplicaIsLost(@TempDir Path dir) throws Exception {
        byte[] bytes = Files.readAllBytes(CNN);
        List<DataSet> batches = batches();
        MaskProResult reference = singleProcess(bytes, batches);
        assertTrue(reference.changedFromPrior() > 0, "the run must move the mask for the comparison to mean something");

        assertSameMasks(reference, onSpark(bytes, batches, null, null));

        // half the run, stopped; then resumed from the driver's checkpoint to the end
        Path checkpoint = dir.resolve("spark.ckpt");
        onSpark(bytes, batches, new Faults(), checkpoint, PARTITIONS, STEPS / 2);
        assertTrue(Files.isRegularFile(checkpoint), "the driver checkpoints as the learner does");
        MaskProResult faulty = onSpark(bytes, batches, new Faults(), checkpoint, PARTITIONS, STEPS);
        assertEquals(1, Faults.FAILED.get(), "the injected failure happened once, and Spark retried the task");
        assertTrue(Faults.DROPPED.get() > 0, "a replica was lost");
        assertSameMasks(reference, faulty);
    }

    @Test
    void onePartitionReproducesThePlainSingleProcessLearner() throws Exception {
        byte[] bytes = Files.readAllBytes(CNN);
        List<DataSet> batches = batches();
        MultiLayerNetworkModel model = model(bytes);
        MaskProResult plain = new MaskProLearner(config(), null).learn(model, batches, prior(model));
        assertSameMasks(plain, onSpark(bytes, batches, null, null, 1, STEPS));
    }

    /** Step 3 on partition 1 fails once after measuring its losses; at step 7 partition 0's executor forgets its replica. */
    private static final class Faults implements StepHook {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger FAILED = new AtomicInteger();
        static final AtomicInteger DROPPED = new AtomicInteger();

        @Override
        public void afterEvaluate(int partition, long step, int attempt, Replicas replicas) {
            if (partition == 1 && step == 3 && attempt == 0) {
                FAILED.incrementAndGet();
                throw new IllegalStateException("injected task failure");
            }
            if (partition == 0 && step == 7 && DROPPED.getAndIncrement() == 0) {
                replicas.dropAll();
            }
        }
    }
}
