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

import org.maskpro4j.export.MaskFile;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.UpdateRule;
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
            + " apart to choose its best mask on (default a quarter of --examples; 0 = none)")
    Integer selectExamples;
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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        applyConfigFile();
        NmPattern nm = NmPattern.parse(pattern);
        MaskProConfig config = maskProConfig(nm);
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

    /** Batches kept apart from training to choose MaskPro's best mask on; null when there are none. */
    private int selectionExamples() {
        if (!method.equalsIgnoreCase("maskpro") || (evalEvery != null && evalEvery == 0)) {
            return 0;
        }
        return selectExamples != null ? Math.max(0, selectExamples) : Math.max(dataOptions.batch, dataOptions.examples / 4);
    }

    private <B> Map<String, Object> prune(Workload<B> w, NmPattern nm, MaskProConfig config) throws IOException {
        long t0 = System.nanoTime();
        MaskableModel<B> model = w.maskable(nm, selectionOptions.selection());
        int selecting = selectionExamples();
        List<B> loaded = w.trainBatches(dataOptions.data, dataOptions.examples + selecting, dataOptions.batch);
        int trainBatches = Math.min(loaded.size(), (dataOptions.examples + dataOptions.batch - 1) / dataOptions.batch);
        List<B> train = loaded.subList(0, trainBatches);
        List<B> selection = selecting > 0 && trainBatches < loaded.size() ? loaded.subList(trainBatches, loaded.size()) : null;
        List<B> eval = w.evalBatches(dataOptions.data, dataOptions.valid, dataOptions.evalExamples, dataOptions.batch);
        Map<String, Object> dense = w.evaluate(eval);
        Path ckpt = checkpoint == null ? null : Files.createDirectories(checkpoint).resolve("maskpro.ckpt");
        MethodRun run = Methods.run(method, model, train, config, prior, ckpt, selection);
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
        if (!run.selection().isEmpty()) {
            // chosen on training-file examples the learner never saw, not on the data "metrics" reports
            result.put("selectedStep", run.selectedStep());
            result.put("selection", run.selection().stream().map(r -> Map.of("step", r.step(), "loss", r.loss(),
                    "changed", r.changedShare())).toList());
        }
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

    /** Settings from {@code --config} replace the defaults of the options not given on the command line. */
    private void applyConfigFile() throws IOException {
        if (config == null) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        if (p.containsKey("learningRate") && !p.containsKey("updateRule")) {
            // settings files from before the normalized update were tuned for the raw one
            p.setProperty("updateRule", UpdateRule.RAW.cliName());
        }
        fromConfig(p, "pattern", "--pattern", v -> pattern = v);
        fromConfig(p, "updateRule", "--update", v -> update = v);
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
