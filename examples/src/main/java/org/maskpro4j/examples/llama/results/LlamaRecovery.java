package org.maskpro4j.examples.llama.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaDifferentiableModel;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.examples.llama.PerplexityEvaluator;
import org.maskpro4j.finetune.FineTuneConfig;
import org.maskpro4j.finetune.MaskedFineTuner;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskllm.MaskLlmLearner;
import org.maskpro4j.maskpro.MaskProCheckpoint;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProStep;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.progress.PeakMemory;
import org.maskpro4j.reconstruct.WeightReconstructor;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery rows of {@code docs/llama-results.md}: SparseGPT with its update; its mask re-fitted by
 * {@link WeightReconstructor}; MaskPro from the SparseGPT mask, frozen, then reconstructed, then fine-tuned by
 * {@link MaskedFineTuner}; SparseGPT with its update fine-tuned with the same budget; and optionally MaskLLM from the
 * same prior at a given number of steps. Every row is scored on the first {@code --valid} validation paragraphs and on
 * the first {@code --second} paragraphs of a second, untouched text, and appended to {@code --out} as it is measured.
 * Masks are cached under {@code --cache}, so a rerun skips the mask learning it already did.
 *
 * <p>{@code java -cp … LlamaRecovery --pattern 2:4 --maskpro-steps 300 --budgets 100,250 --out rows.md}
 */
public final class LlamaRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaRecovery.class);

    private final Map<String, String> options;
    private final LlamaGraph graph;
    private final LlamaDifferentiableModel model;
    private final List<LlamaBatch> calibration;
    private final List<LlamaBatch> maskProTrain;
    private final List<LlamaBatch> fineTuneTrain;
    private final PerplexityEvaluator valid;
    private final PerplexityEvaluator second;
    private final Path out;
    private final Path cache;

    private LlamaRecovery(Map<String, String> options) throws IOException {
        this.options = options;
        Path data = Path.of(options.getOrDefault("--data", "../shared/data/llama2c"));
        Llama2cCheckpoint checkpoint = Llama2cCheckpoint.read(data.resolve("stories260K.bin"));
        Llama2cTokenizer tokenizer = Llama2cTokenizer.read(data.resolve("tok512.bin"), checkpoint.config().vocabSize());
        this.graph = LlamaGraph.build(checkpoint);
        NmPattern pattern = NmPattern.parse(options.getOrDefault("--pattern", "2:4"));
        this.model = new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, pattern));
        int seqLen = checkpoint.config().seqLen();
        List<String> train = LlamaBatches.readParagraphs(data.resolve("tinystories_train.txt"));
        this.calibration = CalibrationBatches.everyPosition(LlamaBatches.encode(train.subList(0, 128), tokenizer, seqLen), 8);
        this.maskProTrain = LlamaBatches.batches(LlamaBatches.encode(train.subList(0, 256), tokenizer, seqLen), 8);
        this.fineTuneTrain = LlamaBatches.batches(LlamaBatches.encode(train, tokenizer, seqLen), 8);
        this.valid = evaluator(tokenizer, data.resolve("tinystories_valid.txt"), Integer.parseInt(options.getOrDefault("--valid", "300")));
        this.second = evaluator(tokenizer, Path.of(options.getOrDefault("--second-text", "../shared/data/text/tinyshakespeare.txt")),
                Integer.parseInt(options.getOrDefault("--second", "200")));
        this.out = Path.of(options.getOrDefault("--out", "llama-recovery.md"));
        this.cache = Path.of(options.getOrDefault("--cache", "llama-recovery-cache"));
        Files.createDirectories(cache);
    }

    private PerplexityEvaluator evaluator(Llama2cTokenizer tokenizer, Path text, int paragraphs) throws IOException {
        List<String> all = LlamaBatches.readParagraphs(text);
        return PerplexityEvaluator.forSequences(graph, LlamaBatches.encode(all.subList(0, Math.min(paragraphs, all.size())),
                tokenizer, graph.config().seqLen()), PerplexityEvaluator.DEFAULT_TOKENS_PER_BATCH);
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        int threads = Integer.parseInt(options.getOrDefault("--threads", "1"));
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        new LlamaRecovery(options).run();
    }

    private void run() throws IOException {
        String pattern = options.getOrDefault("--pattern", "2:4");
        List<String> rows = List.of(options.getOrDefault("--rows", "dense,sparsegpt,maskpro,sparsegpt-ft").split(","));
        TreeSet<Long> budgets = new TreeSet<>();
        for (String b : options.getOrDefault("--budgets", "250").split(",")) {
            budgets.add(Long.parseLong(b));
        }
        double lr = Double.parseDouble(options.getOrDefault("--lr", "1e-3"));
        if (rows.contains("dense")) {
            row("dense", pattern, 0);
        }
        long t0 = System.nanoTime();
        OneShotPruner pruner = OneShotPruner.builder(PruneMethod.SPARSEGPT).build();
        Map<String, INDArray> sparseGpt = pruner.prune(model, calibration).masks();
        Map<String, INDArray> updated = snapshot();
        row("SparseGPT + update", pattern, seconds(t0));
        if (rows.contains("sparsegpt")) {
            apply(sparseGpt);
            row("SparseGPT mask only", pattern, 0);
            t0 = System.nanoTime();
            WeightReconstructor.builder().build().reconstruct(model, calibration, sparseGpt);
            row("SparseGPT mask + reconstruction", pattern, seconds(t0));
        }
        Map<String, Map<String, INDArray>> chains = new LinkedHashMap<>();
        Map<String, Map<String, INDArray>> chainMasks = new LinkedHashMap<>();
        if (rows.contains("maskpro")) {
            long steps = Long.parseLong(options.getOrDefault("--maskpro-steps", "300"));
            Map<String, INDArray> maskPro = maskPro(pattern, steps, sparseGpt);
            apply(maskPro);
            row("MaskPro " + steps + " steps, frozen", pattern, 0);
            t0 = System.nanoTime();
            WeightReconstructor.builder().build().reconstruct(model, calibration, maskPro);
            row("MaskPro " + steps + " steps + reconstruction", pattern, seconds(t0));
            String name = "MaskPro " + steps + " steps + reconstruction + fine-tuning";
            chains.put(name, snapshot());
            chainMasks.put(name, maskPro);
        }
        if (rows.contains("sparsegpt-ft")) {
            chains.put("SparseGPT + update + fine-tuning", updated);
            chainMasks.put("SparseGPT + update + fine-tuning", sparseGpt);
        }
        // budgets in turn for every chain, so the comparison at the smaller budget is complete first
        boolean first = true;
        for (long budget : budgets) {
            for (String name : chains.keySet()) {
                Path ckpt = cache.resolve(name.replaceAll("[^A-Za-z0-9]+", "-") + "-" + pattern.replace(":", "of") + ".ckpt");
                if (first) {
                    Files.deleteIfExists(ckpt);
                    restore(chains.get(name));
                }
                t0 = System.nanoTime();
                new MaskedFineTuner(FineTuneConfig.builder().steps(budget).learningRate(lr).logEvery(25)
                        .checkpointEvery(50).build(), ckpt).tune(model, fineTuneTrain, chainMasks.get(name));
                row(name + " (" + budget + " steps, Adam " + lr + ")", pattern, seconds(t0));
            }
            first = false;
        }
        if (rows.contains("maskllm")) {
            long steps = Long.parseLong(options.getOrDefault("--maskllm-steps", "100"));
            model.weights().forEach(MaskableWeight::restoreDense);
            t0 = System.nanoTime();
            Map<String, INDArray> masks;
            try (PeakMemory memory = PeakMemory.start()) {
                masks = new MaskLlmLearner(MaskLlmConfig.builder().pattern(NmPattern.parse(pattern)).steps(steps).seed(0)
                        .logEvery(10).build()).learn(model, maskProTrain, sparseGpt).masks();
                LOG.info("MaskLLM peak {} MiB", String.format("%.0f", memory.peak().totalMiB()));
            }
            apply(masks);
            row("MaskLLM " + steps + " steps (prior SparseGPT mask), frozen", pattern, seconds(t0));
            // the same number of passes for MaskPro: two forward passes per step (K = 2), f(m0) cached per batch
            long maskProSteps = steps / 2;
            model.weights().forEach(MaskableWeight::restoreDense);
            t0 = System.nanoTime();
            apply(maskPro(pattern, maskProSteps, sparseGpt));
            row("MaskPro " + maskProSteps + " steps, K=2 (prior SparseGPT mask), frozen", pattern, seconds(t0));
        }
    }

    private Map<String, INDArray> maskPro(String pattern, long steps, Map<String, INDArray> prior) throws IOException {
        double eta = Double.parseDouble(options.getOrDefault("--eta", "25"));
        double logits = Double.parseDouble(options.getOrDefault("--logits", "7"));
        Path cached = cache.resolve(String.format(Locale.ROOT, "maskpro-%s-%d-eta%s-C%s.masks", pattern.replace(":", "of"),
                steps, eta, logits));
        if (Files.isRegularFile(cached)) {
            LOG.info("MaskPro masks from {}", cached);
            return MaskArchive.read(cached);
        }
        Path partial = options.containsKey("--maskpro-checkpoint") ? Path.of(options.get("--maskpro-checkpoint")) : null;
        if (partial != null) {
            // a run cut short: the final (top-N) mask of the policy its last checkpoint holds
            MaskProCheckpoint.Snapshot snapshot = MaskProCheckpoint.load(partial);
            MaskProStep state = snapshot.bind(model.weights(), snapshot.config());
            LOG.info("MaskPro masks from checkpoint {} at step {}", partial, state.step());
            return state.policy().split(state.policy().mode());
        }
        MaskProConfig config = MaskProConfig.builder().pattern(NmPattern.parse(pattern)).steps(steps).learningRate(eta)
                .logitMagnitude(logits).smoothing(0.99).samplesPerStep(2).seed(0).logEvery(25)
                .checkpointEvery(50).build();
        long t0 = System.nanoTime();
        Map<String, INDArray> masks;
        try (PeakMemory memory = PeakMemory.start()) {
            masks = new MaskProLearner(config, cache.resolve(cached.getFileName() + ".ckpt")).learn(model, maskProTrain, prior)
                    .masks();
            LOG.info("MaskPro peak {} MiB, {} s", String.format("%.0f", memory.peak().totalMiB()), seconds(t0));
        }
        MaskArchive.write(cached, masks);
        return masks;
    }

    private void row(String name, String pattern, double seconds) throws IOException {
        double v = valid.evaluate().perplexity();
        double s = second.evaluate().perplexity();
        String line = String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.0f |%n", name, pattern, v, s, seconds);
        LOG.info("ROW {}", line.trim());
        Files.writeString(out, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private void apply(Map<String, INDArray> masks) {
        for (MaskableWeight w : model.weights()) {
            w.applyMask(masks.get(w.name()));
        }
    }

    private Map<String, INDArray> snapshot() {
        Map<String, INDArray> live = new LinkedHashMap<>();
        for (MaskableWeight w : model.weights()) {
            live.put(w.name(), w.live().dup());
        }
        return live;
    }

    private void restore(Map<String, INDArray> live) {
        for (MaskableWeight w : model.weights()) {
            w.assignLive(live.get(w.name()));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
