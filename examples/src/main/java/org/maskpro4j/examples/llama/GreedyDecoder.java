package org.maskpro4j.examples.llama;

import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.indexing.NDArrayIndex;

/** Greedy (argmax) generation with a {@link LlamaGraph}, re-running the whole prefix each step (no KV cache). */
public final class GreedyDecoder {
    private GreedyDecoder() {
    }

    /**
     * {@code prompt} followed by up to {@code maxNewTokens} argmax tokens; stops early at seq_len or, as llama2.c
     * does, when the model emits BOS (its sequence delimiter).
     */
    public static int[] generate(LlamaGraph graph, int[] prompt, int maxNewTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("The prompt needs at least one token (usually BOS = 1)");
        }
        int limit = Math.min(prompt.length + Math.max(0, maxNewTokens), graph.config().seqLen());
        int[] tokens = Arrays.copyOf(prompt, limit);
        int n = prompt.length;
        while (n < limit) {
            int[] sequence = Arrays.copyOf(tokens, n + 1);   // the extra target slot is never scored or read
            LlamaBatch batch = LlamaBatches.batch(List.of(sequence));
            int next = graph.logits(batch).get(NDArrayIndex.point(0), NDArrayIndex.point(n - 1), NDArrayIndex.all())
                    .argMax().getInt(0);
            if (next == Llama2cTokenizer.BOS) {
                break;
            }
            tokens[n++] = next;
        }
        return Arrays.copyOf(tokens, n);
    }
}
