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
import org.maskpro4j.maskpro.UpdateRule;
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
    @Option(names = "--update", description = "MaskPro update: normalized (η in logit units, the same for every model)"
            + " or raw (the paper's; η in loss units) (default normalized)")
    String update;
    @Option(names = "--lr", description = "MaskPro learning rate η (default with the normalized update: "
            + MaskProConfig.STEP_BUDGET_FACTOR + "·C/√steps logit units; with the raw update " + MaskProConfig.RAW_LEARNING_RATE + ")")
    Double lr;
    @Option(names = "--alpha", description = "Smoothing α of the residual and spread trackers (default 0.99)")
    Double alpha;
    @Option(names = "--logits", description = "Initial logit magnitude C (default " + MaskProConfig.DEFAULT_LOGIT_MAGNITUDE + ")")
    Double logits;
    @Option(names = "--samples", description = "Masks sampled per step K, leave-one-out baselines when K > 1 (default "
            + MaskProConfig.DEFAULT_SAMPLES + ")")
    Integer samples;
    @Option(names = "--eval-every", description = "Steps between MaskPro's held-out evaluations, which keep the best mask"
            + " (default: ten per run; 0 = keep the last mask)")
    Integer evalEvery;
    @Option(names = "--select-examples", description = "Examples after the --examples ones in --data that MaskPro keeps"
            + " apart to choose its best mask on, never the data the result is reported on (default a quarter of"
            + " --examples; 0 = none)")
    Integer selectExamples;
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
        MaskProConfig config = maskProConfig(nm);
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

    /** Options not given keep MaskProConfig's defaults, so the library and the command line cannot disagree. */
    private MaskProConfig maskProConfig(NmPattern nm) {
        MaskProConfig.Builder b = MaskProConfig.builder().pattern(nm).steps(steps).seed(seed)
                .logEvery(Math.max(1, (int) (steps / 20))).checkpointEvery(checkpoint == null ? 0 : 100);
        try {
            if (update != null) b.updateRule(UpdateRule.parse(update));
            if (lr != null) b.learningRate(lr);
            if (alpha != null) b.smoothing(alpha);
            if (logits != null) b.logitMagnitude(logits);
            if (samples != null) b.samplesPerStep(samples);
            if (evalEvery != null && evalEvery > 0) b.evalEvery(evalEvery);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** How many examples after the training ones MaskPro chooses its best mask on (0: none). */
    private int selectionExamples() {
        if (!method.equalsIgnoreCase(MaskMethods.MASKPRO) || (evalEvery != null && evalEvery == 0)) {
            return 0;
        }
        return selectExamples != null ? Math.max(0, selectExamples) : Math.max(dataOptions.batch, dataOptions.examples / 4);
    }

    private <B> Map<String, Object> prune(Workload<B> w, NmPattern nm, MethodSettings fileSettings) throws IOException {
        long t0 = System.nanoTime();
        MaskableModel<B> model = w.maskable(nm, selectionOptions.selection());
        int selecting = selectionExamples();
        List<B> loaded = w.trainBatches(dataOptions.data, dataOptions.examples + selecting, dataOptions.batch);
        int trainBatches = Math.min(loaded.size(), (dataOptions.examples + dataOptions.batch - 1) / dataOptions.batch);
        List<B> train = loaded.subList(0, trainBatches);
        // chosen on training-file examples the learner never sees, not on the data "metrics" reports
        List<B> selection = selecting > 0 && trainBatches < loaded.size() ? loaded.subList(trainBatches, loaded.size()) : null;
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
            recovery.addStages(pipeline, w, checkpoint == null ? null : checkpoint.resolve("finetune.ckpt"), dataOptions, nm,
                    selectionOptions.selection());
            PipelineResult done = pipeline.build().run(model, train, () -> w.evaluate(eval), selection);
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
