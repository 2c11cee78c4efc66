package org.maskpro4j.examples.llama.inference;

import java.util.Arrays;
import java.util.function.IntConsumer;

import org.maskpro4j.examples.llama.Llama2cTokenizer;

/**
 * The tokens of one generation and how fast they came: {@code tokensPerSecond} counts every forward pass after the
 * first (prompt positions included, as llama2.c's {@code run.c} reports it).
 */
public record Generation(int[] tokens, double tokensPerSecond) {

    /**
     * llama2.c's generate loop: feed the prompt (which starts with BOS), then sample until {@code steps} positions,
     * seq_len, or BOS. Each new token goes to {@code onToken} as it is chosen.
     */
    public static Generation run(LlamaRuntime model, int[] prompt, int steps, Sampler sampler, IntConsumer onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("The prompt needs at least one token (BOS)");
        }
        int limit = Math.min(Math.max(steps, prompt.length), model.config().seqLen());
        int[] tokens = Arrays.copyOf(prompt, limit);
        int n = prompt.length;
        long start = 0;
        int timed = 0;
        int token = prompt[0];
        for (int pos = 0; pos < limit - 1; pos++) {
            float[] logits = model.forward(token, pos);
            int next;
            if (pos + 1 < prompt.length) {
                next = prompt[pos + 1];
            } else {
                next = sampler.next(logits);
                if (next == Llama2cTokenizer.BOS) {
                    break;
                }
                tokens[n++] = next;
                onToken.accept(next);
            }
            if (pos == 0) {
                start = System.nanoTime();
            } else {
                timed++;
            }
            token = next;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Generation(Arrays.copyOf(tokens, n), timed > 0 ? timed / seconds : Double.NaN);
    }
}
