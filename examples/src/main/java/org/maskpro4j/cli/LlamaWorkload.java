package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.examples.llama.Llama2cCheckpoint;
import org.maskpro4j.examples.llama.Llama2cTokenizer;
import org.maskpro4j.examples.llama.LlamaBatch;
import org.maskpro4j.examples.llama.LlamaBatches;
import org.maskpro4j.examples.llama.LlamaDifferentiableModel;
import org.maskpro4j.examples.llama.LlamaGraph;
import org.maskpro4j.examples.llama.LlamaMaskableModel;
import org.maskpro4j.examples.llama.LlamaNames;
import org.maskpro4j.examples.llama.Perplexity;
import org.maskpro4j.examples.llama.PerplexityEvaluator;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.DistillableModel;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A llama2.c checkpoint run as a SameDiff graph, with text files of blank-line-separated paragraphs as data and
 * perplexity as its metric. Saving writes a llama2.c file again, so the pruned model runs in llama2.c.
 */
public final class LlamaWorkload implements Workload<LlamaBatch> {
    private final Llama2cCheckpoint checkpoint;
    private final Llama2cTokenizer tokenizer;
    private final LlamaGraph graph;

    private LlamaWorkload(Llama2cCheckpoint checkpoint, Llama2cTokenizer tokenizer) {
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.graph = LlamaGraph.build(checkpoint);
    }

    public static LlamaWorkload load(Path model, Path tokenizer) throws IOException {
        return load(model, tokenizer, true);
    }

    /**
     * @param tokenizerRequired false when only the weights are used (verify): a missing tokenizer then leaves this
     *                          workload without data, and a given one is still read and checked
     */
    public static LlamaWorkload load(Path model, Path tokenizer, boolean tokenizerRequired) throws IOException {
        return of(Llama2cCheckpoint.read(model), model, tokenizer, tokenizerRequired);
    }

    /** A checkpoint read from {@code model} (whose directory holds the default tokenizer), as {@link #load}. */
    static LlamaWorkload of(Llama2cCheckpoint checkpoint, Path model, Path tokenizer, boolean tokenizerRequired)
            throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        checkpoint.tensorNames().forEach(n -> tensors.put(n, checkpoint.tensor(n)));
        FiniteValues.requireFiniteWeights(tensors, model.toString());
        Path tok = tokenizer != null ? tokenizer : defaultTokenizer(model);
        if (tok == null && !tokenizerRequired) {
            return new LlamaWorkload(checkpoint, null);
        }
        if (tok == null) {
            throw new UserError("No tokenizer for " + model + ": pass --tokenizer FILE (llama2.c tokenizer.bin format)");
        }
        if (!Files.isRegularFile(tok)) {
            throw new UserError("Tokenizer file not found: " + tok + " (--tokenizer takes a llama2.c tokenizer.bin)");
        }
        return new LlamaWorkload(checkpoint, Llama2cTokenizer.read(tok, checkpoint.config().vocabSize()));
    }

    static Path defaultTokenizer(Path model) {
        for (String name : List.of("tok" + "512.bin", "tokenizer.bin")) {
            Path p = model.resolveSibling(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private Llama2cTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new UserError("This command reads text, which needs the model's tokenizer: pass --tokenizer FILE");
        }
        return tokenizer;
    }

    public LlamaGraph graph() {
        return graph;
    }

    @Override
    public String format() {
        return "llama2c";
    }

    /** Matrices are selected by kind ("w2") or full name ("layers.0.w2"); embeddings and classifier stay dense. */
    @Override
    public MaskableModel<LlamaBatch> maskable(NmPattern pattern, WeightSelection selection) {
        return maskable(graph, pattern, selection);
    }

    /** The graph's matrices that {@code selection} picks, as a maskable model (also for Spark replicas). */
    static MaskableModel<LlamaBatch> maskable(LlamaGraph graph, NmPattern pattern, WeightSelection selection) {
        List<String> kinds = LlamaNames.MATRICES.stream().filter(k -> selection.selects(k, k)).toList();
        if (kinds.isEmpty()) {
            throw new UserError("The layer selection leaves no LLaMA matrix to prune; matrices are " + LlamaNames.MATRICES);
        }
        // differentiable, so that MaskLLM and masked fine-tuning run on llama2.c files too
        return new LlamaDifferentiableModel(graph, new LlamaMaskableModel(graph, pattern, kinds));
    }

    /** A second graph built from the checkpoint as read (the graph above is pruned in place; this one stays dense). */
    @Override
    public DistillableModel<LlamaBatch> teacher(NmPattern pattern, WeightSelection selection) {
        return (DistillableModel<LlamaBatch>) maskable(LlamaGraph.build(checkpoint), pattern, selection);
    }

    @Override
    public List<LlamaBatch> trainBatches(Path data, int maxExamples, int batchSize) throws IOException {
        return batches(data, maxExamples, batchSize);
    }

    /**
     * The first {@code maxExamples} paragraphs, batched by length under a token budget as {@link PerplexityEvaluator}
     * does (perplexity does not depend on the grouping, and sorted batches pad far less: measured 3.5x faster).
     */
    @Override
    public List<LlamaBatch> evalBatches(Path data, Path valid, int maxExamples, int batchSize) throws IOException {
        Path text = requireText(valid != null ? valid : data);
        List<String> paragraphs = LlamaBatches.readParagraphs(text);
        List<String> used = paragraphs.subList(0, Math.min(paragraphs.size(), maxExamples));
        return requireSome(LlamaBatches.byTokenBudget(LlamaBatches.encode(used, tokenizer(), checkpoint.config().seqLen()),
                PerplexityEvaluator.DEFAULT_TOKENS_PER_BATCH), text);
    }

    private List<LlamaBatch> batches(Path text, int maxParagraphs, int batchSize) throws IOException {
        requireText(text);
        return requireSome(LlamaBatches.fromText(text, tokenizer(), checkpoint.config().seqLen(), batchSize, maxParagraphs), text);
    }

    private static Path requireText(Path text) {
        if (!Files.isRegularFile(text)) {
            throw new UserError("Data " + text + " is not a file: llama2.c models read text files of blank-line-separated"
                    + " paragraphs");
        }
        return text;
    }

    private static List<LlamaBatch> requireSome(List<LlamaBatch> batches, Path text) {
        if (batches.isEmpty()) {
            throw new UserError(text + " holds no paragraph of at least one token");
        }
        return batches;
    }

    @Override
    public Map<String, Object> evaluate(List<LlamaBatch> batches) {
        double sum = 0;
        long tokens = 0;
        for (LlamaBatch b : batches) {
            LlamaGraph.Nll nll = graph.nll(b);
            sum += nll.sum();
            tokens += nll.tokens();
        }
        Perplexity p = Perplexity.fromSum(sum, tokens);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", p.meanNll());
        m.put("perplexity", p.perplexity());
        m.put("tokens", p.tokens());
        return m;
    }

    @Override
    public void save(Path out) throws IOException {
        Map<String, INDArray> live = new LinkedHashMap<>();
        for (String name : graph.weightNames()) {
            live.put(name, graph.weight(name));
        }
        checkpoint.write(out, live);
    }
}
