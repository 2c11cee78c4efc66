package org.maskpro4j.examples.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.examples.llama.LlamaShards;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.spark.DataSetShards;
import org.maskpro4j.spark.ShardFormat;
import org.maskpro4j.spark.SparkMaskProLearner;
import org.maskpro4j.spark.StepStats;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The figures of docs/scale-out.md: MaskPro step time on the LLaMA in one process, on Spark with one and with two
 * local executors (side by side in one run), Spark's bare per-step job overhead, and the bytes a step sends for
 * the LLaMA and for a 25M-weight network against the size of their logits.
 *
 * <pre>OMP_NUM_THREADS=1 java -Xmx4g [add-opens] -cp examples/target/maskpro.jar \
 *   org.maskpro4j.examples.bench.SparkBenchmark ../shared/data/llama2c STEPS BATCH</pre>
 */
public final class SparkBenchmark {
    private static final NmPattern PATTERN = NmPattern.parse("2:4");

    private SparkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/llama2c");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        String part = args.length > 3 ? args[3] : "all";
        MaskProConfig config = MaskProConfig.builder().pattern(PATTERN).steps(steps).learningRate(50).smoothing(0.99)
                .logitMagnitude(10).samplesPerStep(4).seed(1).logEvery(Math.max(1, steps / 4)).build();
        if (!part.equals("mlp")) {
            llama(dir, batch, config);
        }
        if (!part.equals("llama")) {
            say(mlpTraffic(config));
        }
    }

    /** Results go out as soon as they are measured, so a run cut short still reports what it has. */
    private static void say(String line) {
        System.out.println("RESULT " + line);
        System.out.flush();
    }

    private static void llama(Path dir, int batch, MaskProConfig config) throws Exception {
        Path model = dir.resolve("stories260K.bin");
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.read(model);
        Llama2cTokenizer tok = Llama2cTokenizer.read(dir.resolve("tok512.bin"), ckpt.config().vocabSize());
        List<LlamaBatch> batches = LlamaBatches.fromText(dir.resolve("tinystories_train.txt"), tok, ckpt.config().seqLen(),
                batch, batch * 4);
        byte[] bytes = Files.readAllBytes(model);
        long steps = config.steps();
        say(String.format(Locale.ROOT, "LLaMA stories260K, 2:4, K=4, %d steps, %d global batches of %d sequences (%d scored tokens each on average)",
                steps, batches.size(), batch, batches.stream().mapToLong(b -> new LlamaShards().count(b)).sum() / batches.size()));

        double single = singleProcess(llama(bytes), batches, config);
        say(String.format(Locale.ROOT, "single process: %.3f s/step", single));
        double[] perExecutors = new double[3];
        for (int executors = 1; executors <= 2; executors++) {
            try (JavaSparkContext spark = context(executors)) {
                ResultSizes sizes = ResultSizes.listen(spark);
                SparkMaskProLearner<LlamaBatch> learner = SparkMaskProLearner.<LlamaBatch>builder().spark(spark).config(config)
                        .replicas(SparkBenchmark::llama).shards(new LlamaShards()).partitions(executors).build();
                MaskableModel<LlamaBatch> driver = llama(bytes);
                learner.learn(driver, bytes, batches, new MagnitudePrior().masks(driver, List.of()));
                perExecutors[executors] = median(learner.stats());
                say(String.format(Locale.ROOT, "spark local[%d], %d partitions: %.3f s/step (median; %s), %s",
                        executors, executors, perExecutors[executors], traffic(learner.stats(), logitBytes(driver)), sizes));
                if (executors == 2) {
                    say(String.format(Locale.ROOT, "bare Spark job (map + collect of %d slots): %.4f s median of 50",
                            executors, bareJob(spark, executors)));
                }
            }
        }
        say(String.format(Locale.ROOT, "speed-up 2 vs 1 executors: %.2fx; 1 executor vs single process: %.2fx",
                perExecutors[1] / perExecutors[2], single / perExecutors[1]));
    }

    private static MaskableModel<LlamaBatch> llama(byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile("bench-llama", ".bin");
        try {
            Files.write(tmp, bytes);
            return new LlamaMaskableModel(LlamaGraph.build(Llama2cCheckpoint.read(tmp)), PATTERN);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static JavaSparkContext context(int executors) {
        return new JavaSparkContext(new SparkConf().setMaster("local[" + executors + ",4]").setAppName("maskpro-bench")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1"));
    }

    /** Median seconds per step of the single-process learner on the same global batches. */
    private static double singleProcess(MaskableModel<LlamaBatch> model, List<LlamaBatch> batches, MaskProConfig config) {
        double[] seconds = new double[(int) config.steps()];
        new MaskProLearner(config, null).learn(model.weights(), batches, new MagnitudePrior().masks(model, List.of()), state -> {
            long t0 = System.nanoTime();
            var r = state.step(model, batches.get((int) (state.step() % batches.size())));
            seconds[(int) r.step() - 1] = (System.nanoTime() - t0) / 1e9;
            return r;
        });
        return medianOf(seconds);
    }

    private static double median(List<StepStats> stats) {
        return medianOf(stats.stream().filter(s -> !s.startsReplicas()).mapToDouble(StepStats::seconds).toArray());
    }

    private static double medianOf(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    private static long logitBytes(MaskableModel<?> model) {
        return model.weights().stream().mapToLong(w -> w.layout().groupCount()).sum() * PATTERN.m() * Float.BYTES;
    }

    private static String traffic(List<StepStats> stats, long logits) {
        StepStats s = stats.stream().filter(x -> !x.startsReplicas()).reduce((a, b) -> b).orElseThrow();
        return String.format(Locale.ROOT, "per partition and step: task %d B + result %d B = %d B, logits %d B (%.0fx)",
                s.taskBytes(), s.resultBytes() / s.partitions(), s.perPartition(), logits, (double) logits / s.perPartition());
    }

    private static double bareJob(JavaSparkContext spark, int slots) {
        JavaRDD<Integer> rdd = spark.parallelize(IntStream.range(0, slots).boxed().toList(), slots).cache();
        rdd.count();
        double[] seconds = new double[50];
        for (int i = 0; i < seconds.length; i++) {
            long t0 = System.nanoTime();
            rdd.map(x -> x).collect();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        return medianOf(seconds);
    }

    /** Per-step bytes on a 784-4096-4096-1024-10 network (about 25M weights, random: only sizes matter here). */
    private static String mlpTraffic(MaskProConfig config) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(4096).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(4096).nOut(4096).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(4096).nOut(1024).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(1024).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, out, false);
        byte[] bytes = out.toByteArray();
        DataSet data = FashionMnist.atDefaultDirectory().load(FashionMnist.Split.TRAIN, 64);
        data.setFeatures(data.getFeatures().reshape(64, 784));

        // two steps on one executor: the second is a plain step, and memory stays at two copies of the network
        MaskProConfig short2 = config.toBuilder().steps(2).build();
        try (JavaSparkContext spark = context(1)) {
            SparkMaskProLearner<DataSet> learner = SparkMaskProLearner.<DataSet>builder().spark(spark).config(short2)
                    .replicas(SparkBenchmark::mlp).shards(new DataSetShards()).partitions(1).build();
            MaskableModel<DataSet> driver = mlp(bytes);
            learner.learn(driver, bytes, List.of(data), new MagnitudePrior().masks(driver, List.of()));
            return String.format(Locale.ROOT, "MLP with %,d weights, spark local[1], K=%d: %s", net.numParams(), short2.samplesPerStep(),
                    traffic(learner.stats(), logitBytes(driver)));
        }
    }

    private static MaskableModel<DataSet> mlp(byte[] bytes) throws IOException {
        return new MultiLayerNetworkModel(ModelSerializer.restoreMultiLayerNetwork(new java.io.ByteArrayInputStream(bytes), false),
                PATTERN, WeightSelection.all());
    }

    /** Spark's own measure of what tasks send back (result plus its framing and metrics), from the task metrics. */
    private static final class ResultSizes extends SparkListener {
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong tasks = new AtomicLong();

        static ResultSizes listen(JavaSparkContext spark) {
            ResultSizes l = new ResultSizes();
            spark.sc().addSparkListener(l);
            return l;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                bytes.addAndGet(end.taskMetrics().resultSize());
                tasks.incrementAndGet();
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Spark task metrics: %d B result per task on average over %d tasks",
                    tasks.get() == 0 ? 0 : bytes.get() / tasks.get(), tasks.get());
        }
    }
}
