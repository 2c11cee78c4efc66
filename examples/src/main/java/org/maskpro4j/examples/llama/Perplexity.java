package org.maskpro4j.examples.llama;

/**
 * Corpus-level perplexity: {@code exp(meanNll)} with {@code meanNll} the mean token negative log-likelihood over
 * {@code tokens} scored positions.
 */
public record Perplexity(double meanNll, double perplexity, long tokens) {

    /** From a summed NLL over {@code tokens} positions. */
    public static Perplexity fromSum(double nllSum, long tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("Perplexity needs at least one scored token, got " + tokens);
        }
        double mean = nllSum / tokens;
        return new Perplexity(mean, Math.exp(mean), tokens);
    }
}
