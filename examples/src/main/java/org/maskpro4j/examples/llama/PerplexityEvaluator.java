package org.maskpro4j.examples.llama;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Perplexity of a {@link LlamaGraph} on a fixed text, with whatever weights the graph holds at each call. The text
 * is tokenised and batched once (paragraphs sorted by length and grouped under a token budget, see
 * {@link LlamaBatches#byTokenBudget}), so evaluating the same corpus
 * after each change of weights costs only the forward passes. Each paragraph is scored from BOS, truncated to the
 * model's seq_len; the result is exp of the mean token NLL over all paragraphs.
 */
public final class PerplexityEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(PerplexityEvaluator.class);
    /** Input positions per batch, padding included: large enough to amortise per-call graph overhead. */
    public static final int DEFAULT_TOKENS_PER_BATCH = 4096;

    private final LlamaGraph graph;
    private final List<LlamaBatch> batches;

    private PerplexityEvaluator(LlamaGraph graph, List<LlamaBatch> batches) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("Nothing to evaluate: no paragraph with at least one scored token");
        }
        this.graph = graph;
        this.batches = List.copyOf(batches);
    }

    /** All paragraphs of {@code textFile} (blank-line separated), {@link #DEFAULT_TOKENS_PER_BATCH} per batch. */
    public static PerplexityEvaluator forText(LlamaGraph graph, Llama2cTokenizer tokenizer, Path textFile)
            throws IOException {
        return forText(graph, tokenizer, textFile, DEFAULT_TOKENS_PER_BATCH);
    }

    /** All paragraphs of {@code textFile} (blank-line separated), at most {@code tokensPerBatch} positions per batch. */
    public static PerplexityEvaluator forText(LlamaGraph graph, Llama2cTokenizer tokenizer, Path textFile,
            int tokensPerBatch) throws IOException {
        List<String> paragraphs = LlamaBatches.readParagraphs(textFile);
        List<int[]> sequences = LlamaBatches.encode(paragraphs, tokenizer, graph.config().seqLen());
        LOG.info("Perplexity corpus {}: {} paragraphs", textFile.getFileName(), paragraphs.size());
        return forSequences(graph, sequences, tokensPerBatch);
    }

    /** Token sequences (each starting with BOS), at most {@code tokensPerBatch} positions per batch. */
    public static PerplexityEvaluator forSequences(LlamaGraph graph, List<int[]> sequences, int tokensPerBatch) {
        return new PerplexityEvaluator(graph, LlamaBatches.byTokenBudget(sequences, tokensPerBatch));
    }

    public Perplexity evaluate() {
        long start = System.nanoTime();
        double nllSum = 0;
        long tokens = 0;
        for (LlamaBatch batch : batches) {
            LlamaGraph.Nll nll = graph.nll(batch);
            nllSum += nll.sum();
            tokens += nll.tokens();
        }
        Perplexity result = Perplexity.fromSum(nllSum, tokens);
        LOG.info("Perplexity {} (mean NLL {}, {} tokens, {} batches) in {} ms", String.format("%.4f", result.perplexity()),
                String.format("%.5f", result.meanNll()), tokens, batches.size(), (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    public List<LlamaBatch> batches() {
        return batches;
    }
}
