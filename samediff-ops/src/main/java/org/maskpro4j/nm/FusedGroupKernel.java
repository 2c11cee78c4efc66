package org.maskpro4j.nm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * The CPU fast path of a MaskPro policy step: one pass over FLOAT logits that applies the exact log-probability
 * gradient of the last mask (what {@link SubsetLogProb} computes), shifts and clamps each group as the policy does,
 * and draws the next mask from the same distribution as {@link GumbelTopN#sample}, without intermediate ND4J arrays.
 * Plain Java over the arrays' buffers, so it runs where the buffers live in host memory: the CPU backend. The ND4J
 * implementation stays the backend-neutral path and the reference this one is tested against.
 *
 * <p>Groups are processed in chunks of {@value #CHUNK_GROUPS}, in parallel; within a chunk the math runs with one
 * group per SIMD lane where the JVM has the Vector API, else group by group ({@link ChunkMath}). Each chunk draws its
 * uniforms from its own counter-based SplitMix64 stream seeded with {@code GumbelTopN.derive(seed, chunk)}, so a mask
 * depends on the seed only, never on the thread count. The draw is the exponential race, which keeps the largest
 * Gumbel keys of the same uniforms: given ND4J's uniforms it keeps what {@link GumbelTopN#sample} keeps, but the
 * streams differ, so for one seed the two paths draw different masks from the same distribution. At 2:4 the draw is
 * sequential by inverse CDF, again the same distribution (see {@link ChunkMath}).
 *
 * <p>The matrix entries take masks as BYTE 0/1 matrices, one byte per position, as the library hands masks out
 * ({@code weights/ByteMasks}): a FLOAT per 0/1 position would be four times the memory for nothing, and the step reads
 * the last mask and writes the next one once each per call. At M = 4 the bytes move straight between the buffers and
 * the kernel's rows in lanes; elsewhere a chunk's bytes are widened to floats and the drawn floats narrowed back.
 */
public final class FusedGroupKernel {
    /** Groups per chunk: fixed, so which uniforms a group gets does not depend on how chunks are spread on threads. */
    public static final int CHUNK_GROUPS = 4096;
    /** One pool per thread count, shared by all kernels: a policy is built per run, sweep candidate and test. */
    private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private final NmPattern pattern;
    private final int threads;
    private final ForkJoinPool pool;
    private final ChunkMath math;
    /** Per thread: a whole chunk's logits, mask and drawn mask, so a step allocates nothing per chunk. */
    private final ThreadLocal<float[][]> chunkBuffers;
    /** Per thread: a whole chunk's mask bytes on their way to or from floats. */
    private final ThreadLocal<byte[]> chunkBytes;

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
        this.math = ChunkMath.best(pattern);
        this.chunkBuffers = ThreadLocal.withInitial(() -> new float[3][CHUNK_GROUPS * pattern.m()]);
        this.chunkBytes = ThreadLocal.withInitial(() -> new byte[CHUNK_GROUPS * pattern.m()]);
    }

    public NmPattern pattern() {
        return pattern;
    }

    public int threads() {
        return threads;
    }

    /** Whether groups run in Vector API lanes (the JVM runs with jdk.incubator.vector), else one by one. */
    public static boolean vectorized() {
        return ChunkMath.best(NmPattern.of(2, 4)).vectorized();
    }

    /**
     * Whether this path can work on {@code logits} in place: a dense, row-major {@code [groups, M]} FLOAT matrix that
     * owns its whole host buffer and fits Java's int-indexed buffers. Masks are the same but BYTE.
     */
    public boolean supports(INDArray logits) {
        return supports(logits, DataType.FLOAT);
    }

    private boolean supports(INDArray matrix, DataType type) {
        return matrix.dataType() == type && matrix.rank() == 2 && matrix.size(1) == pattern.m()
                && matrix.ordering() == 'c' && Shape.hasDefaultStridesForShape(matrix) && !matrix.isView()
                && matrix.length() == matrix.data().length() && matrix.length() <= Integer.MAX_VALUE;
    }

    /** Draws a Gumbel-top-N mask from {@code logits} into {@code mask} (0/1 BYTE, exactly N ones per group). */
    public void sample(INDArray logits, long seed, INDArray mask) {
        step(logits, null, 0, 0, seed, mask);
    }

    /**
     * logits ← logits − scale·∇ log P(mask); then each group is shifted so its largest logit is 0 and clamped at
     * −{@code logitRange}, with the rounding of the reference path (gradient in double, rounded to float before the
     * subtraction).
     *
     * @param mask a strict BYTE mask (as {@link #sample} writes it); not checked
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

    /**
     * {@link #ascendAndSample} on one chunk held in plain arrays, for callers that store the logits in another format
     * and decode them a chunk at a time: it computes and draws exactly what {@link #ascendAndSample} does for groups
     * {@code [chunk·CHUNK_GROUPS, chunk·CHUNK_GROUPS + count)} of a matrix with the same seed. Runs on the calling
     * thread.
     *
     * @param logits   {@code count·M} logits, row-major groups; updated in place when {@code mask} is not null
     * @param mask     the last mask (strict, not checked), or null for no update
     * @param nextMask receives the drawn mask ({@code count·M} 0/1 values), or null for no draw
     * @param count    groups in this chunk: {@link #CHUNK_GROUPS}, or fewer for the last chunk
     */
    public void ascendAndSampleChunk(int chunk, float[] logits, float[] mask, double scale, double logitRange, long seed,
            float[] nextMask, int count) {
        int length = count * pattern.m();
        if (chunk < 0 || count < 1 || count > CHUNK_GROUPS || logits.length < length
                || (mask != null && mask.length < length) || (nextMask != null && nextMask.length < length)) {
            throw new IllegalArgumentException("Chunk " + chunk + " of " + count + " groups needs non-negative chunk,"
                    + " 1.." + CHUNK_GROUPS + " groups and arrays of at least " + length + " floats");
        }
        boolean update = mask != null && scale != 0;
        if (update && !(logitRange > 0)) {
            throw new IllegalArgumentException("Logit range must be positive, got " + logitRange);
        }
        stepChunk(chunk, logits, update ? mask : null, scale, (float) logitRange, seed, nextMask, count);
    }

    /** Groups of one call of {@link ChunkRows}: four rows of this many lanes, row j from lane {@code j·ROW_GROUPS}. */
    public static final int ROW_GROUPS = 256;

    /**
     * A chunk's logits and masks kept in another form (the policy's one-byte codes, its masks as bits) and handed to
     * {@link #ascendAndSampleRows} as the kernel's own rows, position-major: {@code rows[j·ROW_GROUPS + g]} is position
     * j of group {@code from + g} of the chunk. Saves the moves between row-major groups and rows on either side.
     */
    public interface ChunkRows {
        /** The logits of groups {@code from …} as they are stored now (after this call's stores) into {@code rows}. */
        void logits(int from, float[] rows);

        /** The mask of ascent {@code ascent} (0/1, strict) for groups {@code from …} into {@code rows}. */
        void kept(int ascent, int from, float[] rows);

        /** Stores the logits after ascent {@code ascent} from {@code rows}, and leaves there what is now stored. */
        void store(int ascent, int from, float[] rows);

        /** The drawn mask (0/1) of groups {@code from …} from {@code rows}. */
        void drawn(int from, float[] rows);

        /**
         * Whether {@link #logits} and {@link #store} always leave each group shifted to its largest at exactly +0 and
         * none below −logitRange (as the update leaves them), so the draw need not shift them again.
         */
        default boolean shifted() {
            return false;
        }
    }

    /** Whether {@link #ascendAndSampleRows} runs for this pattern on this JVM (M = 4 in 16 float lanes). */
    public boolean stepsRows() {
        return math.stepsRows();
    }

    /**
     * {@link #ascendAndSampleChunk} for logits held elsewhere, on position-major rows of {@value #ROW_GROUPS} groups:
     * each block's logits come from {@code rows.logits}, ascend along each mask {@code rows.kept} gives with its scale
     * (each result handed to {@code rows.store}, which may round it), and, with {@code draw}, are drawn from into
     * {@code rows.drawn}. The same bits as {@link #ascendAndSampleChunk} called once per ascent, rounding between the
     * calls as {@code store} does, then once to draw. Runs on the calling thread; only where {@link #stepsRows}.
     *
     * @param count groups in this chunk, a multiple of {@value #ROW_GROUPS}
     */
    public void ascendAndSampleRows(int chunk, int count, double[] scales, double logitRange, long seed, boolean draw,
            ChunkRows rows) {
        if (!math.stepsRows()) {
            throw new IllegalStateException("Rows are stepped at M = 4 with 16 float lanes only: use ascendAndSampleChunk");
        }
        if (chunk < 0 || count < ROW_GROUPS || count > CHUNK_GROUPS || count % ROW_GROUPS != 0) {
            throw new IllegalArgumentException("Chunk " + chunk + " of " + count + " groups needs non-negative chunk and"
                    + " a multiple of " + ROW_GROUPS + " groups up to " + CHUNK_GROUPS);
        }
        for (double scale : scales) {
            if (scale == 0 || !(logitRange > 0)) {
                throw new IllegalArgumentException("Rows ascend with non-zero scales and a positive logit range, got "
                        + scale + " and " + logitRange);
            }
        }
        math.stepRows(Objects.requireNonNull(rows, "rows"), scales.clone(), (float) logitRange,
                GumbelTopN.derive(seed, chunk), draw, count, (long) chunk * CHUNK_GROUPS);
    }

    private void stepChunk(int chunk, float[] x, float[] kept, double scale, float range, long seed, float[] drawn,
            int count) {
        math.step(x, kept, scale, range, GumbelTopN.derive(seed, chunk), drawn, count, (long) chunk * CHUNK_GROUPS);
    }

    /** Groups in which the BYTE masks {@code a} and {@code b} keep different positions. */
    public long changedGroups(INDArray a, INDArray b) {
        requireMask(a, "mask");
        requireMask(b, "reference mask");
        requireGroups(b, a.size(0));
        ByteBuffer x = a.data().asNio();
        ByteBuffer y = b.data().asNio();
        int m = pattern.m();
        long groups = a.size(0);
        long[] perChunk = new long[chunks(groups)];
        forEachChunk(groups, (chunk, first, count) -> {
            byte[] rowsA = new byte[count * m];
            byte[] rowsB = new byte[count * m];
            x.get(first * m, rowsA, 0, rowsA.length);
            y.get(first * m, rowsB, 0, rowsB.length);
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
            requireMask(mask, "mask");
            requireGroups(mask, groups);
            if (!(logitRange > 0)) {
                throw new IllegalArgumentException("Logit range must be positive, got " + logitRange);
            }
        }
        if (nextMask != null) {
            requireMask(nextMask, "output mask");
            requireGroups(nextMask, groups);
        }
        if (math.readsBuffers() && (long) logits.length() * Float.BYTES <= Integer.MAX_VALUE) {
            stepOnBuffers(logits, update ? mask : null, scale, logitRange, seed, nextMask);
            return;
        }
        FloatBuffer logitBuffer = logits.data().asNioFloat();
        ByteBuffer maskBuffer = update ? mask.data().asNio() : null;
        ByteBuffer nextBuffer = nextMask == null ? null : nextMask.data().asNio();
        float range = (float) logitRange;
        int m = pattern.m();
        forEachChunk(groups, (chunk, first, count) -> {
            float[][] buffers = chunkBuffers.get();
            float[] x = count == CHUNK_GROUPS ? buffers[0] : new float[count * m];
            logitBuffer.get(first * m, x);
            byte[] bytes = chunkBytes.get();
            float[] kept = null;
            if (update) {
                kept = count == CHUNK_GROUPS ? buffers[1] : new float[count * m];
                ChunkMath.widen(maskBuffer, first * m, bytes, kept, 0, count * m);
            }
            float[] drawn = nextBuffer == null ? null : count == CHUNK_GROUPS ? buffers[2] : new float[count * m];
            stepChunk(chunk, x, kept, scale, range, seed, drawn, count);
            if (update) {
                logitBuffer.put(first * m, x);
            }
            if (drawn != null) {
                ChunkMath.narrow(drawn, 0, bytes, nextBuffer, first * m, count * m);
            }
        });
    }

    /** {@link #step} in the matrices' own buffers, with no chunk copies, where the chunk math reads them. */
    private void stepOnBuffers(INDArray logits, INDArray mask, double scale, double logitRange, long seed,
            INDArray nextMask) {
        ByteBuffer x = bytes(logits);
        ByteBuffer kept = mask == null ? null : bytes(mask);
        ByteBuffer drawn = nextMask == null ? null : bytes(nextMask);
        float range = (float) logitRange;
        forEachChunk(logits.size(0), (chunk, first, count) -> math.step(x, kept, scale, range,
                GumbelTopN.derive(seed, chunk), drawn, count, first));
    }

    private static ByteBuffer bytes(INDArray matrix) {
        return matrix.data().asNio().duplicate().order(ByteOrder.nativeOrder());
    }

    /** Work on groups [first, first + count) of chunk {@code chunk}. */
    private interface ChunkTask {
        void run(int chunk, int first, int count);
    }

    private static int chunks(long groups) {
        return (int) ((groups + CHUNK_GROUPS - 1) / CHUNK_GROUPS);
    }

    private void forEachChunk(long groups, ChunkTask task) {
        forEach(chunks(groups), c -> {
            int first = c * CHUNK_GROUPS;
            task.run(c, first, (int) Math.min(CHUNK_GROUPS, groups - first));
        });
    }

    /**
     * Runs {@code task} for every index in [0, count) on this kernel's threads (the calling thread alone when it has
     * one), for callers that run their own passes chunk by chunk around {@link #ascendAndSampleChunk}. Returns when
     * all are done; which thread runs an index must not change a result.
     */
    public void forEach(int count, IntConsumer task) {
        IntStream ids = IntStream.range(0, count);
        if (pool == null || count == 1) {
            ids.forEach(task);
        } else {
            pool.submit(() -> ids.parallel().forEach(task)).join();
        }
    }

    private void require(INDArray logits, String what) {
        require(logits, what, DataType.FLOAT);
    }

    private void requireMask(INDArray mask, String what) {
        require(mask, what, DataType.BYTE);
    }

    private void require(INDArray matrix, String what, DataType type) {
        if (!supports(matrix, type)) {
            throw new IllegalArgumentException("The fused kernel needs " + what + " as a dense row-major [groups, "
                    + pattern.m() + "] " + type + " matrix owning its buffer, got " + matrix.dataType() + " "
                    + Arrays.toString(matrix.shape()) + (matrix.isView() ? " (a view)" : "")
                    + (type == DataType.BYTE ? " (masks: castTo(DataType.BYTE))" : "")
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
