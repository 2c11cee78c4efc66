package org.maskpro4j.nm;

/**
 * The per-group math of one chunk of {@link FusedGroupKernel}: exact gradient step, shift and clamp, next draw, on
 * the chunk's logits copied to a float array. Two implementations compute the same thing: {@link VectorChunkMath}
 * with groups in Vector API lanes (when the JVM runs with jdk.incubator.vector) and {@link ScalarChunkMath} group by
 * group.
 *
 * <p><b>The draw</b> is the exponential race, the same distribution as Gumbel-top-N (maskpro-spec §1.3): position j
 * of a group gets the key E_j · exp(max − x_j) with E_j = −log u_j ~ Exp(1), and the N smallest keys win, ties going
 * to the lower index. Since E · exp(−x) = exp(−(x − log(−log u))), the smallest keys are the largest Gumbel keys of
 * the same uniforms: given the same u the race keeps what {@link GumbelTopN} keeps. It needs one logarithm and one
 * exponential per position instead of two logarithms, in float.
 *
 * <p><b>The uniforms</b> are counter-based, so any implementation can draw them in any order: position j of group g
 * of a chunk uses 32 bits of SplitMix64's output at counter {@code (j·CHUNK_GROUPS + g) / 2} of the chunk's stream
 * (low half for even counters), keeps the top 24 and maps them to the open interval (0, 1). So E ranges over
 * [3·10⁻⁸, 16.6]: the draw is exact up to events of probability below 6·10⁻⁸ per position. A position more than
 * {@value #MAX_SPREAD} below its group's largest logit races as if it were exactly that far below (its probability is
 * under 2·10⁻³⁵ either way; the policy clamps at 60).
 */
abstract class ChunkMath {
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** Logits further below their group's maximum race as if they were this far below, so keys stay finite floats. */
    static final float MAX_SPREAD = 80;

    final NmPattern pattern;

    ChunkMath(NmPattern pattern) {
        this.pattern = pattern;
    }

    /** The Vector API implementation where the JVM has jdk.incubator.vector, else the scalar one. */
    static ChunkMath best(NmPattern pattern) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                // loaded by name: the class links against the incubator module, which may be absent
                return (ChunkMath) Class.forName("org.maskpro4j.nm.VectorChunkMath")
                        .getDeclaredConstructor(NmPattern.class).newInstance(pattern);
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarChunkMath(pattern);
            }
        }
        return new ScalarChunkMath(pattern);
    }

    /** Whether groups run in SIMD lanes. */
    abstract boolean vectorized();

    /**
     * One chunk: with {@code kept} non-null, x ← x − scale·∇ log P(kept), shifted to max 0 and clamped at
     * {@code -range}; then, with {@code drawn} non-null, the next mask drawn from x into {@code drawn}.
     *
     * @param x          {@code count·M} logits, row-major groups; updated in place
     * @param kept       the last mask, strict (not checked), or null for no update
     * @param firstGroup the chunk's first group in the whole matrix, for error messages
     */
    abstract void step(float[] x, float[] kept, double scale, float range, long chunkSeed, float[] drawn, int count,
            long firstGroup);

    /**
     * d log P(kept) / d logits of {@code count} groups into {@code grad}, the first half of {@link #step}.
     *
     * @return false when an entry is NaN or infinite
     */
    abstract boolean gradient(float[] x, float[] kept, int count, float[] grad);

    /** 32 random bits for counter {@code c} of a chunk's stream (see the class comment). */
    static int bits(long chunkSeed, int c) {
        long r = GumbelTopN.mix(chunkSeed + ((c >>> 1) + 1L) * GOLDEN_GAMMA);
        return (c & 1) == 0 ? (int) r : (int) (r >>> 32);
    }

    /** The uniform in (0, 1) of 32 random bits: their top 24, centred in their interval. */
    static float uniform(int bits) {
        return ((bits >>> 8) + 0.5f) * 0x1p-24f;
    }

    /** The counter of position j of group g in a chunk's stream. */
    static int counter(int g, int j) {
        return j * FusedGroupKernel.CHUNK_GROUPS + g;
    }

    static IllegalArgumentException notFinite(long group) {
        return new IllegalArgumentException("Logits must be finite: group " + group
                + " holds NaN or infinity; check the policy update that produced these logits");
    }

    IllegalArgumentException notRepresentable(long group) {
        return new IllegalArgumentException("Subset probability of pattern " + pattern + " for group " + group
                + " is not representable in double; keep the logit range within a group well below 700");
    }
}
