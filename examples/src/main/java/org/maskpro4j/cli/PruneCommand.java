package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.maskpro4j.export.MaskFile;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.MaskMethod;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.method.StageReport;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskpro prune}: learn or compute a strict N:M mask and write the pruned model plus its mask file. */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Prune a model to a strict N:M pattern.",
        defaultValueProvider = ConfigFile.class)
public final class PruneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    DataOptions dataOptions;
    @Mixin
    SelectionOptions selectionOptions;
    @Mixin
    RecoveryOptions recovery;

    @Option(names = "--pattern", defaultValue = "2:4", description = "N:M pattern (default ${DEFAULT-VALUE})")
    String pattern;
    @Option(names = "--method", defaultValue = "maskpro", completionCandidates = MethodNames.class,
            description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    String method;
    @Option(names = "--prior", defaultValue = "wanda", completionCandidates = MethodNames.Priors.class,
            description = "Where maskpro and maskllm start: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
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
    @Option(names = ConfigFile.OPTION, description = "Settings file, such as a sweep's best-maskpro.properties (MaskPro"
            + " keys, method, prior, examples, maskllm.* and oneshot.* keys); options given on the command line win")
    Path config;
    @Option(names = "--checkpoint", description = "Directory for MaskPro and fine-tuning checkpoints; a run there resumes")
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

    @Override
    public Integer call() throws IOException {
        PruneGuard.checkFiles(this);
        PruneGuard.checkSettings(this);
        NmPattern nm = NmPattern.parse(pattern);
        MaskProConfig config = MaskProConfig.builder().pattern(nm).steps(steps).learningRate(lr).smoothing(alpha)
                .logitMagnitude(logits).samplesPerStep(samples).seed(seed).logEvery(Math.max(1, (int) (steps / 20)))
                .checkpointEvery(checkpoint == null ? 0 : 100).build();
        if (MaskMethods.usesPrior(method)) {
            MaskMethods.requirePrior(prior);
        }
        dataOptions.validated();
        recovery.validated();
        MethodSettings settings = this.config == null ? MethodSettings.builder(config).build()
                : ConfigFile.settings(this.config, config.toProperties());
        Workload<?> workload = modelOptions.load();
        Map<String, Object> result = prune(workload, nm, settings);
        if (json) {
            Json.print(result);
        } else {
            Json.println(method + " " + nm + " -> " + out + " " + result.get("metrics"));
        }
        return 0;
    }

    private <B> Map<String, Object> prune(Workload<B> w, NmPattern nm, MethodSettings fileSettings) throws IOException {
        long t0 = System.nanoTime();
        MaskableModel<B> model = w.maskable(nm, selectionOptions.selection());
        List<B> train = w.trainBatches(dataOptions.data, dataOptions.examples, dataOptions.batch);
        List<B> eval = w.evalBatches(dataOptions.data, dataOptions.valid, dataOptions.evalExamples, dataOptions.batch);
        Map<String, Object> dense = w.evaluate(eval);
        Path ckpt = checkpoint == null ? null : Files.createDirectories(checkpoint).resolve(PruneGuard.CHECKPOINT_FILE);
        MethodSettings settings = fileSettings.toBuilder().checkpoint(ckpt).build();
        MaskMethod local = MaskMethods.create(method, settings);
        MaskMethod maskMethod = spark == null ? local : SparkLearning.onSpark(spark, local, settings, w, selectionOptions);
        PipelineResult run;
        // the export stage only stages the model and its masks: they are committed with the report, or not at all
        try (AtomicOutputs outputs = new AtomicOutputs(out, MaskFile.pathFor(out), report)) {
            MaskPipeline.Builder pipeline = MaskPipeline.builder().method(maskMethod).export(new ExportStage(w, out, outputs));
            if (maskMethod.usesPrior()) {
                pipeline.prior(MaskMethods.prior(prior, settings.oneShot()));
            }
            recovery.addStages(pipeline, w, checkpoint == null ? null : checkpoint.resolve("finetune.ckpt"), dataOptions);
            PipelineResult done = pipeline.build().run(model, train, () -> w.evaluate(eval));
            if (report != null) {
                outputs.directory(report, dir -> Report.write(dir, nm, List.of(new Report.Row(MethodRun.of(maskMethod.name(),
                        done), done.heldOut())), dense, done.verified()));
            }
            outputs.commit();
            run = done;
        }
        Map<String, Object> pruned = run.heldOut();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("dense", dense);
        metrics.put("pruned", pruned);
        metrics.put("groups", run.verified().groups());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("method", maskMethod.name());
        if (run.prior() != null) {
            result.put("prior", run.prior().name());
        }
        result.put("pattern", nm.toString());
        result.put("steps", run.mask().steps());
        result.put("out", out.toString());
        result.put("masks", MaskFile.pathFor(out).toString());
        result.put("seconds", (System.nanoTime() - t0) / 1e9);
        result.put("metrics", metrics);
        result.put("stages", run.stages().stream().map(StageReport::toMap).toList());
        if (report != null) {
            result.put("report", report.resolve("index.html").toString());
        }
        return result;
    }
}
