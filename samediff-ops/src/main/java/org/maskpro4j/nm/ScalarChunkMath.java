package org.maskpro4j.nm;

/** {@link ChunkMath} group by group in plain Java: gradient in double ({@link GroupGradient}), the race in float. */
final class ScalarChunkMath extends ChunkMath {
    ScalarChunkMath(NmPattern pattern) {
        super(pattern);
    }

    @Override
    boolean vectorized() {
        return false;
    }

    @Override
    void step(float[] x, float[] kept, double scale, float range, long chunkSeed, float[] drawn, int count,
            long firstGroup) {
        step(x, kept, scale, range, chunkSeed, drawn, 0, count, firstGroup);
    }

    /** {@link #step} on the chunk's groups [from, to) only. */
    void step(float[] x, float[] kept, double scale, float range, long chunkSeed, float[] drawn, int from, int to,
            long firstGroup) {
        int m = pattern.m();
        if (kept != null) {
            GroupGradient gradient = new GroupGradient(pattern);
            int[] positions = new int[pattern.n()];
            for (int g = from; g < to; g++) {
                int o = g * m;
                keptPositions(kept, o, positions);
                for (int j = 0; j < m; j++) {
                    if (!Float.isFinite(x[o + j])) {
                        throw notFinite(firstGroup + g);
                    }
                }
                if (!gradient.compute(x, o, positions)) {
                    throw notRepresentable(firstGroup + g);
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < m; j++) {
                    x[o + j] -= (float) (gradient.grad[j] * scale);
                    max = Math.max(max, x[o + j]);
                }
                for (int j = 0; j < m; j++) {
                    x[o + j] = Math.max(x[o + j] - max, -range);
                }
            }
        }
        if (drawn != null && sequentialDraw(pattern)) {
            for (int g = from; g < to; g++) {
                drawPair(x, g * m, uniform(bits(chunkSeed, counter(g, 0))), uniform(bits(chunkSeed, counter(g, 1))),
                        drawn);
            }
        } else if (drawn != null) {
            float[] uniforms = new float[m];
            for (int g = from; g < to; g++) {
                for (int j = 0; j < m; j++) {
                    uniforms[j] = uniform(bits(chunkSeed, counter(g, j)));
                }
                race(x, g * m, uniforms, pattern.n(), drawn);
            }
        }
    }

    @Override
    boolean gradient(float[] x, float[] kept, int count, float[] grad) {
        GroupGradient gradient = new GroupGradient(pattern);
        int[] positions = new int[pattern.n()];
        int m = pattern.m();
        boolean finite = true;
        for (int g = 0; g < count; g++) {
            keptPositions(kept, g * m, positions);
            finite &= gradient.compute(x, g * m, positions);
            for (int j = 0; j < m; j++) {
                grad[g * m + j] = (float) gradient.grad[j];
            }
        }
        return finite;
    }

    /** The draw from given uniforms, one per logit, row-major like the logits; for tests against {@link GumbelTopN}. */
    static void drawWithUniforms(float[] x, float[] uniforms, int n, int m, float[] drawn) {
        float[] u = new float[m];
        for (int o = 0; o < x.length; o += m) {
            System.arraycopy(uniforms, o, u, 0, m);
            race(x, o, u, n, drawn);
        }
    }

    /** The 2:4 draw from given uniforms, two per group (the first's, then the second's); for tests. */
    static void drawPairsWithUniforms(float[] x, float[] uniforms, float[] drawn) {
        for (int g = 0; g < x.length / 4; g++) {
            drawPair(x, 4 * g, uniforms[2 * g], uniforms[2 * g + 1], drawn);
        }
    }

    /**
     * The sequential 2:4 draw of one group at offset {@code o} ({@link ChunkMath}): the first position where
     * u₁·Σe falls in the running sums of e_j = exp(max(x_j − max, −MAX_SPREAD)), then the second likewise among the
     * other three; the SIMD twin is VectorChunkMath.pickPair, the same float operations.
     */
    private static void drawPair(float[] x, int o, float u1, float u2, float[] drawn) {
        float max = Math.max(Math.max(x[o], x[o + 1]), Math.max(x[o + 2], x[o + 3]));
        float e0 = exp(Math.max(x[o] - max, -MAX_SPREAD));
        float e1 = exp(Math.max(x[o + 1] - max, -MAX_SPREAD));
        float e2 = exp(Math.max(x[o + 2] - max, -MAX_SPREAD));
        float e3 = exp(Math.max(x[o + 3] - max, -MAX_SPREAD));
        float c1 = e0 + e1;
        float c2 = c1 + e2;
        float t = u1 * (c2 + e3);
        int first = t < e0 ? 0 : t < c1 ? 1 : t < c2 ? 2 : 3;
        float r0 = first == 0 ? 0f : e0;
        float d1 = r0 + (first == 1 ? 0f : e1);
        float d2 = d1 + (first == 2 ? 0f : e2);
        float t2 = u2 * (d2 + (first == 3 ? 0f : e3));
        // past the last sum (rounding) the second is the last position left
        int second = t2 < r0 ? 0 : t2 < d1 ? 1 : t2 < d2 ? 2 : first == 3 ? 2 : 3;
        for (int j = 0; j < 4; j++) {
            drawn[o + j] = j == first || j == second ? 1f : 0f;
        }
    }

    /** The exponential race of one group at offset {@code o}: the N smallest keys E_j · exp(max − x_j) win. */
    private static void race(float[] x, int o, float[] uniforms, int n, float[] drawn) {
        int m = uniforms.length;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            max = Math.max(max, x[o + j]);
        }
        float[] keys = uniforms; // reused: each uniform is read once, before its key overwrites it
        for (int j = 0; j < m; j++) {
            keys[j] = -log(uniforms[j]) * exp(Math.min(max - x[o + j], MAX_SPREAD));
        }
        for (int j = 0; j < m; j++) {
            drawn[o + j] = 0f;
        }
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int j = 0; j < m; j++) {
                if (drawn[o + j] == 0f && (best < 0 || keys[j] < keys[best])) { // strict: ties to the lower index
                    best = j;
                }
            }
            drawn[o + best] = 1f;
        }
    }

    private void keptPositions(float[] mask, int o, int[] positions) {
        int k = 0;
        for (int j = 0; j < pattern.m() && k < positions.length; j++) {
            if (mask[o + j] != 0) {
                positions[k++] = j;
            }
        }
    }
}
