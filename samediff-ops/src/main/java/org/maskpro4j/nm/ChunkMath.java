package org.maskpro4j.nm;

import java.nio.ByteBuffer;

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
 * exponential per position instead of two logarithms, in float: {@link #log} and {@link #exp}, whose SIMD twins round
 * alike, so both implementations draw the same masks from the same logits.
 *
 * <p>At 2:4 ({@link #sequentialDraw}) the draw is sequential instead, the same distribution (sampling without
 * replacement, §1.3) from two uniforms and no logarithm: with weights e_j = exp(x_j − max), the first position is
 * where u₁·Σe falls in the running sums e_0, e_0 + e_1, ...; the second likewise, u₂ times the sum of the other three
 * weights in their running sums. Every sum is of weights, never a difference, so a dominant position costs no
 * precision; measured 15 % faster than the race at 2:4.
 *
 * <p><b>The uniforms</b> are counter-based, so any implementation can draw them in any order: the j-th uniform of
 * group g of a chunk (j &lt; M for the race, j &lt; 2 for the sequential draw) uses 32 bits of SplitMix64's output at
 * counter {@code (j·CHUNK_GROUPS + g) / 2} of the chunk's stream (low half for even counters), keeps the top 24 and
 * maps them to the open interval (0, 1). So E ranges over [3·10⁻⁸, 16.6]: the race is exact up to events of
 * probability below 6·10⁻⁸ per position, as is the sequential draw, whose uniforms and float sums resolve 2⁻²⁴ of a
 * group's weight. A position more than {@value #MAX_SPREAD} below its group's largest logit draws as if it were exactly
 * that far below (its probability is under 2·10⁻³⁵ either way; the policy clamps at 60).
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

    /** Whether {@code pattern} draws sequentially by inverse CDF (2:4) rather than by the race. */
    static boolean sequentialDraw(NmPattern pattern) {
        return pattern.n() == 2 && pattern.m() == 4;
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

    /** Whether {@link #step(ByteBuffer, ByteBuffer, double, float, long, ByteBuffer, int, long)} runs here. */
    boolean readsBuffers() {
        return false;
    }

    /**
     * {@link #step} on a chunk held in the matrices' buffers, read and written in place: the logits as FLOATs in native
     * order, the masks as 0/1 bytes, group {@code firstGroup} the chunk's first; only where {@link #readsBuffers}.
     */
    void step(ByteBuffer x, ByteBuffer kept, double scale, float range, long chunkSeed, ByteBuffer drawn, int count,
            long firstGroup) {
        throw new UnsupportedOperationException("This chunk math works on arrays only");
    }

    // widen and narrow are plain loops on purpose: in Vector API lanes (~2 ms faster per step at 4:8) C2 inlined them
    // into FusedGroupKernel's chunk lambda and, in 3 of 23 JVMs, boxed their vectors when 8:16 recompiled it (1.6 GB
    // allocated and +50 % to +400 % per 8:16 step)

    /**
     * {@code length} bytes of a mask (one 0/1 byte per position, a BYTE matrix's buffer) from byte {@code index} of
     * {@code from}, as floats into {@code to} from {@code at}: what a widening cast gives. {@code scratch} holds
     * {@code length} bytes.
     */
    static void widen(ByteBuffer from, int index, byte[] scratch, float[] to, int at, int length) {
        from.get(index, scratch, 0, length);
        for (int i = 0; i < length; i++) {
            to[at + i] = scratch[i];
        }
    }

    /**
     * {@code length} 0/1 floats of {@code from} from {@code at} (exactly 0f or 1f, as draws are), as one byte each into
     * {@code to} from {@code index}: the top 3 bits of 1f (0x3F800000) are 001, 0f has none set, so a shift gives the
     * byte (measured 1.9 against 3.1 ms per 8 M positions for a cast, which converts and checks the range).
     */
    static void narrow(float[] from, int at, byte[] scratch, ByteBuffer to, int index, int length) {
        for (int i = 0; i < length; i++) {
            scratch[i] = (byte) (Float.floatToRawIntBits(from[at + i]) >>> 29);
        }
        to.put(index, scratch, 0, length);
    }

    /** Whether {@link #stepRows} runs here. */
    boolean stepsRows() {
        return false;
    }

    /**
     * {@link FusedGroupKernel#ascendAndSampleRows} on one chunk: its groups move between {@code rows} and the kernel's
     * rows of {@value FusedGroupKernel#ROW_GROUPS} groups, nowhere in row-major groups; only where {@link #stepsRows}.
     */
    void stepRows(FusedGroupKernel.ChunkRows rows, double[] scales, float range, long chunkSeed, boolean draw, int count,
            long firstGroup) {
        throw new UnsupportedOperationException("This chunk math works on row-major groups only");
    }

    /**
     * d log P(kept) / d logits of {@code count} groups into {@code grad}, the first half of {@link #step}.
     *
     * @return false when an entry is NaN or infinite
     */
    abstract boolean gradient(float[] x, float[] kept, int count, float[] grad);

    // exp and log in float, as the same sequence of roundings in both implementations (Cody–Waite reduction and the
    // Cephes polynomials, within 2 ulp): SIMD and scalar chunks then draw bit-identical keys, and the SIMD code
    // inlines them instead of calling the JDK's vector math stubs
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds a float below 2²² in magnitude to an integer, held in the low mantissa bits. */
    static final float ROUNDER = 12582912f;
    static final int ROUNDER_BITS = 0x4B400000;
    static final float LN2_HIGH = 0.693359375f;
    static final float LN2_LOW = -2.12194440e-4f;
    /** Below this, exp flushes to 0 (its value would be subnormal), so the SIMD path sees 0, never a coarse subnormal. */
    static final float EXP_LOWEST = -87f;
    static final float EXP_0 = 1.9875691500e-4f;
    static final float EXP_1 = 1.3981999507e-3f;
    static final float EXP_2 = 8.3334519073e-3f;
    static final float EXP_3 = 4.1665795894e-2f;
    static final float EXP_4 = 1.6666665459e-1f;
    static final float EXP_5 = 5.0000001201e-1f;
    static final float SQRT_HALF = 0.707106781186547524f;
    static final float LOG_0 = 7.0376836292e-2f;
    static final float LOG_1 = -1.1514610310e-1f;
    static final float LOG_2 = 1.1676998740e-1f;
    static final float LOG_3 = -1.2420140846e-1f;
    static final float LOG_4 = 1.4249322787e-1f;
    static final float LOG_5 = -1.6668057665e-1f;
    static final float LOG_6 = 2.0000714765e-1f;
    static final float LOG_7 = -2.4999993993e-1f;
    static final float LOG_8 = 3.3333331174e-1f;

    /** e^x for x ≤ 88, 0 below {@link #EXP_LOWEST}, NaN for NaN; the SIMD twin is VectorChunkMath.exp. */
    static float exp(float x) {
        float t = x * LOG2E;
        float shifted = t + ROUNDER;
        float r = shifted - ROUNDER;
        float f = Math.fma(r, -LN2_HIGH, x);
        f = Math.fma(r, -LN2_LOW, f);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(EXP_0, f, EXP_1), f, EXP_2), f, EXP_3), f, EXP_4), f,
                EXP_5);
        float y = Math.fma(p, f * f, f) + 1f;
        float scaled = y * Float.intBitsToFloat((Float.floatToRawIntBits(shifted) - (ROUNDER_BITS - 127)) << 23);
        return x < EXP_LOWEST ? 0f : scaled;
    }

    /** The natural logarithm of a positive normal float; the SIMD twin is VectorChunkMath.log. */
    static float log(float x) {
        int bits = Float.floatToRawIntBits(x);
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F000000); // x = m·2^e, m in [0.5, 1)
        float e = (float) ((bits >>> 23) - 126);
        boolean small = m < SQRT_HALF;
        m = (small ? m + m : m) - 1f;
        e = small ? e - 1f : e;
        float z = m * m;
        float y = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(LOG_0, m, LOG_1), m, LOG_2), m,
                LOG_3), m, LOG_4), m, LOG_5), m, LOG_6), m, LOG_7), m, LOG_8) * m * z;
        y = Math.fma(e, LN2_LOW, y);
        y = Math.fma(z, -0.5f, y);
        return Math.fma(e, LN2_HIGH, m + y);
    }

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
