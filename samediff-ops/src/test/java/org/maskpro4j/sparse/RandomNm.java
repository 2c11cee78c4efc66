package org.maskpro4j.sparse;

import java.util.Random;

import org.maskpro4j.nm.NmPattern;

/** Random strict N:M matrices for the tests, with some groups holding fewer than N non-zeros. */
final class RandomNm {
    private RandomNm() {
    }

    static float[] dense(int rows, int cols, NmPattern p, long seed) {
        Random rng = new Random(seed);
        float[] w = new float[rows * cols];
        for (int g = 0; g < w.length / p.m(); g++) {
            int kept = 0;
            for (int j = 0; j < p.m(); j++) {
                // keep each remaining slot with the probability that leaves exactly N by the end of the group
                boolean keep = rng.nextInt(p.m() - j) < p.n() - kept;
                if (keep) {
                    kept++;
                    // one in ten kept weights is an exact zero: a group may hold fewer than N non-zeros
                    w[g * p.m() + j] = rng.nextInt(10) == 0 ? 0f : (float) rng.nextGaussian();
                }
            }
        }
        return w;
    }
}
