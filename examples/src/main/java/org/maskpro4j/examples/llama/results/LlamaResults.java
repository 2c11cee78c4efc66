package org.maskpro4j.examples.llama.results;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.examples.llama.PerplexityEvaluator;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.maskllm.MaskLlmResult;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.UpdateRule;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.CalibrationGroups;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.OneShotResult;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.SameDiffModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The result table of N:M pruning on a llama2.c model (stories260K) under the protocol of
 * {@code shared/docs/reference-results.md}: perplexity on the whole validation text; Wanda and SparseGPT calibrated
 * sequentially on the first 128 training paragraphs (every position a row); MaskPro on batches of 8 paragraphs
 * cycling over the first 256, starting from the best frozen-weight one-shot mask; MaskLLM on the same batches.
 *
 * <pre>
 * LlamaResults [--data DIR] [--patterns 2:4,4:8] [--rows dense,magnitude,wanda,sparsegpt,maskpro,maskllm]
 *              [--steps 500] [--steps48 300] [--eval-every 250] [--eta 25|default] [--eta48 50] [--logits 7] [--logits48 8]
 *              [--alpha 0.99] [--update raw|normalized] [--samples 2] [--prior best|magnitude|wanda|sparsegpt-mask] [--maskllm-steps 100]
 *              [--calibration block|matrix] [--checkpoints DIR] [--threads 1] [--out FILE.md]
 * </pre>
 * MaskPro checkpoints to {@code --checkpoints} every {@code --eval-every} steps (and is evaluated on the first 300
 * validation paragraphs there), so an interrupted run resumes where it stopped when started again with the same
 * settings. {@code --calibration block} (the default) calibrates Wanda and SparseGPT one transformer block at a time as
 * their reference code does ({@link LlamaMaskableModel#calibrationGroups()}); {@code matrix} calibrates one matrix at
 * a time ({@link CalibrationGroups#perWeight()}).
 */
public final class LlamaResults {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaResults.class);
    private static final int CALIBRATION_PARAGRAPHS = 128;
    private static final int TRAIN_PARAGRAPHS = 256;
    private static final int BATCH_PARAGRAPHS = 8;
    private static final int PROGRESS_PARAGRAPHS = 300;
    /** Frozen-weight one-shot methods MaskPro may start from. */
    private static final List<String> PRIORS = List.of("magnitude", "wanda", "sparsegpt-mask");

    private final Options options;
    private final LlamaGraph graph;
    private final PerplexityEvaluator valid;
    private final PerplexityEvaluator progress;
    private final List<LlamaBatch> calibration;
    private final List<LlamaBatch> train;
    private final List<ResultRow> rows = new ArrayList<>();

    private LlamaResults(Options options) throws IOException {
        this.options = options;
        Path dir = options.data;
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
        LOG.info("Calibration: {} batches, {} rows; MaskPro training: {} batches", calibration.size(),
                calibration.stream().mapToLong(LlamaBatch::scoredTokens).sum(), train.size());
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        // One native thread: on a shared machine libnd4j's OpenMP and master threads otherwise wait on each other.
        Nd4j.getEnvironment().setMaxMasterThreads(options.threads);   // loads the backend before NativeOpsHolder
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(options.threads);
        long start = System.nanoTime();
        LlamaResults results = new LlamaResults(options);
        results.run();
        String table = results.markdown();
        System.out.println(table);
        if (options.out != null) {
            Files.writeString(options.out, table);
        }
        LOG.info("All rows in {} s", String.format("%.0f", (System.nanoTime() - start) / 1e9));
    }

    private void run() {
        if (options.rows.contains("dense")) {
            rows.add(new ResultRow("dense", "-", valid.evaluate().perplexity(), 0, 0, null, true, ""));
        }
        for (NmPattern pattern : options.patterns) {
            runPattern(pattern);
        }
    }

    private void runPattern(NmPattern pattern) {
        LlamaMaskableModel model = new LlamaMaskableModel(graph, pattern);
        String note = model.skipped().isEmpty() ? "" : model.skipped().size() + " matrices dense (fan-in not a multiple of "
                + pattern.m() + ")";
        Map<String, Map<String, INDArray>> frozenMasks = new LinkedHashMap<>();
        Map<String, Double> frozenPerplexity = new LinkedHashMap<>();
        for (String method : List.of("magnitude", "wanda")) {
            if (options.rows.contains(method) || needsPrior()) {
                OneShotRun run = oneShot(model, PruneMethod.parse(method), note);
                frozenMasks.put(method, run.masks());
                frozenPerplexity.put(method, run.row().perplexity());
                rows.add(run.row());
            }
        }
        if (options.rows.contains("sparsegpt") || needsPrior()) {
            OneShotRun run = oneShot(model, PruneMethod.SPARSEGPT, note);
            ResultRow updated = run.row();
            Map<String, INDArray> masks = run.masks();
            // the reference's "mask only": the same run's masks on the original dense weights
            applyMasks(model, masks);
            double ppl = valid.evaluate().perplexity();
            rows.add(new ResultRow("SparseGPT, mask only", pattern.toString(), ppl, 0, updated.seconds(), updated.peak(),
                    true, join(note, "masks of the weight-update run")));
            rows.add(updated);
            frozenMasks.put("sparsegpt-mask", masks);
            frozenPerplexity.put("sparsegpt-mask", ppl);
        }
        if (options.rows.contains("maskpro")) {
            String prior = options.prior.equals("best") ? best(frozenPerplexity) : options.prior;
            if (!frozenMasks.containsKey(prior)) {
                frozenMasks.put(prior, oneShotMasks(model, prior));
            }
            rows.add(maskPro(model, pattern, prior, frozenMasks.get(prior), note));
        }
        if (options.rows.contains("maskllm") && options.maskLlmSteps > 0) {
            String prior = options.prior.equals("best") ? best(frozenPerplexity) : options.prior;
            if (!frozenMasks.containsKey(prior)) {
                frozenMasks.put(prior, oneShotMasks(model, prior));
            }
            rows.add(maskLlm(model, pattern, prior, frozenMasks.get(prior), note));
        }
        model.weights().forEach(MaskableWeight::restoreDense);
    }

    /** With {@code --prior best} every prior's row must run to pick the best; a named prior is computed alone. */
    private boolean needsPrior() {
        return (options.rows.contains("maskpro") || options.rows.contains("maskllm")) && options.prior.equals("best");
    }

    private static String best(Map<String, Double> perplexity) {
        if (perplexity.isEmpty()) {
            throw new IllegalArgumentException("--prior best needs at least one one-shot row; add magnitude, wanda or"
                    + " sparsegpt to --rows, or name the prior");
        }
        return perplexity.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private record OneShotRun(ResultRow row, Map<String, INDArray> masks) {
    }

    private OneShotRun oneShot(LlamaMaskableModel model, PruneMethod method, String note) {
        OneShotResult result;
        PeakMemory.Peak peak;
        try (PeakMemory memory = PeakMemory.start()) {
            result = pruner(method).prune(model, calibration);
            peak = memory.peak();
        }
        requireStrict(model);
        double ppl = valid.evaluate().perplexity();
        String name = switch (method) {
            case MAGNITUDE -> "magnitude";
            case WANDA -> "Wanda";
            case SPARSEGPT -> "SparseGPT, with weight update";
            case SPARSEGPT_MASK_ONLY -> "SparseGPT, mask only (sequential on masked weights)";
        };
        String calibrated = method.needsCalibration() ? String.format(Locale.ROOT, "%s calibration, peak statistics"
                + " %.0f KiB", options.blockwise ? "block-sequential" : "matrix-sequential",
                result.peakStatisticsBytes() / 1024.0) : "";
        return new OneShotRun(new ResultRow(name, model.pattern().toString(), ppl, 0, result.totalSeconds(), peak,
                method != PruneMethod.SPARSEGPT, join(note, calibrated)), result.masks());
    }

    /** The model's per-block calibration groups with {@code --calibration block}, one matrix per group otherwise. */
    private OneShotPruner pruner(PruneMethod method) {
        return OneShotPruner.builder(method).calibrationGroups(options.blockwise ? CalibrationGroups.declaredByModel()
                : CalibrationGroups.perWeight()).build();
    }

    /**
     * A prior's masks computed alone (when its table row was not asked for), kept in the checkpoint folder so that
     * later runs with other MaskPro settings start without recalibrating. "sparsegpt-mask" is the weight-update
     * run's masks, as in the table.
     */
    private Map<String, INDArray> oneShotMasks(LlamaMaskableModel model, String prior) {
        if (!PRIORS.contains(prior)) {
            throw new IllegalArgumentException("Unknown MaskPro prior \"" + prior + "\": expected best or one of " + PRIORS);
        }
        Path cache = options.checkpoints == null ? null : options.checkpoints.resolve(String.format(Locale.ROOT,
                "prior-%d-%d-%s-%s.zip", model.pattern().n(), model.pattern().m(), prior, options.blockwise ? "block" : "matrix"));
        try {
            if (cache != null && Files.exists(cache)) {
                LOG.info("Prior masks from {}", cache);
                return MaskArchive.read(cache);
            }
            PruneMethod method = prior.equals("sparsegpt-mask") ? PruneMethod.SPARSEGPT : PruneMethod.parse(prior);
            Map<String, INDArray> masks = pruner(method).prune(model, calibration).masks();
            model.weights().forEach(MaskableWeight::restoreDense);
            if (cache != null) {
                MaskArchive.write(cache, masks);
            }
            return masks;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use the prior cache " + cache, e);
        }
    }

    private static void applyMasks(LlamaMaskableModel model, Map<String, INDArray> masks) {
        for (MaskableWeight w : model.weights()) {
            w.applyMask(masks.get(w.name()));
        }
    }

    private ResultRow maskPro(LlamaMaskableModel model, NmPattern pattern, String prior, Map<String, INDArray> priorMasks,
            String note) {
        long total = pattern.m() == 4 ? options.steps : options.steps48;
        double logits = pattern.m() == 4 ? options.logits : options.logits48;
        double eta = pattern.m() == 4 ? options.eta : options.eta48;
        MaskProConfig.Builder builder = MaskProConfig.builder().pattern(pattern).updateRule(options.update)
                .logitMagnitude(logits).smoothing(options.alpha).samplesPerStep(options.samples).seed(options.seed)
                .logEvery(Math.max(1, Math.min(100, options.evalEvery))).checkpointEvery(options.evalEvery).steps(total);
        if (!Double.isNaN(eta)) {
            builder.learningRate(eta); // --eta default: MaskProConfig's own η for this update, C and step count
        }
        MaskProConfig base = builder.build();
        eta = base.learningRate();
        Path checkpoint = options.checkpoints == null ? null : options.checkpoints.resolve(String.format(Locale.ROOT,
                "maskpro-%d-%d-%s-%s-%seta%s-C%s-a%s-K%d-s%d.zip", pattern.n(), pattern.m(), prior,
                options.blockwise ? "block" : "matrix", options.update == UpdateRule.RAW ? "" : "normalized-", eta, logits,
                options.alpha, options.samples,
                options.seed));
        applyMasks(model, priorMasks);
        List<String> curve = new ArrayList<>();
        curve.add("0: " + format(progress.evaluate().perplexity()));
        double seconds = 0;
        MaskProResult result = null;
        PeakMemory.Peak peak = null;
        // memory is sampled while learning only, not during the progress evaluations between chunks
        for (long target = Math.min(options.evalEvery, total); ; target = Math.min(target + options.evalEvery, total)) {
            PeakMemory memory = PeakMemory.start();
            try {
                result = new MaskProLearner(base.toBuilder().steps(target).build(), checkpoint)
                        .learn(model, train, priorMasks);
            } finally {
                memory.close();
            }
            peak = memory.peak().max(peak);
            seconds += result.seconds();
            double ppl = progress.evaluate().perplexity();
            curve.add(target + ": " + format(ppl));
            LOG.info("MaskPro {} from {}: step {}: first {} valid paragraphs ppl {}, {}% of groups changed", pattern,
                    prior, target, PROGRESS_PARAGRAPHS, format(ppl), format(100 * result.changedFromPrior()));
            if (target >= total) {
                break;
            }
        }
        requireStrict(model);
        double ppl = valid.evaluate().perplexity();
        String settings = String.format(Locale.ROOT, options.update.cliName() + " η=%s C=%s α=%s K=%d; %.2f%% groups changed; first %d valid paragraphs: %s",
                eta, logits, options.alpha, options.samples, 100 * result.changedFromPrior(),
                PROGRESS_PARAGRAPHS, String.join(", ", curve));
        return new ResultRow("MaskPro (prior " + prior + ")", pattern.toString(), ppl, result.steps(), seconds, peak, true,
                join(note, settings));
    }

    /**
     * MaskLLM through {@link SameDiffModel} on the same graph: SameDiff backpropagates the graph's {@code loss} to
     * the weight variables, which is what MaskLLM needs and what the forward-only LLaMA adapter does not offer.
     */
    private ResultRow maskLlm(LlamaMaskableModel model, NmPattern pattern, String prior, Map<String, INDArray> priorMasks,
            String note) {
        model.weights().forEach(MaskableWeight::restoreDense);
        SameDiffModel.Builder b = SameDiffModel.builder(graph.sameDiff()).loss(LlamaGraph.LOSS).pattern(pattern);
        for (MaskableWeight w : model.weights()) {
            b.weight(w.name(), GroupLayout.Kind.OUT_IN);
        }
        SameDiffModel differentiable = b.build();
        List<Map<String, INDArray>> placeholders = train.stream().map(graph::placeholders).toList();
        MaskLlmConfig config = MaskLlmConfig.builder().pattern(pattern).steps(options.maskLlmSteps).seed(options.seed)
                .logEvery((int) Math.max(1, options.maskLlmSteps / 10)).build();
        MaskLlmResult result;
        PeakMemory.Peak peak;
        try (PeakMemory memory = PeakMemory.start()) {
            result = new MaskLlmLearner(config).learn(differentiable, placeholders, priorMasks);
            peak = memory.peak();
        }
        requireStrict(model);
        double ppl = valid.evaluate().perplexity();
        String settings = String.format(Locale.ROOT, "official LLaMA-2 schedule compressed to %d steps; learner state %.1f MiB",
                options.maskLlmSteps, result.stateBytes() / (1024.0 * 1024.0));
        return new ResultRow("MaskLLM (prior " + prior + ")", pattern.toString(), ppl, result.steps(), result.seconds(),
                peak, true, join(note, settings));
    }

    private static void requireStrict(LlamaMaskableModel model) {
        NmVerifier.Report report = NmVerifier.verify(model.weights(), model.skipped(), model.pattern());
        if (!report.strict()) {
            throw new IllegalStateException("Pruned LLaMA is not strictly " + model.pattern() + ": " + report.violations()
                    + " violating groups");
        }
    }

    /** The measured rows as a Markdown table. */
    String markdown() {
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
                .append(" CPUs visible, ").append(options.threads).append(" native thread(s)\n");
        return s.toString();
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "; " + b;
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.1f" : "%.2f", v);
    }

    /** Command-line options; every one has a default matching the reference protocol. */
    static final class Options {
        Path data = Path.of(System.getProperty("maskpro.shared.data", "../shared/data"), "llama2c");
        List<NmPattern> patterns = List.of(NmPattern.of(2, 4), NmPattern.of(4, 8));
        List<String> rows = List.of("dense", "magnitude", "wanda", "sparsegpt", "maskpro");
        long steps = 500;
        long steps48 = 300;
        int evalEvery = 250;
        // measured best: η = 25 at 2:4 (46.94 after 500 steps); 4:8 was measured at η = 50 only
        double eta = 25;
        double eta48 = 50;
        // C = 7 (2:4) and 8 (4:8) with two leave-one-out samples: the reference's C = 10, K = 1 barely moves in a
        // few hundred steps, lower C with K = 1 collapses (docs/llama-results.md)
        double logits = 7;
        double logits48 = 8;
        double alpha = 0.99;
        /** The tables in docs/llama-results.md were measured with the raw update; --update normalized for logit units. */
        UpdateRule update = UpdateRule.RAW;
        int samples = 2;
        long seed = 0;
        String prior = "best";
        long maskLlmSteps = 100;
        Path checkpoints;
        int threads = 1;
        boolean blockwise = true;
        Path out;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String key = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Option " + key + " needs a value");
                }
                String v = args[++i];
                switch (key) {
                    case "--data" -> o.data = Path.of(v);
                    case "--patterns" -> o.patterns = List.of(v.split(",")).stream().map(NmPattern::parse).toList();
                    case "--rows" -> o.rows = List.of(v.toLowerCase(Locale.ROOT).split(","));
                    case "--steps" -> o.steps = Long.parseLong(v);
                    case "--steps48" -> o.steps48 = Long.parseLong(v);
                    case "--eval-every" -> o.evalEvery = Integer.parseInt(v);
                    case "--eta" -> o.eta = v.equals("default") ? Double.NaN : Double.parseDouble(v);
                    case "--eta48" -> o.eta48 = Double.parseDouble(v);
                    case "--logits" -> o.logits = Double.parseDouble(v);
                    case "--logits48" -> o.logits48 = Double.parseDouble(v);
                    case "--alpha" -> o.alpha = Double.parseDouble(v);
                    case "--update" -> o.update = UpdateRule.parse(v);
                    case "--samples" -> o.samples = Integer.parseInt(v);
                    case "--seed" -> o.seed = Long.parseLong(v);
                    case "--prior" -> o.prior = v;
                    case "--maskllm-steps" -> o.maskLlmSteps = Long.parseLong(v);
                    case "--checkpoints" -> o.checkpoints = Path.of(v);
                    case "--threads" -> o.threads = Integer.parseInt(v);
                    case "--out" -> o.out = Path.of(v);
                    case "--calibration" -> o.blockwise = switch (v) {
                        case "block" -> true;
                        case "matrix" -> false;
                        default -> throw new IllegalArgumentException("--calibration must be block or matrix, got " + v);
                    };
                    default -> throw new IllegalArgumentException("Unknown option " + key + "; see the LlamaResults javadoc");
                }
            }
            List<String> known = List.of("dense", "magnitude", "wanda", "sparsegpt", "maskpro", "maskllm");
            for (String r : o.rows) {
                if (!known.contains(r)) {
                    throw new IllegalArgumentException("Unknown row \"" + r + "\" in --rows: expected some of " + known);
                }
            }
            if (!o.prior.equals("best") && !PRIORS.contains(o.prior)) {
                throw new IllegalArgumentException("--prior must be best or one of " + PRIORS + ", got " + o.prior);
            }
            if (o.evalEvery <= 0 || o.threads <= 0) {
                throw new IllegalArgumentException("--eval-every and --threads must be positive");
            }
            return o;
        }
    }
}
