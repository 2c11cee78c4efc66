package org.maskpro4j.examples.llama.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaDifferentiableModel;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.examples.llama.PerplexityEvaluator;
import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.FineTuneStage;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.method.ChosenPrior;
import org.maskpro4j.method.HeldOut;
import org.maskpro4j.method.MaskMethods;
import org.maskpro4j.method.MaskPipeline;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.OneShotOptions;
import org.maskpro4j.method.PipelineResult;
import org.maskpro4j.method.PriorSelection;
import org.maskpro4j.method.StageReport;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.progress.PeakMemory;
import org.maskpro4j.reconstruct.ReconstructStage;
import org.maskpro4j.reconstruct.WeightReconstructor;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result table of N:M pruning on a llama2.c model (stories260K) under the protocol of
 * {@code shared/docs/reference-results.md}: perplexity on the whole validation text; Wanda and SparseGPT calibrated
 * on the first 128 training paragraphs (every position a row); MaskPro on batches of 8 paragraphs cycling over the
 * first 256, starting from the best frozen-weight one-shot mask; MaskLLM on the same batches, by default with as many
 * forward+backward passes as MaskPro runs forward passes ({@link #maskProPasses}). Every row is one {@link MaskPipeline}
 * run, and a method is computed once per pattern: the recovery rows start from the SparseGPT or MaskPro row's result
 * ({@link ReusedMasks}). {@code maskpro llama-results} is its command line.
 * <p>
 * MaskPro runs in chunks of {@code evalEvery} steps, each resuming from the previous one's checkpoint, and is evaluated
 * on the first 300 validation paragraphs between chunks; with a checkpoint directory an interrupted run resumes where
 * it stopped when started again with the same settings. Block calibration (the default) calibrates Wanda and SparseGPT
 * one transformer block at a time as their reference code does ({@link LlamaMaskableModel#calibrationGroups()});
 * matrix calibration one matrix at a time.
 */
public final class LlamaResults {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaResults.class);
    private static final int CALIBRATION_PARAGRAPHS = 128;
    private static final int TRAIN_PARAGRAPHS = 256;
    private static final int BATCH_PARAGRAPHS = 8;
    private static final int PROGRESS_PARAGRAPHS = 300;
    /** The table's rows, in order. */
    public static final List<String> ROWS = List.of("dense", "magnitude", "wanda", "sparsegpt", "sparsegpt+reconstruct",
            "sparsegpt+finetune", "maskpro", "maskpro+reconstruct", "maskpro+reconstruct+finetune", "maskllm");
    /** MaskPro's and MaskLLM's prior: the best frozen-weight one-shot mask, or one named. */
    public static final String BEST = "best";
    /** MaskLLM steps that give it as many passes as the MaskPro row executes ({@link #maskProPasses}). */
    public static final long EQUAL_BUDGET = -1;

    private final Options options;
    private final LlamaGraph graph;
    private final PerplexityEvaluator valid;
    private final PerplexityEvaluator progress;
    private final List<LlamaBatch> calibration;
    private final List<LlamaBatch> train;
    private final List<LlamaBatch> fineTuneTrain;
    private final PerplexityEvaluator second;
    private final List<ResultRow> rows = new ArrayList<>();
    /** The last MaskPro row's masks, where its recovery rows start. */
    private Map<String, INDArray> maskProMasks;
    /** The last SparseGPT run's masks with its updated weights, where the SparseGPT recovery rows start. */
    private ReusedMasks sparseGptUpdated;

    /**
     * Settings of a table run; every default matches the reference protocol.
     *
     * @param data        directory holding stories260K.bin, tok512.bin and the TinyStories splits
     * @param patterns    N:M patterns, one block of rows each
     * @param rows        which of {@link #ROWS} to measure
     * @param steps       MaskPro steps at M = 4; {@code steps48} at other M
     * @param evalEvery   MaskPro steps between progress evaluations (and checkpoints)
     * @param eta         MaskPro η at M = 4; {@code eta48} at other M
     * @param logits      MaskPro C at M = 4; {@code logits48} at other M
     * @param prior       {@link #BEST} or a prior name of {@link MaskMethods#priorNames()}
     * @param maskLlmSteps MaskLLM steps, or {@link #EQUAL_BUDGET} for as many passes as the MaskPro row executes
     * @param checkpoints directory for MaskPro checkpoints and cached prior masks, or null
     * @param blockwise   block calibration (true) or matrix calibration
     * @param update      MaskPro update rule (the tables were measured with the raw one)
     * @param fineTune    masked fine-tuning steps of the "+finetune" rows (Adam, batches of 8 training paragraphs)
     * @param fineTuneLr  their learning rate
     * @param secondText  a second text whose perplexity (first {@code secondParagraphs} paragraphs) the recovery rows
     *                    also report, or null
     */
    public record Options(Path data, List<NmPattern> patterns, List<String> rows, long steps, long steps48, int evalEvery,
            double eta, double eta48, double logits, double logits48, double alpha, int samples, long seed, String prior,
            long maskLlmSteps, Path checkpoints, boolean blockwise, UpdateRule update, long fineTune, double fineTuneLr,
            Path secondText, int secondParagraphs) {

        public Options {
            Objects.requireNonNull(data, "data");
            patterns = List.copyOf(patterns);
            rows = rows.stream().map(r -> r.trim().toLowerCase(Locale.ROOT)).toList();
            for (String r : rows) {
                if (!ROWS.contains(r)) {
                    throw new IllegalArgumentException("Unknown row \"" + r + "\": choose some of " + ROWS);
                }
            }
            prior = prior.trim().toLowerCase(Locale.ROOT);
            if (!prior.equals(BEST)) {
                MaskMethods.requirePrior(prior);
            }
            if (evalEvery <= 0 || steps < 0 || steps48 < 0 || maskLlmSteps < 0 && maskLlmSteps != EQUAL_BUDGET
                    || fineTune < 1 || secondParagraphs < 1) {
                throw new IllegalArgumentException("--eval-every, --finetune and --second must be positive and the step"
                        + " counts at least 0");
            }
            for (String r : rows) {
                if (r.startsWith("maskpro+") && !rows.contains("maskpro")) {
                    throw new IllegalArgumentException("Row \"" + r + "\" starts from the maskpro row's masks: add maskpro"
                            + " to --rows");
                }
            }
        }

        /** The one-shot methods' options: the reference's SparseGPT settings, block or matrix calibration. */
        OneShotOptions oneShot() {
            return new OneShotOptions(OneShotOptions.DEFAULTS.blockSize(), OneShotOptions.DEFAULTS.dampening(), blockwise);
        }
    }

    /** Measures every row {@code options} asks for and returns the table as Markdown. */
    public static String run(Options options, int nativeThreads) throws IOException {
        long start = System.nanoTime();
        LlamaResults results = new LlamaResults(options);
        if (options.rows().contains("dense")) {
            results.rows.add(new ResultRow("dense", "-", results.valid.evaluate().perplexity(), 0, 0, null, true, ""));
        }
        for (NmPattern pattern : options.patterns()) {
            results.runPattern(pattern);
        }
        LOG.info("All rows in {} s", String.format("%.0f", (System.nanoTime() - start) / 1e9));
        return results.markdown(nativeThreads);
    }

    private LlamaResults(Options options) throws IOException {
        this.options = options;
        Path dir = options.data();
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(dir.resolve("stories260K.bin"));
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(dir.resolve("tok512.bin"), checkpoint.config().vocabSize());
        int seqLen = checkpoint.config().seqLen();
        this.graph = LlamaGraph.build(checkpoint);
        this.valid = PerplexityEvaluator.forText(graph, tokenizer, dir.resolve("tinystories_valid.txt"));
        List<String> validParagraphs = LlamaBatches.readParagraphs(dir.resolve("tinystories_valid.txt"));
        this.progress = PerplexityEvaluator.forSequences(graph, LlamaBatches.encode(
                validParagraphs.subList(0, Math.min(PROGRESS_PARAGRAPHS, validParagraphs.size())), tokenizer, seqLen),
                PerplexityEvaluator.DEFAULT_TOKENS_PER_BATCH);
        List<String> trainParagraphs = LlamaBatches.readParagraphs(dir.resolve("tinystories_train.txt"));
        if (trainParagraphs.size() < TRAIN_PARAGRAPHS) {
            throw new IllegalArgumentException("The training text holds " + trainParagraphs.size() + " paragraphs; the"
                    + " protocol needs at least " + TRAIN_PARAGRAPHS);
        }
        this.calibration = CalibrationBatches.everyPosition(
                LlamaBatches.encode(trainParagraphs.subList(0, CALIBRATION_PARAGRAPHS), tokenizer, seqLen), BATCH_PARAGRAPHS);
        this.train = LlamaBatches.batches(
                LlamaBatches.encode(trainParagraphs.subList(0, TRAIN_PARAGRAPHS), tokenizer, seqLen), BATCH_PARAGRAPHS);
        this.fineTuneTrain = LlamaBatches.batches(LlamaBatches.encode(trainParagraphs, tokenizer, seqLen), BATCH_PARAGRAPHS);
        if (options.secondText() == null) {
            this.second = null;
        } else {
            List<String> text = LlamaBatches.readParagraphs(options.secondText());
            this.second = PerplexityEvaluator.forSequences(graph, LlamaBatches.encode(
                    text.subList(0, Math.min(options.secondParagraphs(), text.size())), tokenizer, seqLen),
                    PerplexityEvaluator.DEFAULT_TOKENS_PER_BATCH);
        }
        LOG.info("Calibration: {} batches, {} rows; MaskPro training: {} batches", calibration.size(),
                calibration.stream().mapToLong(LlamaBatch::scoredTokens).sum(), train.size());
    }

    private HeldOut heldOut(PerplexityEvaluator evaluator) {
        return () -> Map.of("perplexity", evaluator.evaluate().perplexity());
    }

    private static double perplexity(Map<String, Object> metrics) {
        return ((Number) metrics.get("perplexity")).doubleValue();
    }

    private MethodSettings settings(NmPattern pattern, MaskProConfig maskPro, long maskLlmSteps) {
        MaskLlmConfig maskLlm = MaskLlmConfig.builder().pattern(pattern).steps(maskLlmSteps).seed(options.seed())
                .logEvery((int) Math.max(1, maskLlmSteps / 10)).build();
        return MethodSettings.builder(maskPro).maskLlm(maskLlm).oneShot(options.oneShot()).build();
    }

    private void runPattern(NmPattern pattern) {
        LlamaMaskableModel model = new LlamaMaskableModel(graph, pattern);
        String note = model.skipped().isEmpty() ? "" : model.skipped().size() + " matrices dense (fan-in not a multiple of "
                + pattern.m() + ")";
        long total = pattern.m() == 4 ? options.steps() : options.steps48();
        double logits = pattern.m() == 4 ? options.logits() : options.logits48();
        double eta = pattern.m() == 4 ? options.eta() : options.eta48();
        MaskProConfig.Builder maskProBuilder = MaskProConfig.builder().pattern(pattern).updateRule(options.update())
                .logitMagnitude(logits).smoothing(options.alpha()).samplesPerStep(options.samples()).seed(options.seed())
                .logEvery(Math.max(1, Math.min(100, options.evalEvery()))).checkpointEvery(options.evalEvery()).steps(total);
        if (!Double.isNaN(eta)) {
            maskProBuilder.learningRate(eta); // NaN: MaskProConfig's default η for this update rule, C and step count
        }
        MaskProConfig maskPro = maskProBuilder.build();
        long maskLlmSteps = options.maskLlmSteps() == EQUAL_BUDGET ? maskProPasses(total, options.samples(), train.size())
                : options.maskLlmSteps();
        MethodSettings settings = settings(pattern, maskPro, maskLlmSteps);
        boolean learns = options.rows().contains("maskpro") || options.rows().contains("maskllm") && maskLlmSteps > 0;
        boolean allPriors = learns && options.prior().equals(BEST);
        List<ChosenPrior> frozen = new ArrayList<>();
        for (String method : List.of("magnitude", "wanda")) {
            if (options.rows().contains(method) || allPriors) {
                frozen.add(oneShot(model, method, settings, note));
            }
        }
        boolean sparseGptRecovery = options.rows().stream().anyMatch(r -> r.startsWith("sparsegpt+"));
        ChosenPrior sparseGpt = null;
        if (options.rows().contains("sparsegpt") || allPriors || sparseGptRecovery) {
            sparseGpt = sparseGpt(model, settings, note);
            frozen.add(sparseGpt);
        }
        // the recovery rows start from the SparseGPT row's result instead of running SparseGPT again
        if (options.rows().contains("sparsegpt+reconstruct")) {
            recovery(model, MaskPipeline.builder().method(ReusedMasks.onDense(sparseGpt)), "SparseGPT mask", true, false,
                    note);
        }
        if (options.rows().contains("sparsegpt+finetune")) {
            recovery(model, MaskPipeline.builder().method(sparseGptUpdated), "SparseGPT + update", false, true, note);
        }
        if (learns) {
            List<ChosenPrior> priors = allPriors ? frozen : List.of(namedPrior(model, settings, frozen));
            if (priors.isEmpty()) {
                throw new IllegalArgumentException("--prior best needs at least one one-shot row; add magnitude, wanda or"
                        + " sparsegpt to --rows, or name the prior");
            }
            ChosenPrior prior = null;
            if (options.rows().contains("maskpro")) {
                prior = maskPro(model, maskPro, priors, note);
            }
            if (options.rows().stream().anyMatch(r -> r.startsWith("maskpro+"))) {
                recovery(model, MaskPipeline.builder().method(ReusedMasks.onDense(new ChosenPrior(MaskMethods.MASKPRO,
                        maskProMasks, null))), "MaskPro " + total + " steps", true,
                        options.rows().contains("maskpro+reconstruct+finetune"), note);
            }
            if (options.rows().contains("maskllm") && maskLlmSteps > 0) {
                maskLlm(model, settings, prior != null ? List.of(prior) : priors, total, note);
            }
        }
        model.weights().forEach(MaskableWeight::restoreDense);
    }

    /** A one-shot row; its masks, with the full validation perplexity, are a candidate prior. */
    private ChosenPrior oneShot(LlamaMaskableModel model, String method, MethodSettings settings, String note) {
        PipelineResult run = MaskPipeline.builder().method(MaskMethods.create(method, settings)).build()
                .run(model, calibration, heldOut(valid));
        StageReport mask = run.stage("mask");
        rows.add(new ResultRow(method.equals("wanda") ? "Wanda" : method, model.pattern().toString(),
                perplexity(run.heldOut()), 0, run.mask().seconds(), mask.peak(), true, join(note, calibrated(method, run))));
        return new ChosenPrior(method, run.masks(), run.heldOut());
    }

    /**
     * SparseGPT's two rows from one run: with its weight update, and its masks on the dense weights (the reference's
     * "mask only", which is also what the "sparsegpt" prior is).
     */
    private ChosenPrior sparseGpt(LlamaMaskableModel model, MethodSettings settings, String note) {
        String sparsegpt = "sparsegpt";
        PipelineResult run = MaskPipeline.builder().method(MaskMethods.create(sparsegpt, settings)).build()
                .run(model, calibration, heldOut(valid));
        StageReport mask = run.stage("mask");
        String calibrated = calibrated(sparsegpt, run);
        ResultRow updated = new ResultRow("SparseGPT, with weight update", model.pattern().toString(),
                perplexity(run.heldOut()), 0, run.mask().seconds(), mask.peak(), false, join(note, calibrated));
        sparseGptUpdated = ReusedMasks.withWeights(new ChosenPrior(sparsegpt, run.masks(), run.heldOut()),
                ReusedMasks.liveWeights(model));
        for (MaskableWeight w : model.weights()) {
            w.applyMask(run.masks().get(w.name()));
        }
        double maskOnly = valid.evaluate().perplexity();
        rows.add(new ResultRow("SparseGPT, mask only", model.pattern().toString(), maskOnly, 0, updated.seconds(),
                updated.peak(), true, join(note, "masks of the weight-update run")));
        rows.add(updated);
        return new ChosenPrior(sparsegpt, run.masks(), Map.of("perplexity", maskOnly));
    }

    private String calibrated(String method, PipelineResult run) {
        Object bytes = run.mask().details().get("peakStatisticsBytes");
        return method.equals("magnitude") ? "" : String.format(Locale.ROOT, "%s calibration, peak statistics %.0f KiB",
                options.blockwise() ? "block-sequential" : "matrix-sequential", ((Number) bytes).doubleValue() / 1024.0);
    }

    /**
     * The named prior: a row's masks when that row ran, else computed alone and kept in the checkpoint folder, so
     * that later runs with other MaskPro settings start without recalibrating.
     */
    private ChosenPrior namedPrior(LlamaMaskableModel model, MethodSettings settings, List<ChosenPrior> frozen) {
        for (ChosenPrior p : frozen) {
            if (p.name().equals(options.prior())) {
                return p;
            }
        }
        Path cache = options.checkpoints() == null ? null : options.checkpoints().resolve(String.format(Locale.ROOT,
                "prior-%d-%d-%s-%s.zip", model.pattern().n(), model.pattern().m(), options.prior(),
                options.blockwise() ? "block" : "matrix"));
        try {
            if (cache != null && Files.exists(cache)) {
                LOG.info("Prior masks from {}", cache);
                return new ChosenPrior(options.prior(), MaskArchive.read(cache), null);
            }
            model.weights().forEach(MaskableWeight::restoreDense);
            Map<String, INDArray> masks = MaskMethods.prior(options.prior(), settings.oneShot()).masks(model, calibration);
            model.weights().forEach(MaskableWeight::restoreDense);
            if (cache != null) {
                Files.createDirectories(options.checkpoints());
                MaskArchive.write(cache, masks);
            }
            return new ChosenPrior(options.prior(), masks, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use the prior cache " + cache, e);
        }
    }

    /**
     * MaskPro from the best of {@code priors} (by full validation perplexity), in chunks of {@code evalEvery} steps
     * that resume from one checkpoint; the first 300 validation paragraphs are measured after each chunk.
     *
     * @return the prior it started from
     */
    private ChosenPrior maskPro(LlamaMaskableModel model, MaskProConfig config, List<ChosenPrior> priors, String note) {
        NmPattern pattern = config.pattern();
        long total = config.steps();
        String priorName = priors.size() == 1 ? priors.get(0).name() : BEST;
        Path checkpoint = checkpointFile(String.format(Locale.ROOT, "maskpro-%d-%d-%s-%s-eta%s-C%s-a%s-K%d-s%d.zip",
                pattern.n(), pattern.m(), priorName, options.blockwise() ? "block" : "matrix", config.learningRate(),
                config.logitMagnitude(), options.alpha(), options.samples(), options.seed()));
        List<String> curve = new ArrayList<>();
        double seconds = 0;
        PeakMemory.Peak peak = null;
        PipelineResult run = null;
        ChosenPrior prior = null;
        try {
            for (long target = Math.min(options.evalEvery(), total); ; target = Math.min(target + options.evalEvery(), total)) {
                MaskPipeline.Builder pipeline = MaskPipeline.builder().method(MaskMethods.create(MaskMethods.MASKPRO,
                        MethodSettings.builder(config.toBuilder().steps(target).build()).checkpoint(checkpoint).build()))
                        .priorSelection(PriorSelection.HELD_OUT);
                (prior == null ? priors : List.of(prior)).forEach(pipeline::prior);
                run = pipeline.build().run(model, train, heldOut(progress));
                // later chunks start from the same prior without choosing or measuring it again
                prior = new ChosenPrior(run.prior().name(), run.prior().masks(), run.stage("prior").heldOut());
                StageReport mask = run.stage("mask");
                // memory is sampled while learning only, not during the progress evaluations between chunks
                peak = mask.peak().max(peak);
                seconds += mask.seconds();
                double ppl = perplexity(mask.heldOut());
                curve.add(target + ": " + format(ppl));
                LOG.info("MaskPro {} from {}: step {}: first {} valid paragraphs ppl {}, {}% of groups changed", pattern,
                        prior.name(), target, PROGRESS_PARAGRAPHS, format(ppl), format(100 * run.mask().changedFromPrior()));
                if (target >= total) {
                    break;
                }
            }
        } finally {
            if (options.checkpoints() == null) {
                deleteQuietly(checkpoint);
            }
        }
        // the prior's own point of the curve, measured on the same paragraphs
        applyMasks(model, prior.masks());
        curve.add(0, "0: " + format(progress.evaluate().perplexity()));
        applyMasks(model, run.masks());
        maskProMasks = run.masks();
        double ppl = valid.evaluate().perplexity();
        String settings = String.format(Locale.ROOT, "η=%s C=%s α=%s K=%d; %.2f%% groups changed; first %d valid paragraphs: %s",
                config.learningRate(), config.logitMagnitude(), options.alpha(), options.samples(),
                100 * run.mask().changedFromPrior(), PROGRESS_PARAGRAPHS, String.join(", ", curve));
        rows.add(new ResultRow("MaskPro (prior " + prior.name() + ")", pattern.toString(), ppl, run.mask().steps(), seconds,
                peak, true, join(note, settings)));
        return prior;
    }

    /**
     * The recovery rows of one mask: the pipeline {@code mask}, then weight reconstruction on the calibration batches
     * and/or masked fine-tuning ({@code fineTune} Adam steps over batches of 8 training paragraphs, through
     * {@link LlamaDifferentiableModel}); one row after each of those stages.
     */
    private void recovery(LlamaMaskableModel model, MaskPipeline.Builder mask, String label, boolean reconstruct,
            boolean fineTune, String note) {
        String pattern = model.pattern().toString();
        if (reconstruct) {
            mask.then(new ReconstructStage(WeightReconstructor.builder().build()));
        }
        if (fineTune) {
            Path checkpoint = options.checkpoints() == null ? null : checkpointFile(String.format(Locale.ROOT,
                    "finetune-%s-%s-%d-lr%s.ckpt", label.replaceAll("[^A-Za-z0-9]+", "-"), pattern.replace(":", "of"),
                    options.fineTune(), options.fineTuneLr()));
            mask.then(new FineTuneStage(FineTuneConfig.builder().steps(options.fineTune()).learningRate(options.fineTuneLr())
                    .logEvery(25).checkpointEvery(50).build(), fineTuneTrain, checkpoint, 0, null));
        }
        // the differentiable view snapshots the graph's weights as its dense ones: they must be dense when it is made
        model.weights().forEach(MaskableWeight::restoreDense);
        MaskableModel<LlamaBatch> target = fineTune ? new LlamaDifferentiableModel(graph, model) : model;
        PipelineResult run = mask.build().run(target, calibration, heldOut(valid));
        // the second text is measured on the final weights, so only the last row has it
        String measured = second == null ? "" : String.format(Locale.ROOT, "%s, first %d paragraphs: ppl %s",
                options.secondText().getFileName(), options.secondParagraphs(), format(second.evaluate().perplexity()));
        String name = label;
        List<StageReport> recovered = run.stages().stream()
                .filter(r -> r.stage().equals("reconstruct") || r.stage().equals("finetune")).toList();
        for (StageReport report : recovered) {
            name += report.stage().equals("reconstruct") ? " + reconstruction"
                    : String.format(Locale.ROOT, " + fine-tuning (%d steps, Adam %s)", options.fineTune(), options.fineTuneLr());
            boolean last = report == recovered.get(recovered.size() - 1);
            rows.add(new ResultRow(name, pattern, perplexity(report.heldOut()), report.steps(), report.seconds(),
                    report.peak(), false, join(note, last ? measured : "")));
        }
    }

    /** MaskPro's checkpoint in the checkpoint folder, or a temporary file the chunks share. */
    private Path checkpointFile(String name) {
        try {
            if (options.checkpoints() != null) {
                Files.createDirectories(options.checkpoints());
                return options.checkpoints().resolve(name);
            }
            Path dir = Files.createTempDirectory("maskpro-llama");
            return dir.resolve(name);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the MaskPro checkpoint folder", e);
        }
    }

    private static void deleteQuietly(Path checkpoint) {
        try {
            Files.deleteIfExists(checkpoint);
            Files.deleteIfExists(checkpoint.getParent());
        } catch (IOException e) {
            LOG.warn("Cannot delete the temporary checkpoint {}: {}", checkpoint, e.getMessage());
        }
    }

    /**
     * MaskLLM through {@link LlamaDifferentiableModel} on the same graph: SameDiff backpropagates the graph's
     * {@code loss} to the weight variables, which is what MaskLLM needs and the forward-only adapter does not offer.
     */
    private void maskLlm(LlamaMaskableModel model, MethodSettings settings, List<ChosenPrior> priors, long maskProSteps,
            String note) {
        model.weights().forEach(MaskableWeight::restoreDense);
        LlamaDifferentiableModel differentiable = new LlamaDifferentiableModel(graph, model);
        MaskPipeline.Builder pipeline = MaskPipeline.builder().method(MaskMethods.create(MaskMethods.MASKLLM, settings))
                .priorSelection(PriorSelection.HELD_OUT);
        priors.forEach(pipeline::prior);
        PipelineResult run = pipeline.build().run(differentiable, train, heldOut(valid));
        long stateBytes = ((Number) run.mask().details().get("stateBytes")).longValue();
        long steps = settings.maskLlm().steps();
        long maskProPasses = maskProPasses(maskProSteps, options.samples(), train.size());
        String learned = String.format(Locale.ROOT, "official LLaMA-2 schedule compressed to %d steps (%d forward+backward"
                + " passes; MaskPro's %d steps execute %d forward passes); learner state %.1f MiB", steps, steps,
                maskProSteps, maskProPasses, stateBytes / (1024.0 * 1024.0));
        rows.add(new ResultRow("MaskLLM (prior " + run.prior().name() + ")", model.pattern().toString(),
                perplexity(run.heldOut()), run.mask().steps(), run.mask().seconds(), run.stage("mask").peak(), true,
                join(note, learned)));
    }

    /**
     * The forward passes a MaskPro run of {@code steps} steps executes on {@code batches} training batches taken in
     * turn: K sampled masks per step, and the prior mask once per distinct batch (its loss is cached by batch key and
     * kept in the checkpoint, so the chunks do not repeat it). MaskLLM at an equal budget takes one forward+backward
     * pass per step, so this many steps.
     */
    public static long maskProPasses(long steps, int samples, int batches) {
        return steps * samples + Math.min(steps, batches);
    }

    private static void applyMasks(LlamaMaskableModel model, Map<String, INDArray> masks) {
        for (MaskableWeight w : model.weights()) {
            w.applyMask(masks.get(w.name()));
        }
    }

    /** The measured rows as a Markdown table. */
    String markdown(int nativeThreads) {
        StringBuilder s = new StringBuilder();
        s.append("| method | pattern | valid ppl | steps | wall s | peak heap+native MiB | rise MiB | weights | notes |\n");
        s.append("|---|---|---|---|---|---|---|---|---|\n");
        for (ResultRow r : rows) {
            s.append("| ").append(r.method()).append(" | ").append(r.pattern()).append(" | ").append(format(r.perplexity()))
                    .append(" | ").append(r.steps()).append(" | ").append(String.format(Locale.ROOT, "%.1f", r.seconds()))
                    .append(" | ").append(r.peak() == null ? "-" : String.format(Locale.ROOT, "%.0f", r.peak().totalMiB()))
                    .append(" | ").append(r.peak() == null ? "-" : String.format(Locale.ROOT, "%.0f", r.peak().growthMiB()))
                    .append(" | ").append(r.weightsFrozen() ? "frozen" : "updated").append(" | ").append(r.notes())
                    .append(" |\n");
        }
        s.append("\n").append(LocalDate.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs visible, ").append(nativeThreads).append(" native thread(s)\n");
        return s.toString();
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.1f" : "%.2f", v);
    }

}
