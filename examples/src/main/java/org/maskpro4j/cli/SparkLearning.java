package org.maskpro4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaShards;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.method.MaskMethod;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskResult;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.spark.DataSetShards;
import org.maskpro4j.spark.ReplicaFactory;
import org.maskpro4j.spark.ShardFormat;
import org.maskpro4j.spark.SparkMaskProLearner;
import org.maskpro4j.weights.MaskableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code --spark MASTER}: MaskPro learned data-parallel on Spark, embedded ({@code local[N]}) or on a cluster.
 * The executors rebuild the model from the bytes the workload saves, so every format that saves itself as it
 * loads works (DL4J zips, Keras imports saved as DL4J zips, llama2.c files).
 */
final class SparkLearning {
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)]");

    private SparkLearning() {
    }

    /**
     * A Spark context for {@code master}. Plain {@code local[N]} never retries a failed task, so it becomes
     * {@code local[N,4]}, the retries a cluster gives by default.
     */
    static JavaSparkContext start(String master) {
        // Spark logs every task at INFO, which would bury MaskPro's progress lines (slf4j-simple reads these lazily)
        for (String chatty : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop")) {
            System.setProperty("org.slf4j.simpleLogger.log." + chatty, System.getProperty("org.slf4j.simpleLogger.log." + chatty, "warn"));
        }
        Matcher local = LOCAL.matcher(master);
        SparkConf conf = new SparkConf().setAppName("maskpro").setMaster(local.matches() ? "local[" + local.group(1) + ",4]" : master);
        if (master.startsWith("local")) {
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        }
        try {
            return new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new UserError("Cannot start Spark with --spark " + master + ": " + e.getMessage(), e);
        }
    }

    /** {@code local} (MaskPro) as the pipeline's mask stage, learned on Spark at {@code master}. */
    @SuppressWarnings("unchecked")
    static <B> MaskMethod onSpark(String master, MaskMethod local, MethodSettings settings, Workload<B> workload,
            SelectionOptions selection) {
        if (!local.name().equals(MaskMethods.MASKPRO)) {
            throw new UserError("--spark learns MaskPro; --method " + local.name() + " runs without it");
        }
        ShardFormat<B> format = (ShardFormat<B>) switch (workload.format()) {
            case "dl4j", "keras" -> new DataSetShards();
            case "llama2c" -> new LlamaShards();
            default -> throw new UserError("--spark runs DL4J, Keras and llama2.c models; " + workload.format()
                    + " models run without it");
        };
        MaskProConfig config = settings.maskPro();
        ReplicaFactory<B> replicas = (ReplicaFactory<B>) new Replicas(workload.format(), config.pattern().toString(), selection);
        return new MaskMethod() {
            @Override
            public String name() {
                return local.name();
            }

            @Override
            public boolean usesPrior() {
                return local.usesPrior();
            }

            @Override
            public Map<String, String> settings() {
                Map<String, String> s = new LinkedHashMap<>(local.settings());
                s.put("spark", master);
                return s;
            }

            @Override
            @SuppressWarnings("unchecked")
            public <C> MaskResult run(MaskableModel<C> model, List<C> data, Map<String, INDArray> prior) {
                byte[] bytes = modelBytes(workload);
                try (JavaSparkContext spark = start(master)) {
                    SparkMaskProLearner<C> learner = SparkMaskProLearner.<C>builder().spark(spark).config(config)
                            .checkpoint(settings.checkpoint()).replicas((ReplicaFactory<C>) replicas)
                            .shards((ShardFormat<C>) format).build();
                    MaskProResult r = learner.learn(model, bytes, data, prior);
                    return new MaskResult(name(), r.masks(), r.steps(), r.history(), r.changedFromPrior(), false, r.seconds(),
                            Map.of("partitions", learner.partitions()));
                }
            }
        };
    }

    /** The model as the workload saves it, before any mask is applied: what the executors rebuild. */
    private static byte[] modelBytes(Workload<?> workload) {
        try {
            Path tmp = Files.createTempFile("maskpro-spark-model", ".tmp");
            try {
                workload.save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialise the model for the Spark executors", e);
        }
    }

    /** Builds the executors' replicas from the saved model, with the same pattern and layer selection. */
    private record Replicas(String format, String pattern, SelectionOptions selection) implements ReplicaFactory<Object> {
        @Override
        @SuppressWarnings("unchecked")
        public MaskableModel<Object> build(byte[] model) throws IOException {
            Path tmp = Files.createTempFile("maskpro-replica", ".tmp");
            try {
                Files.write(tmp, model);
                NmPattern nm = NmPattern.parse(pattern);
                MaskableModel<?> m = format.equals("llama2c")
                        ? LlamaWorkload.maskable(LlamaGraph.build(Llama2cCheckpoint.read(tmp)), nm, selection.selection())
                        : Dl4jWorkload.load(tmp).maskable(nm, selection.selection());
                return (MaskableModel<Object>) m;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
