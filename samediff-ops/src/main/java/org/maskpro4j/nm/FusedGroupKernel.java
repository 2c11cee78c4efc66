package org.maskpro4j.nm;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * The CPU fast path of a MaskPro policy step: one pass over FLOAT logits that applies the exact log-probability
 * gradient of the last mask (what {@link SubsetLogProb} computes), shifts and clamps each group as the policy does,
 * and draws the next Gumbel-top-N mask (what {@link GumbelTopN#sample} draws), without intermediate ND4J arrays.
 * Plain Java over the arrays' buffers, so it runs where the buffers live in host memory: the CPU backend. The ND4J
 * implementation stays the backend-neutral path and the reference this one is tested against.
 *
 * <p>Groups are processed in chunks of {@value #CHUNK_GROUPS}, in parallel. Each chunk draws its uniforms from its own
 * SplitMix64 stream seeded with {@code GumbelTopN.derive(seed, chunk)}, so a mask depends on the seed only, never on
 * the thread count. The streams differ from ND4J's generator: for one seed this path and {@link GumbelTopN#sample}
 * draw different masks from the same distribution. Given the same uniforms they choose the same positions (the keys
 * are the same double sums), except where libm's and Java's logarithms round a near-tie differently.
 */
public final class FusedGroupKernel {
    /** Groups per chunk: fixed, so which uniforms a group gets does not depend on how chunks are spread on threads. */
    public static final int CHUNK_GROUPS = 4096;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    /** One pool per thread count, shared by all kernels: a policy is built per run, sweep candidate and test. */
    private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private final NmPattern pattern;
    private final int threads;
    private final ForkJoinPool pool;

    /**
     * @param threads worker threads; 1 runs every chunk on the calling thread
     */
    public FusedGroupKernel(NmPattern pattern, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("The fused kernel needs at least one thread, got " + threads);
        }
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        this.threads = threads;
        this.pool = threads == 1 ? null : POOLS.computeIfAbsent(threads, ForkJoinPool::new);
    }

    public NmPattern pattern() {
        return pattern;
    }

    public int threads() {
        return threads;
    }

    /** Whether the Gumbel noise runs in Vector API lanes (the JVM runs with jdk.incubator.vector). */
    public static boolean vectorized() {
        return GumbelNoise.BEST.vectorized();
    }

    /**
     * Whether this path can work on {@code matrix} in place: a dense, row-major {@code [groups, M]} FLOAT matrix that
     * owns its whole host buffer and fits Java's int-indexed buffers.
     */
    public boolean supports(INDArray matrix) {
        return matrix.dataType() == DataType.FLOAT && matrix.rank() == 2 && matrix.size(1) == pattern.m()
                && matrix.ordering() == 'c' && Shape.hasDefaultStridesForShape(matrix) && !matrix.isView()
                && matrix.length() == matrix.data().length() && matrix.length() <= Integer.MAX_VALUE;
    }

    /** Draws a Gumbel-top-N mask from {@code logits} into {@code mask} (0/1 FLOAT, exactly N ones per group). */
    public void sample(INDArray logits, long seed, INDArray mask) {
        step(logits, null, 0, 0, seed, mask);
    }

    /**
     * logits ← logits − scale·∇ log P(mask); then each group is shifted so its largest logit is 0 and clamped at
     * −{@code logitRange}, with the rounding of the reference path (gradient in double, rounded to float before the
     * subtraction).
     *
     * @param mask a strict mask (as {@link #sample} writes it); not checked
     */
    public void ascend(INDArray logits, INDArray mask, double scale, double logitRange) {
        step(logits, mask, scale, logitRange, 0, null);
    }

    /**
     * {@link #ascend} then {@link #sample} in one pass over the groups. {@code nextMask} may be {@code mask} itself.
     *
     * @param mask may be null for no update
     */
    public void ascendAndSample(INDArray logits, INDArray mask, double scale, double logitRange, long seed,
            INDArray nextMask) {
        step(logits, mask, scale, logitRange, seed, nextMask);
    }

    /** Groups in which {@code a} and {@code b} keep different positions. */
    public long changedGroups(INDArray a, INDArray b) {
        require(a, "mask");
        require(b, "reference mask");
        FloatBuffer x = a.data().asNioFloat();
        FloatBuffer y = b.data().asNioFloat();
        int m = pattern.m();
        long groups = a.size(0);
        long[] perChunk = new long[chunks(groups)];
        forEachChunk(groups, (chunk, first, count) -> {
            float[] rowsA = new float[count * m];
            float[] rowsB = new float[count * m];
            x.get(first * m, rowsA);
            y.get(first * m, rowsB);
            long changed = 0;
            for (int g = 0; g < count; g++) {
                for (int j = g * m; j < (g + 1) * m; j++) {
                    if (rowsA[j] != rowsB[j]) {
                        changed++;
                        break;
                    }
                }
            }
            perChunk[chunk] = changed;
        });
        long total = 0;
        for (long c : perChunk) {
            total += c;
        }
        return total;
    }

    private void step(INDArray logits, INDArray mask, double scale, double logitRange, long seed, INDArray nextMask) {
        require(logits, "logits");
        long groups = logits.size(0);
        boolean update = mask != null && scale != 0;
        if (update) {
            require(mask, "mask");
            requireGroups(mask, groups);
            if (!(logitRange > 0)) {
                throw new IllegalArgumentException("Logit range must be positive, got " + logitRange);
            }
        }
        if (nextMask != null) {
            require(nextMask, "output mask");
            requireGroups(nextMask, groups);
        }
        FloatBuffer logitBuffer = logits.data().asNioFloat();
        FloatBuffer maskBuffer = update ? mask.data().asNioFloat() : null;
        FloatBuffer nextBuffer = nextMask == null ? null : nextMask.data().asNioFloat();
        float range = (float) -logitRange;
        int n = pattern.n();
        int m = pattern.m();
        forEachChunk(groups, (chunk, first, count) -> {
            float[] x = new float[count * m];
            logitBuffer.get(first * m, x);
            if (update) {
                float[] kept = new float[count * m];
                maskBuffer.get(first * m, kept);
                GroupGradient gradient = new GroupGradient(pattern);
                int[] positions = new int[n];
                for (int g = 0; g < count; g++) {
                    int o = g * m;
                    keptPositions(kept, o, positions);
                    requireFinite(x, o, first + g);
                    if (!gradient.compute(x, o, positions)) {
                        throw new IllegalArgumentException("Subset probability of pattern " + pattern + " for group "
                                + (first + g) + " is not representable in double; keep the logit range within a group"
                                + " well below 700");
                    }
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < m; j++) {
                        x[o + j] -= (float) (gradient.grad[j] * scale);
                        max = Math.max(max, x[o + j]);
                    }
                    for (int j = 0; j < m; j++) {
                        x[o + j] = Math.max(x[o + j] - max, range);
                    }
                }
                logitBuffer.put(first * m, x);
            }
            if (nextBuffer != null) {
                float[] drawn = new float[count * m];
                drawTopN(x, drawn, count, GumbelTopN.derive(seed, chunk));
                nextBuffer.put(first * m, drawn);
            }
        });
    }

    /** Gumbel keys x + G, G = −log(−log u), and the N largest per group (ties to the lower index, as {@link TopN}). */
    private void drawTopN(float[] x, float[] drawn, int count, long chunkSeed) {
        double[] noise = new double[count * pattern.m()];
        long state = chunkSeed;
        for (int i = 0; i < noise.length; i++) {
            state += GOLDEN_GAMMA;
            noise[i] = ((GumbelTopN.mix(state) >>> 11) + 0.5) * 0x1.0p-53;
        }
        selectWithUniforms(x, noise, pattern.n(), pattern.m(), drawn);
    }

    /**
     * The draw of {@link #sample} from given uniforms (one per logit), which it overwrites with their Gumbel noise;
     * package-private so tests can feed ND4J's uniforms.
     */
    static void selectWithUniforms(float[] logits, double[] uniforms, int n, int m, float[] drawn) {
        GumbelNoise.BEST.transform(uniforms, logits.length);
        double[] keys = new double[m];
        for (int o = 0; o < logits.length; o += m) {
            for (int j = 0; j < m; j++) {
                keys[j] = logits[o + j] + uniforms[o + j];
            }
            selectTopN(keys, n, drawn, o);
        }
    }

    private static void selectTopN(double[] keys, int n, float[] drawn, int o) {
        int m = keys.length;
        for (int k = 0; k < n; k++) {
            int best = -1;
            double bestKey = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                if (drawn[o + j] == 0 && (best < 0 || keys[j] > bestKey)) {
                    best = j;
                    bestKey = keys[j];
                }
            }
            drawn[o + best] = 1;
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

    private void requireFinite(float[] x, int o, long group) {
        for (int j = 0; j < pattern.m(); j++) {
            if (!Float.isFinite(x[o + j])) {
                throw new IllegalArgumentException("Logits must be finite: group " + group
                        + " holds NaN or infinity; check the policy update that produced these logits");
            }
        }
    }

    /** Work on groups [first, first + count) of chunk {@code chunk}. */
    private interface ChunkTask {
        void run(int chunk, int first, int count);
    }

    private static int chunks(long groups) {
        return (int) ((groups + CHUNK_GROUPS - 1) / CHUNK_GROUPS);
    }

    private void forEachChunk(long groups, ChunkTask task) {
        int chunks = chunks(groups);
        IntStream ids = IntStream.range(0, chunks);
        Runnable all = () -> (pool == null ? ids : ids.parallel()).forEach(c -> {
            int first = c * CHUNK_GROUPS;
            task.run(c, first, (int) Math.min(CHUNK_GROUPS, groups - first));
        });
        if (pool == null || chunks == 1) {
            all.run();
        } else {
            pool.submit(all).join();
        }
    }

    private void require(INDArray matrix, String what) {
        if (!supports(matrix)) {
            throw new IllegalArgumentException("The fused kernel needs " + what + " as a dense row-major [groups, "
                    + pattern.m() + "] FLOAT matrix owning its buffer, got " + matrix.dataType() + " "
                    + Arrays.toString(matrix.shape()) + (matrix.isView() ? " (a view)" : "")
                    + ": use the ND4J path (SubsetLogProb, GumbelTopN) for other arrays");
        }
    }

    private static void requireGroups(INDArray matrix, long groups) {
        if (matrix.size(0) != groups) {
            throw new IllegalArgumentException("The mask has " + matrix.size(0) + " groups but the logits have "
                    + groups);
        }
    }
}
