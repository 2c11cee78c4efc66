package org.maskpro4j.maskpro;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntConsumer;

import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.SubsetLogProb;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.GroupRows;
import org.maskpro4j.weights.KeptSets;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * MaskPro's policy: one softmax over the M positions of every group of every maskable weight. All groups of
 * all weights live in one {@code [groups, M]} logits matrix, so sampling and the exact gradient are a few ND4J
 * ops per step whatever the number of layers; each weight owns a contiguous block of rows.
 *
 * <p>On the CPU backend, sampling, the update and the changed share run in {@link FusedGroupKernel} (plain Java over
 * the buffers, one pass, all cores); elsewhere, or with {@code -D}{@value #KERNEL_PROPERTY}{@code =reference}, in the
 * ND4J ops of {@link GumbelTopN} and {@link SubsetLogProb}. Both give the same update for the same mask (to float
 * rounding) and draw masks from the same distribution, but from different random streams: for one seed the two paths
 * draw different masks, so a run is reproducible on one path, not across them.
 *
 * <p>The state is compact: logits in one-byte {@link Logit8} codes, rounded stochastically, with each group's maximum
 * implicit ({@code -D}{@value #LOGITS_PROPERTY}{@code =half} keeps 16-bit halves, {@link Float16}, {@code =float}
 * FLOATs; bytes and halves learn masks of the same quality on the LLaMA, docs/benchmarks.md), the prior as the packed
 * combination ranks of its groups ({@link KeptSets}: 3 bits per 2:4 group), and the drawn masks as bits until their
 * ascent. The fused kernel works on FLOATs, so the fast path decodes one kernel chunk at a time into per-thread arrays,
 * runs the kernel there ({@link FusedGroupKernel#ascendAndSampleChunk}) and encodes back; bytes at M = 4 are decoded
 * straight into the kernel's position-major rows instead, ascended, encoded and drawn from there
 * ({@link FusedGroupKernel#ascendAndSampleRows}, the same bits); chunks are grouped in blocks of
 * {@value #BLOCK_CHUNKS} and block b draws with seed {@code GumbelTopN.derive(seed, b)}, so masks depend on the seed
 * only, never on the thread count. An update is applied in the same pass as the next draw. The reference path decodes
 * the logits to FLOAT, runs the ND4J ops and encodes back (ND4J's HALF cast rounds as {@link Float16} does).
 */
public final class MaskPolicy {
    /** Logits are clamped at minus this after each update (see {@link #ascend}). */
    public static final double LOGIT_RANGE = 60;
    /** System property choosing the per-group math: {@code fused} (the default on the CPU backend) or {@code reference}. */
    public static final String KERNEL_PROPERTY = "maskpro.policy.kernel";
    /** System property: threads of the fused kernel (default: all processors). Masks do not depend on it. */
    public static final String THREADS_PROPERTY = "maskpro.policy.threads";

    /**
     * System property choosing how logits are stored: {@code byte} (the default, {@link Logit8}: 0.8125 bytes each at
     * 2:4), {@code half} (2 bytes) or {@code float}.
     */
    public static final String LOGITS_PROPERTY = "maskpro.policy.logits";
    /**
     * System property: {@code true} makes the fused path's passes move chunks through row-major arrays even where the
     * kernel's rows would do ({@link #inRows}); the same bits, for tests that compare the two.
     */
    static final String CHUNK_ARRAYS_PROPERTY = "maskpro.policy.chunkArrays";
    /** Kernel chunks per block: block b draws with seed {@code derive(seed, b)}. */
    static final int BLOCK_CHUNKS = 16;

    private final NmPattern pattern;
    private final GroupRows rows;
    private final INDArray logits;
    private final KeptSets prior;
    /** The CPU fast path, or null where the ND4J ops run. */
    private final FusedGroupKernel kernel;
    /**
     * Fused path: ascents not yet applied to {@link #logits}. The next draw applies them in its own pass over the logits
     * (the update of step t and the draw of step t + 1 read and write the logits once), and anything that reads the
     * logits applies them first ({@link #flush}).
     */
    private final List<Ascent> pending = new ArrayList<>();
    /** Pending ascents that make a pass of their own even before a draw. */
    private static final int MAX_PENDING = 8;
    private final ThreadLocal<ChunkBuffers> chunkBuffers;

    private MaskPolicy(NmPattern pattern, List<MaskableWeight> weights, INDArray logits, KeptSets prior) {
        this.pattern = pattern;
        this.rows = new GroupRows(pattern, weights, "the policy uses");
        if (prior.groups() != rows.count() || !prior.pattern().equals(pattern)) {
            throw new IllegalArgumentException("Policy prior mask has " + prior.groups() + " groups of " + prior.pattern()
                    + ", expected " + rows.count() + " of " + pattern);
        }
        this.logits = logits;
        this.prior = prior;
        this.kernel = fusedKernel(pattern);
        this.chunkBuffers = ThreadLocal.withInitial(() -> new ChunkBuffers(pattern.m(), logits.dataType()));
    }

    /**
     * The type logits are stored in: BYTE codes of {@link Logit8} unless {@value #LOGITS_PROPERTY} says {@code half}
     * (HALF) or {@code float} (FLOAT).
     */
    static DataType logitType() {
        String choice = System.getProperty(LOGITS_PROPERTY, "byte");
        return switch (choice) {
            case "half" -> DataType.HALF;
            case "float" -> DataType.FLOAT;
            case "byte" -> DataType.BYTE;
            default -> throw new IllegalArgumentException("-D" + LOGITS_PROPERTY + " must be 'half', 'float' or 'byte',"
                    + " got '" + choice + "'");
        };
    }

    /** Uninitialized storage for the logits of {@code groups} groups of {@code m}, in the type {@link #logitType} chooses. */
    private static INDArray allocate(long groups, int m) {
        DataType type = logitType();
        return type == DataType.BYTE ? Nd4j.createUninitialized(DataType.BYTE, Logit8.bytes(groups, m))
                : Nd4j.createUninitialized(type, groups, m);
    }

    /** Reads FLOAT logits of groups {@code first …} ({@code count·M} values, row-major) into {@code out}. */
    private interface FloatRows {
        void read(long first, int count, float[] out);
    }

    /**
     * Stores all logits from {@code source} one kernel chunk at a time (bytes rounded with {@code salt}), so no FLOAT
     * copy of the whole matrix is ever made: at 7 B weights one would be 28 GB.
     */
    private void storeAll(FloatRows source, long salt) {
        Stored stored = new Stored();
        int chunk = FusedGroupKernel.CHUNK_GROUPS;
        float[] x = new float[chunk * pattern.m()];
        Codes codes = new Codes(chunk, pattern.m(), logits.dataType());
        for (long first = 0; first < groupCount(); first += chunk) {
            int count = (int) Math.min(chunk, groupCount() - first);
            source.read(first, count, x);
            stored.round(first, count, x, codes, salt, false);
            stored.write(first, count, x, codes);
        }
    }

    /** Stores a FLOAT-valued {@code [groups, M]} matrix as the logits (bytes rounded with {@code salt}). */
    private void storeAll(INDArray values, long salt) {
        requireShape(values, "logits");
        INDArray readable = MaskBits.readable(values);
        storeAll((first, count, out) -> MaskBits.readRows(readable, first, count, out), salt);
    }

    /** The logits as a new FLOAT matrix (halves or {@link Logit8} codes decoded). */
    private INDArray floatLogits() {
        return floatLogits(0, (int) groupCount());
    }

    /** Logits of groups {@code first …} as a new FLOAT {@code [count, M]} matrix. */
    private INDArray floatLogits(long first, int count) {
        float[] x = new float[count * pattern.m()];
        readLogitsFrom(first, count, x);
        return Nd4j.create(x, new long[] {count, pattern.m()}, 'c');
    }

    /** {@link #readLogits} from any group: byte codes are read from a multiple of 8 groups ({@link Stored}). */
    private void readLogitsFrom(long first, int count, float[] out) {
        int m = pattern.m();
        long from = first & ~7L;
        int skip = (int) (first - from);
        if (skip == 0) {
            readLogits(first, count, out);
            return;
        }
        float[] x = new float[(skip + count) * m];
        readLogits(from, skip + count, x);
        System.arraycopy(x, skip * m, out, 0, count * m);
    }

    private static FusedGroupKernel fusedKernel(NmPattern pattern) {
        String choice = System.getProperty(KERNEL_PROPERTY, "fused");
        if (!choice.equals("fused") && !choice.equals("reference")) {
            throw new IllegalArgumentException("-D" + KERNEL_PROPERTY + " must be 'fused' or 'reference', got '"
                    + choice + "'");
        }
        if (!choice.equals("fused") || !Nd4j.getEnvironment().isCPU()) {
            return null;
        }
        String threads = System.getProperty(THREADS_PROPERTY, String.valueOf(Runtime.getRuntime().availableProcessors()));
        try {
            return new FusedGroupKernel(pattern, Integer.parseInt(threads.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be a positive whole number, got '"
                    + threads + "'");
        }
    }

    /** Whether sampling and updates run in the fused CPU kernel (else in ND4J ops). */
    public boolean fused() {
        return kernel != null && logits.ordering() == 'c' && !logits.isView() && logits.length() == logits.data().length();
    }

    /** Logits C·m₀: the prior's kept positions get C, the others 0 (maskpro-spec §1.7). */
    public static MaskPolicy fromPrior(NmPattern pattern, List<MaskableWeight> weights, Map<String, INDArray> priorMasks,
            double logitMagnitude) {
        GroupRows rows = new GroupRows(pattern, weights, "the policy uses");
        KeptSets prior = new KeptSets(rows.count(), pattern);
        long first = 0;
        for (int i = 0; i < weights.size(); i++) {
            MaskableWeight w = weights.get(i);
            MaskBits mask = PackedMasks.bitsOf(w, priorMasks); // a packed prior is read without decoding it
            if (mask != null && (mask.groups() != rows.count(i) || mask.m() != pattern.m())) {
                throw new IllegalArgumentException("The prior mask of weight '" + w.name() + "' has shape [" + mask.groups()
                        + ", " + mask.m() + "], expected [" + rows.count(i) + ", " + pattern.m() + "]");
            }
            if (mask == null || !prior.read(mask, first)) {
                throw new IllegalArgumentException("The prior mask of weight '" + w.name() + "' is not a strict " + pattern
                        + " mask of 0s and 1s");
            }
            first += rows.count(i);
        }
        MaskPolicy policy = new MaskPolicy(pattern, weights, allocate(rows.count(), pattern.m()), prior);
        float c = (float) logitMagnitude;
        policy.storeAll((from, count, out) -> {
            prior.readFloats(from, count, out);
            for (int i = 0; i < count * pattern.m(); i++) {
                out[i] *= c;
            }
        }, 0);
        return policy;
    }

    /** Restores a policy from checkpointed arrays. */
    static MaskPolicy restore(NmPattern pattern, List<MaskableWeight> weights, INDArray logits, INDArray prior) {
        KeptSets sets = KeptSets.of(prior, pattern);
        MaskPolicy policy = new MaskPolicy(pattern, weights, allocate(sets.groups(), pattern.m()), sets);
        policy.storeAll(logits, 0);
        return policy;
    }

    private void requireShape(INDArray a, String what) {
        if (a.rank() != 2 || a.size(0) != rows.count() || a.size(1) != pattern.m()) {
            throw new IllegalArgumentException("Policy " + what + " has shape " + java.util.Arrays.toString(a.shape())
                    + ", expected [" + rows.count() + ", " + pattern.m() + "]");
        }
    }

    public NmPattern pattern() {
        return pattern;
    }

    public List<MaskableWeight> weights() {
        return rows.weights();
    }

    public long groupCount() {
        return rows.count();
    }

    /**
     * The live logits matrix (policy state), with every ascent so far applied; where they are stored as {@link Logit8}
     * bytes, a FLOAT copy of them decoded.
     */
    public INDArray logits() {
        flush();
        return logits.dataType() == DataType.BYTE ? floatLogits() : logits;
    }

    /** A fresh BYTE 0/1 copy of the prior mask m₀. */
    public INDArray priorMask() {
        return prior.toMask(ByteMasks.TYPE);
    }

    /** Bytes of the policy's own state per group position: the logits and the prior's ranks. */
    public double stateBytesPerWeight() {
        double positions = groupCount() * (double) pattern.m();
        return (logits.length() * (double) logits.dataType().width() + prior.bytes()) / positions;
    }

    /** A BYTE 0/1 mask drawn from the policy (Gumbel-top-N): {@link #draw} as an array. */
    public INDArray sample(long seed) {
        return draw(seed).toMask(ByteMasks.TYPE);
    }

    /**
     * A mask drawn from the policy (Gumbel-top-N) as bits, 1/8 byte per position: what a step applies, compares with the
     * prior and ascends along, with no array of it. The same seed gives the same mask.
     */
    public MaskBits draw(long seed) {
        if (!fused()) {
            return MaskBits.of(GumbelTopN.sample(floatLogits(), pattern, seed));
        }
        MaskBits drawn = new MaskBits(groupCount(), pattern.m()); // every chunk writes its words
        pass(seed, drawn);
        return drawn;
    }

    /**
     * The final mask (BYTE 0/1, a quarter of a FLOAT mask): the top-N logits of every group, ties to the lower index as
     * {@link TopN}. The fused path ranks block by block from the stored logits instead of casting them all to FLOAT.
     */
    public INDArray mode() {
        if (!fused()) {
            return TopN.mask(floatLogits(), pattern).castTo(DataType.BYTE);
        }
        flush();
        return modeRows(0, groupCount()).toMask(DataType.BYTE);
    }

    /**
     * {@link #mode} per weight, keyed by name as {@link #split} gives it, packed as bits ({@link PackedMasks}: a run's
     * result costs 1/8 byte per position while it is held), without a mask of all weights beside them.
     */
    public PackedMasks modeMasks() {
        if (!fused()) {
            return PackedMasks.of(split(mode()));
        }
        flush();
        Map<String, MaskBits> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rows.weights().size(); i++) {
            out.put(rows.weights().get(i).name(), modeRows(rows.first(i), rows.count(i)));
        }
        return PackedMasks.ofBits(out);
    }

    /** The top-N mask of groups {@code first …first + count − 1} as bits, ranked a block at a time. */
    private MaskBits modeRows(long first, long count) {
        int m = pattern.m();
        MaskBits mode = new MaskBits(count, m);
        // a kernel chunk at a time: a block of a draw's size held 3.3 MB of floats, doubles and codes at once, the
        // peak of a whole MaskPro run's heap on the 6.3 M MLP (the ranking is per group, so the size changes no bit)
        int block = (int) Math.min(FusedGroupKernel.CHUNK_GROUPS, count);
        float[] x = new float[block * m];
        double[] wide = new double[block * m]; // KeptSets ranks doubles; floats widen exactly, so the ranks are theirs
        for (long at = 0; at < count; at += block) {
            int n = (int) Math.min(block, count - at);
            readLogitsFrom(first + at, n, x);
            for (int i = 0; i < n * m; i++) {
                wide[i] = x[i];
            }
            for (int g = 0; g < n; g++) {
                mode.set(at + g, KeptSets.largest(wide, g * m, m, pattern.n()));
            }
        }
        return mode;
    }

    /** Logits of groups {@code first …} as floats (halves or bytes decoded). */
    private void readLogits(long first, int count, float[] out) {
        new Stored().read(first, count, out, new Codes(count, pattern.m(), logits.dataType()));
    }

    /** Buffers of some groups' stored logits in their own type: halves, or {@link Logit8} codes and maxima. */
    private static final class Codes {
        final short[] halves;
        final byte[] bytes;
        final byte[] maxAt;

        Codes(int groups, int m, DataType type) {
            this.halves = type == DataType.HALF ? new short[groups * m] : null;
            this.bytes = type == DataType.BYTE ? new byte[groups * (m - 1)] : null;
            this.maxAt = type == DataType.BYTE ? new byte[Logit8.indexBytes(groups, m)] : null;
        }
    }

    /**
     * The logits' buffer in its stored type, read and written some groups at a time as FLOATs. Byte codes of group g
     * sit at {@code g·(M − 1)}, its maximum's position after all codes ({@link Logit8#bytes}); reads and writes start
     * at a group that is a multiple of 8, so no two of them share a byte of positions.
     */
    private final class Stored {
        private final DataType type = logits.dataType();
        private final int m = pattern.m();
        private final ShortBuffer halves = type == DataType.HALF
                ? logits.data().asNio().order(ByteOrder.nativeOrder()).asShortBuffer() : null;
        private final FloatBuffer floats = type == DataType.FLOAT ? logits.data().asNioFloat() : null;
        private final ByteBuffer bytes = type == DataType.BYTE ? logits.data().asNio() : null;
        private final int maxAtStart = (int) (groupCount() * (m - 1));
        private final int bits = Logit8.indexBits(m);

        void read(long first, int count, float[] out, Codes codes) {
            int n = count * m;
            switch (type) {
                case HALF -> {
                    halves.get((int) (first * m), codes.halves, 0, n);
                    Float16.decode(codes.halves, out, n);
                }
                case BYTE -> {
                    readCodes(first, count, codes);
                    Logit8.decode(codes.bytes, codes.maxAt, out, count, m);
                }
                default -> floats.get((int) (first * m), out, 0, n);
            }
        }

        /**
         * Rounds {@code values} into {@code codes} (salting byte rounding with {@code salt}); FLOATs are kept as they
         * are. With {@code reread}, {@code values} become what a read of the codes gives.
         */
        void round(long first, int count, float[] values, Codes codes, long salt, boolean reread) {
            switch (type) {
                case HALF -> {
                    Float16.encode(values, codes.halves, count * m);
                    if (reread) {
                        Float16.decode(codes.halves, values, count * m);
                    }
                }
                case BYTE -> {
                    if (reread) {
                        Logit8.encodeAndDecode(values, count, m, first, salt, codes.bytes, codes.maxAt);
                    } else {
                        Logit8.encode(values, count, m, first, salt, codes.bytes, codes.maxAt);
                    }
                }
                default -> {
                }
            }
        }

        void write(long first, int count, float[] values, Codes codes) {
            switch (type) {
                case HALF -> halves.put((int) (first * m), codes.halves, 0, count * m);
                case BYTE -> writeCodes(first, count, codes);
                default -> floats.put((int) (first * m), values, 0, count * m);
            }
        }

        /** The {@link Logit8} codes and maxima of groups {@code first …} as stored. */
        void readCodes(long first, int count, Codes codes) {
            bytes.get((int) (first * (m - 1)), codes.bytes, 0, count * (m - 1));
            bytes.get(maxAtStart + (int) (first * bits / 8), codes.maxAt, 0, Logit8.indexBytes(count, m));
        }

        void writeCodes(long first, int count, Codes codes) {
            bytes.put((int) (first * (m - 1)), codes.bytes, 0, count * (m - 1));
            bytes.put(maxAtStart + (int) (first * bits / 8), codes.maxAt, 0, Logit8.indexBytes(count, m));
        }
    }

    /**
     * logits ← logits − scale·∇ log P(mask), then each group is shifted so its largest logit is 0 and clamped at
     * −{@value #LOGIT_RANGE}. Softmax, sampling and top-N are invariant to the shift; the clamp only touches
     * positions whose probability is already below e^−60, and keeps the exact subset probability representable
     * in double however long a run goes.
     *
     * <p>On the fused path the ascent is recorded (the mask as bits, 1/8 byte per position) and applied by the next pass
     * over the logits: the next draw, or the next read of the logits.
     *
     * @param mask a mask {@link #sample} returned, hence strict: its strictness is not checked again
     */
    void ascend(INDArray mask, double scale) {
        ascend(bits(mask), scale);
    }

    /** A sampled mask's bits, checked to be {@code [groups, M]} 0/1. */
    MaskBits bits(INDArray mask) {
        requireShape(mask, "mask");
        MaskBits kept = MaskBits.ofBinary(mask, pattern.m());
        if (kept == null) {
            throw new IllegalArgumentException("A policy ascends along 0/1 masks only");
        }
        return kept;
    }

    /** {@link #ascend(INDArray, double)} along a drawn mask's bits. */
    void ascend(MaskBits kept, double scale) {
        if (kept.groups() != groupCount() || kept.m() != pattern.m()) {
            throw new IllegalArgumentException("Mask bits of " + kept.groups() + " groups of " + kept.m()
                    + ", expected " + groupCount() + " of " + pattern.m());
        }
        if (!fused()) {
            ascendReference(kept.toMask(DataType.FLOAT), scale);
        } else if (scale != 0) {
            pending.add(new Ascent(kept, scale));
            if (pending.size() >= MAX_PENDING) {
                flush(); // a replica replaying many steps without drawing holds a few masks' bits, not all
            }
        }
    }

    private void ascendReference(INDArray mask, double scale) {
        INDArray x = floatLogits();
        INDArray grad = SubsetLogProb.gradLogProbOfStrictMasks(x, mask.castTo(DataType.FLOAT), pattern);
        x.subi(grad.muli(scale).castTo(DataType.FLOAT));
        x.subiColumnVector(x.max(1).reshape(x.size(0), 1));
        Transforms.max(x, -LOGIT_RANGE, false);
        storeAll(x, salt(scale));
    }

    /**
     * The fused path's one pass over the logits, chunk by chunk: decode a chunk, apply the {@link #pending} ascents in
     * order, encode it back, and draw from it when {@code drawn} is given. Each ascent and the draw see the logits as
     * they are stored (halves rounded between them), so results are those of separate passes, bit for bit. Chunk c draws
     * as chunk {@code c mod }{@value #BLOCK_CHUNKS} of block {@code c / }{@value #BLOCK_CHUNKS} with that block's seed
     * {@code GumbelTopN.derive(seed, block)}, the streams the policy has always used.
     */
    private void pass(long seed, MaskBits drawn) {
        int m = pattern.m();
        long groups = groupCount();
        Stored stored = new Stored();
        Ascent[] ascents = pending.toArray(new Ascent[0]);
        int chunks = (int) ((groups + FusedGroupKernel.CHUNK_GROUPS - 1) / FusedGroupKernel.CHUNK_GROUPS);
        double[] scales = new double[ascents.length];
        for (int i = 0; i < ascents.length; i++) {
            scales[i] = ascents[i].scale();
        }
        boolean inRows = inRows();
        IntConsumer chunkPass = c -> {
            ChunkBuffers b = chunkBuffers.get();
            long first = (long) c * FusedGroupKernel.CHUNK_GROUPS;
            int count = (int) Math.min(FusedGroupKernel.CHUNK_GROUPS, groups - first);
            int local = c % BLOCK_CHUNKS;
            if (inRows && count % FusedGroupKernel.ROW_GROUPS == 0) {
                stored.readCodes(first, count, b.codes);
                b.rows.start(first, ascents, drawn);
                kernel.ascendAndSampleRows(local, count, scales, LOGIT_RANGE, GumbelTopN.derive(seed, c / BLOCK_CHUNKS),
                        drawn != null, b.rows);
                if (ascents.length > 0) {
                    stored.writeCodes(first, count, b.codes);
                }
                return;
            }
            stored.read(first, count, b.values, b.codes);
            for (int i = 0; i < ascents.length; i++) {
                ascents[i].kept().readFloats(first, count, b.mask);
                kernel.ascendAndSampleChunk(local, b.values, b.mask, ascents[i].scale(), LOGIT_RANGE, 0, null, count);
                boolean read = i + 1 < ascents.length || drawn != null; // the next ascent or the draw reads what is stored
                stored.round(first, count, b.values, b.codes, salt(ascents[i].scale()), read);
            }
            if (ascents.length > 0) {
                stored.write(first, count, b.values, b.codes);
            }
            if (drawn != null) {
                kernel.ascendAndSampleChunk(local, b.values, null, 0, 0, GumbelTopN.derive(seed, c / BLOCK_CHUNKS),
                        b.mask, count);
                drawn.writeFloats(first, count, b.mask); // a chunk's groups fill whole words of bits
            }
        };
        kernel.forEach(chunks, chunkPass);
        pending.clear();
    }

    /**
     * Whether {@link #pass} hands chunks to the kernel as rows ({@link FusedGroupKernel#ascendAndSampleRows}): byte
     * codes at M = 4 decoded straight into the kernel's rows, ascended, encoded and drawn from there, with no move to
     * row-major groups and back between the codec, the ascents and the draw. The same bits as the chunk arrays' path.
     */
    boolean inRows() {
        return logits.dataType() == DataType.BYTE && kernel.stepsRows() && Logit8.hasRowLanes()
                && !Boolean.getBoolean(CHUNK_ARRAYS_PROPERTY);
    }

    /** Applies the pending ascents now: everything that reads the logits calls this first. */
    private void flush() {
        if (!pending.isEmpty()) {
            pass(0, null);
        }
    }

    /** An ascent {@link #ascend} recorded on the fused path, applied by the next pass over the logits. */
    private record Ascent(MaskBits kept, double scale) {
    }

    /** Byte rounding's salt for an ascent: its scale, which a replica replaying the step and a resumed run share. */
    static long salt(double scale) {
        return Double.doubleToLongBits(scale);
    }

    /** One chunk's logits, stored codes and mask, per thread, so a pass allocates nothing per chunk. */
    private static final class ChunkBuffers {
        final float[] values;
        final float[] mask;
        final Codes codes;
        final CodeRows rows;

        ChunkBuffers(int m, DataType type) {
            int n = FusedGroupKernel.CHUNK_GROUPS * m;
            this.values = new float[n];
            this.mask = new float[n];
            this.codes = new Codes(FusedGroupKernel.CHUNK_GROUPS, m, type);
            this.rows = new CodeRows(codes);
        }
    }

    /**
     * A chunk's {@link Logit8} codes (read into {@link Codes} before the kernel runs, written back after it), its ascents'
     * masks and the drawn mask, as the kernel's rows ({@link FusedGroupKernel.ChunkRows}).
     */
    private static final class CodeRows implements FusedGroupKernel.ChunkRows {
        private final Logit8.Lanes lanes = Logit8.rowLanes();
        private final Codes codes;
        private long first;
        private Ascent[] ascents;
        private MaskBits drawn;

        CodeRows(Codes codes) {
            this.codes = codes;
        }

        /** Starts a chunk whose first group is {@code first}. */
        void start(long first, Ascent[] ascents, MaskBits drawn) {
            this.first = first;
            this.ascents = ascents;
            this.drawn = drawn;
        }

        @Override
        public void logits(int from, float[] rows) {
            lanes.decodeRows(codes.bytes, codes.maxAt, from, rows);
        }

        @Override
        public void kept(int ascent, int from, float[] rows) {
            lanes.bitsToRows(ascents[ascent].kept(), first + from, rows);
        }

        @Override
        public void store(int ascent, int from, float[] rows) {
            // the next ascent or the draw reads what is stored
            boolean decoded = ascent + 1 < ascents.length || drawn != null;
            lanes.encodeRows(rows, from, first, Logit8.mix(salt(ascents[ascent].scale())), codes.bytes, codes.maxAt,
                    decoded);
        }

        @Override
        public void drawn(int from, float[] rows) {
            lanes.rowsToBits(rows, drawn, first + from);
        }

        /** Decoded codes: each group's maximum is stored as +0, the others as levels in [−60, 0]. */
        @Override
        public boolean shifted() {
            return true;
        }
    }

    /** Share of groups whose 0/1 mask ({@code [groups, M]}, any numeric type) differs from the prior's. */
    public double changedFromPrior(INDArray mask) {
        requireShape(mask, "mask");
        return changedFromPrior(MaskBits.of(mask));
    }

    /** Share of groups whose mask, as bits ({@link #draw} gives them), differs from the prior's. */
    public double changedFromPrior(MaskBits mask) {
        return (double) prior.changedGroups(mask) / groupCount();
    }

    /**
     * {@link #changedFromPrior(MaskBits)} of {@code mask}, which the weights compute with now ({@link #apply(MaskBits)} of
     * it was the last mask applied to them): read from the kept sets that weights holding them ranked while applying it
     * ({@link MaskableWeight#groupsChangedFrom}), so the mask is not ranked a second time; from its bits for the others.
     */
    public double changedFromPriorApplied(MaskBits mask) {
        if (mask.groups() != groupCount() || mask.m() != pattern.m()) {
            throw new IllegalArgumentException("Mask bits of " + mask.groups() + " groups of " + mask.m() + ", expected "
                    + groupCount() + " of " + pattern.m());
        }
        long changed = 0;
        for (int i = 0; i < rows.weights().size(); i++) {
            long first = rows.first(i);
            OptionalLong held = rows.weights().get(i).groupsChangedFrom(prior, first);
            changed += held.isPresent() ? held.getAsLong() : prior.changedGroups(first, mask.range(first, rows.count(i)));
        }
        return (double) changed / groupCount();
    }

    /** {@link #changedFromPrior(INDArray)} of per-weight masks, keyed by name as {@link #split} gives them. */
    public double changedFromPrior(Map<String, INDArray> masks) {
        long changed = 0;
        for (int i = 0; i < rows.weights().size(); i++) {
            MaskBits kept = PackedMasks.bitsOf(rows.weights().get(i), masks);
            if (kept == null || kept.groups() != rows.count(i) || kept.m() != pattern.m()) {
                throw new IllegalArgumentException("The mask of weight '" + rows.weights().get(i).name()
                        + "' is not a 0/1 mask of " + rows.count(i) + " groups of " + pattern.m());
            }
            changed += prior.changedGroups(rows.first(i), kept);
        }
        return (double) changed / groupCount();
    }

    /** Share of groups whose mask differs from {@code reference}. */
    public double changedShare(INDArray mask, INDArray reference) {
        INDArray diff = mask.castTo(DataType.FLOAT).sub(reference.castTo(DataType.FLOAT));
        double changed = diff.muli(diff).sum(1).gt(0).castTo(DataType.FLOAT).sumNumber().doubleValue();
        return changed / groupCount();
    }

    /** Makes the model compute with the prior mask m₀ (decoded as bits, no array of it). */
    public void applyPrior() {
        apply(prior.toBits());
    }

    /** Makes the model compute with {@code mask}, all groups as bits ({@link #draw} gives them). */
    public void apply(MaskBits mask) {
        rows.apply(mask);
    }

    /** Makes the model compute with {@code mask} (all groups). */
    public void apply(INDArray mask) {
        rows.apply(mask);
    }

    /** Makes the model compute with per-weight masks, keyed by name as {@link #split} gives them. */
    public void apply(Map<String, INDArray> masks) {
        rows.apply(masks);
    }

    /**
     * Hands each weight its logits ({@link MaskableWeight#keepLogits}): the MaskPro wrapper layers keep them in their
     * {@code nmLogits} params, so a model saved now carries its learning state; plain parameters have nowhere to keep
     * them, and checkpoints hold them.
     */
    public void storeLogitsInWrappers() {
        flush();
        for (int i = 0; i < rows.weights().size(); i++) {
            int index = i;
            rows.weights().get(i).keepLogits(() -> floatLogits(rows.first(index), (int) rows.count(index)));
        }
    }

    /** Rows of {@code matrix} that belong to weight {@code index}. */
    public INDArray slice(INDArray matrix, int index) {
        return rows.slice(matrix, index);
    }

    /** Per-weight BYTE copies of a full 0/1 mask (of any type), keyed by weight name: the masks a result hands out. */
    public Map<String, INDArray> split(INDArray mask) {
        return rows.split(mask, ByteMasks.TYPE);
    }
}
