package org.maskpro4j.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.apache.spark.api.java.JavaSparkContext;
import org.maskpro4j.export.MaskFile;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code maskpro prune}: learn or compute a strict N:M mask and write the pruned model plus its mask file. */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Prune a model to a strict N:M pattern.")
public final class PruneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    SelectionOptions selectionOptions;

    @Option(names = "--pattern", defaultValue = "2:4", description = "N:M pattern (default ${DEFAULT-VALUE})")
    String pattern;
    @Option(names = "--method", defaultValue = "maskpro", description = "maskpro, magnitude, wanda, sparsegpt, sparsegpt-mask")
    String method;
    @Option(names = "--prior", defaultValue = "wanda", description = "MaskPro's initial mask: magnitude, wanda, sparsegpt-mask (default ${DEFAULT-VALUE})")
    String prior;
    @Option(names = "--steps", defaultValue = "1000", description = "MaskPro steps (default ${DEFAULT-VALUE})")
    long steps;
    @Option(names = "--lr", defaultValue = "50", description = "MaskPro learning rate η (default ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--alpha", defaultValue = "0.99", description = "Smoothing α of the residual tracker δ (default ${DEFAULT-VALUE})")
    double alpha;
    @Option(names = "--logits", defaultValue = "10", description = "Initial logit magnitude C (default ${DEFAULT-VALUE})")
    double logits;
    @Option(names = "--samples", defaultValue = "1", description = "Masks sampled per step K (default ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--config", description = "MaskPro settings file, such as a sweep's best-maskpro.properties;"
            + " options given on the command line win")
    Path config;
    @Option(names = "--checkpoint", description = "Directory for MaskPro checkpoints; a run there resumes")
    Path checkpoint;
    @Option(names = "--out", required = true, description = "Pruned model file (same format as the input)")
    Path out;
    @Option(names = "--report", description = "Directory for the HTML report")
    Path report;
    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;
    @Option(names = "--spark", paramLabel = "MASTER", description = "Learn MaskPro data-parallel on Spark: local[N]"
            + " embedded, or a cluster's master URL")
    String spark;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        applyConfigFile();
        NmPattern nm = NmPattern.parse(pattern);
        MaskProConfig config = MaskProConfig.builder().pattern(nm).steps(steps).learningRate(lr).smoothing(alpha)
                .logitMagnitude(logits).samplesPerStep(samples).seed(seed).logEvery(Math.max(1, (int) (steps / 20)))
                .checkpointEvery(checkpoint == null ? 0 : 100).build();
        Methods.requireKnown(method);
        requireWritable(out);
        dataOptions.validated();
        Workload<?> workload = modelOptions.load();
        Map<String, Object> result = prune(workload, nm, config);
        if (json) {
            Json.print(result);
        } else {
            Json.println(method + " " + nm + " -> " + out + " " + result.get("metrics"));
        }
        return 0;
    }

    private <B> Map<String, Object> prune(Workload<B> w, NmPattern nm, MaskProConfig config) throws IOException {
        long t0 = System.nanoTime();
        MaskableModel<B> model = w.maskable(nm, selectionOptions.selection());
        List<B> train = w.trainBatches(dataOptions.data, dataOptions.examples, dataOptions.batch);
        List<B> eval = w.evalBatches(dataOptions.data, dataOptions.valid, dataOptions.evalExamples, dataOptions.batch);
        Map<String, Object> dense = w.evaluate(eval);
        Path ckpt = checkpoint == null ? null : Files.createDirectories(checkpoint).resolve("maskpro.ckpt");
        MethodRun run = spark == null ? Methods.run(method, model, train, config, prior, ckpt) : onSpark(w, model, train, config, ckpt);
        NmVerifier.Report verified = NmVerifier.verify(model.weights(), List.of(), nm);
        if (!verified.strict()) {
            throw new IllegalStateException("Internal error: the pruned model violates " + nm + " in " + verified.violations()
                    + " groups; nothing was written");
        }
        Map<String, Object> pruned = w.evaluate(eval);
        Map<Path, Writer> files = new LinkedHashMap<>();
        files.put(out, w::save);
        files.put(MaskFile.pathFor(out), p -> MaskFile.write(p, nm, run.masks()));
        writeAtomically(files);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("dense", dense);
        metrics.put("pruned", pruned);
        metrics.put("groups", verified.groups());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("method", run.method());
        result.put("pattern", nm.toString());
        result.put("steps", run.steps());
        result.put("out", out.toString());
        result.put("masks", MaskFile.pathFor(out).toString());
        result.put("seconds", (System.nanoTime() - t0) / 1e9);
        result.put("metrics", metrics);
        if (report != null) {
            Report.write(report, nm, List.of(new Report.Row(run, pruned)), dense, verified);
            result.put("report", report.resolve("index.html").toString());
        }
        return result;
    }

    private <B> MethodRun onSpark(Workload<B> w, MaskableModel<B> model, List<B> train, MaskProConfig config, Path ckpt)
            throws IOException {
        if (!method.equalsIgnoreCase("maskpro")) {
            throw new UserError("--spark learns MaskPro; --method " + method + " runs without it");
        }
        try (JavaSparkContext context = SparkLearning.start(spark)) {
            return SparkLearning.maskpro(context, w, model, train, config, prior, ckpt, selectionOptions);
        }
    }

    /** Settings from {@code --config} replace the defaults of the options not given on the command line. */
    private void applyConfigFile() throws IOException {
        if (config == null) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        fromConfig(p, "pattern", "--pattern", v -> pattern = v);
        fromConfig(p, "learningRate", "--lr", v -> lr = Double.parseDouble(v));
        fromConfig(p, "smoothing", "--alpha", v -> alpha = Double.parseDouble(v));
        fromConfig(p, "logitMagnitude", "--logits", v -> logits = Double.parseDouble(v));
        fromConfig(p, "samplesPerStep", "--samples", v -> samples = Integer.parseInt(v));
        fromConfig(p, "steps", "--steps", v -> steps = Long.parseLong(v));
        fromConfig(p, "seed", "--seed", v -> seed = Long.parseLong(v));
        fromConfig(p, "prior", "--prior", v -> prior = v);
        fromConfig(p, "examples", "--examples", v -> dataOptions.examples = Integer.parseInt(v));
    }

    private void fromConfig(Properties p, String key, String option, Consumer<String> set) {
        String value = p.getProperty(key);
        if (value == null || spec.commandLine().getParseResult().hasMatchedOption(option)) {
            return;
        }
        try {
            set.accept(value.trim());
        } catch (NumberFormatException e) {
            throw new UserError("--config " + config + ": " + key + "=" + value + " is not a number");
        }
    }

    static void requireWritable(Path out) {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError("Output directory does not exist: " + dir);
        }
    }

    interface Writer {
        void write(Path file) throws IOException;
    }

    /**
     * Writes every file to a temporary sibling first and moves them into place only when all were written, so a
     * failure leaves neither a partial file nor a model without its masks. The writers create the temporary files
     * themselves, which gives them the user's usual permissions (Files.createTempFile would make them owner-only).
     */
    static void writeAtomically(Map<Path, Writer> writers) throws IOException {
        Map<Path, Path> temporaries = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, Writer> e : writers.entrySet()) {
                Path target = e.getKey().toAbsolutePath();
                Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                temporaries.put(target, tmp);
                Files.deleteIfExists(tmp);
                e.getValue().write(tmp);
            }
            for (Map.Entry<Path, Path> e : temporaries.entrySet()) {
                Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            for (Path tmp : temporaries.values()) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
