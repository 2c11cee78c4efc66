package org.maskpro4j.examples.llama.inference;

import java.util.SplittableRandom;

/** Picks the next token from logits: argmax at temperature 0, else a seeded draw from softmax(logits / T). */
public final class Sampler {
    private final double temperature;
    private final SplittableRandom rng;

    /**
     * @param temperature 0 for greedy decoding, else above 0
     * @param seed        the one source of randomness: same seed, same text
     */
    public Sampler(double temperature, long seed) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Temperature must be 0 (greedy) or a positive number, got " + temperature);
        }
        this.temperature = temperature;
        this.rng = new SplittableRandom(seed);
    }

    public int next(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (temperature == 0) {
            return best;
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - logits[best]) / temperature);
            sum += p[i];
        }
        double u = rng.nextDouble() * sum;
        double cumulative = 0;
        for (int i = 0; i < p.length; i++) {
            cumulative += p[i];
            if (u < cumulative) {
                return i;
            }
        }
        return best;
    }
}
