package org.maskpro4j.maskpro;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.SubsetLogProb;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.GroupRows;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableWeight;
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
 * <p>The state is compact: logits in 16-bit halves ({@link Float16}; {@code -D}{@value #LOGITS_PROPERTY}{@code =float}
 * keeps FLOATs), the prior as one bit per position ({@link MaskBits}), and the drawn masks as BYTE 0/1 matrices. The
 * fused kernel works on FLOATs, so the fast path decodes {@value #BLOCK_CHUNKS} of its chunks at a time into FLOAT
 * scratch, runs the kernel there and encodes back; block b runs with seed {@code GumbelTopN.derive(seed, b)}, so masks
 * depend on the seed and the block size only, never on the thread count. The reference path casts the logits to FLOAT,
 * runs the ND4J ops and casts back (ND4J's HALF cast rounds as {@link Float16} does).
 */
public final class MaskPolicy {
    /** Logits are clamped at minus this after each update (see {@link #ascend}). */
    public static final double LOGIT_RANGE = 60;
    /** System property choosing the per-group math: {@code fused} (the default on the CPU backend) or {@code reference}. */
    public static final String KERNEL_PROPERTY = "maskpro.policy.kernel";
    /** System property: threads of the fused kernel (default: all processors). Masks do not depend on it. */
    public static final String THREADS_PROPERTY = "maskpro.policy.threads";

    /** System property choosing how logits are stored: {@code half} (the default, 2 bytes each) or {@code float}. */
    public static final String LOGITS_PROPERTY = "maskpro.policy.logits";
    /** Kernel chunks decoded at a time on the fused path: 65,536 groups, 1–4 MB of FLOAT scratch per matrix. */
    static final int BLOCK_CHUNKS = 16;
    private static final int BLOCK_GROUPS = BLOCK_CHUNKS * FusedGroupKernel.CHUNK_GROUPS;

    private final NmPattern pattern;
    private final GroupRows rows;
    private final INDArray logits;
    private final MaskBits prior;
    /** The CPU fast path, or null where the ND4J ops run. */
    private final FusedGroupKernel kernel;
    /** The fused path's scratch for full blocks and for the last, shorter one (see {@link #scratch}). */
    private Scratch fullBlock;
    private Scratch lastBlock;

    private MaskPolicy(NmPattern pattern, List<MaskableWeight> weights, INDArray logits, MaskBits prior) {
        this.pattern = pattern;
        this.rows = new GroupRows(pattern, weights, "the policy uses");
        requireShape(logits, "logits");
        if (prior.groups() != rows.count() || prior.m() != pattern.m()) {
            throw new IllegalArgumentException("Policy prior mask has " + prior.groups() + " groups of " + prior.m()
                    + ", expected " + rows.count() + " of " + pattern.m());
        }
        this.logits = logits;
        this.prior = prior;
        this.kernel = fusedKernel(pattern);
    }

    /** The type logits are stored in: HALF unless {@value #LOGITS_PROPERTY} says {@code float}. */
    static DataType logitType() {
        String choice = System.getProperty(LOGITS_PROPERTY, "half");
        return switch (choice) {
            case "half" -> DataType.HALF;
            case "float" -> DataType.FLOAT;
            default -> throw new IllegalArgumentException("-D" + LOGITS_PROPERTY + " must be 'half' or 'float', got '"
                    + choice + "'");
        };
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
        MaskBits prior = new MaskBits(rows.count(), pattern.m());
        INDArray logits = Nd4j.createUninitialized(logitType(), rows.count(), pattern.m());
        long first = 0;
        for (int i = 0; i < weights.size(); i++) {
            MaskableWeight w = weights.get(i);
            INDArray mask = priorMasks.get(w.name());
            if (mask == null) {
                throw new IllegalArgumentException("The prior has no mask for weight '" + w.name() + "'; it covers "
                        + priorMasks.keySet());
            }
            if (!prior.read(mask, first, Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("The prior mask of weight '" + w.name() + "' holds values other than 0 and 1");
            }
            rows.slice(logits, i).assign(mask.castTo(DataType.FLOAT).mul(logitMagnitude));
            first += rows.count(i);
        }
        return new MaskPolicy(pattern, weights, logits, prior);
    }

    /** Restores a policy from checkpointed arrays. */
    static MaskPolicy restore(NmPattern pattern, List<MaskableWeight> weights, INDArray logits, INDArray prior) {
        return new MaskPolicy(pattern, weights, logits.castTo(logitType()).dup('c'), MaskBits.of(prior));
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

    /** The live logits matrix (policy state). */
    public INDArray logits() {
        return logits;
    }

    /** A fresh FLOAT copy of the prior mask m₀. */
    public INDArray priorMask() {
        return prior.toMask(DataType.FLOAT);
    }

    /** Bytes of the policy's own state per group position: the logits and the prior's bits. */
    public double stateBytesPerWeight() {
        return (logits.length() * (double) logits.dataType().width() + prior.bytes()) / logits.length();
    }

    /** A BYTE 0/1 mask drawn from the policy (Gumbel-top-N); the same seed gives the same mask. */
    public INDArray sample(long seed) {
        if (!fused()) {
            return GumbelTopN.sample(logits.castTo(DataType.FLOAT), pattern, seed).castTo(DataType.BYTE);
        }
        INDArray mask = Nd4j.createUninitialized(DataType.BYTE, groupCount(), pattern.m()); // every block writes its rows
        forEachBlock(null, 0, seed, mask);
        return mask;
    }

    /**
     * The final mask (FLOAT): the top-N logits of every group, ties to the lower index as {@link TopN}. The fused path
     * ranks block by block from the stored logits instead of casting them all to FLOAT first.
     */
    public INDArray mode() {
        if (!fused()) {
            return TopN.mask(logits.castTo(DataType.FLOAT), pattern);
        }
        int m = pattern.m();
        INDArray mode = Nd4j.createUninitialized(DataType.FLOAT, groupCount(), m);
        FloatBuffer out = mode.data().asNioFloat();
        float[] x = new float[(int) Math.min(BLOCK_GROUPS, groupCount()) * m];
        float[] kept = new float[x.length];
        for (long first = 0; first < groupCount(); first += BLOCK_GROUPS) {
            int count = (int) Math.min(BLOCK_GROUPS, groupCount() - first);
            readLogits(first, count, x, new short[count * m]);
            java.util.Arrays.fill(kept, 0, count * m, 0f);
            for (int o = 0; o < count * m; o += m) {
                for (int k = 0; k < pattern.n(); k++) {
                    int best = -1;
                    for (int j = 0; j < m; j++) {
                        if (kept[o + j] == 0 && (best < 0 || x[o + j] > x[o + best])) {
                            best = j;
                        }
                    }
                    kept[o + best] = 1;
                }
            }
            out.put((int) (first * m), kept, 0, count * m);
        }
        return mode;
    }

    /** Logits of groups {@code first …} as floats (halves decoded). */
    private void readLogits(long first, int count, float[] out, short[] bits) {
        int n = count * pattern.m();
        int at = (int) (first * pattern.m());
        if (logits.dataType() == DataType.HALF) {
            halves().get(at, bits, 0, n);
            Float16.decode(bits, out, n);
        } else {
            logits.data().asNioFloat().get(at, out, 0, n);
        }
    }

    private ShortBuffer halves() {
        return logits.data().asNio().order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    /**
     * logits ← logits − scale·∇ log P(mask), then each group is shifted so its largest logit is 0 and clamped at
     * −{@value #LOGIT_RANGE}. Softmax, sampling and top-N are invariant to the shift; the clamp only touches
     * positions whose probability is already below e^−60, and keeps the exact subset probability representable
     * in double however long a run goes.
     *
     * @param mask a mask {@link #sample} returned, hence strict: its strictness is not checked again
     */
    void ascend(INDArray mask, double scale) {
        if (fused()) {
            forEachBlock(mask, scale, 0, null);
            return;
        }
        INDArray x = logits.castTo(DataType.FLOAT);
        INDArray grad = SubsetLogProb.gradLogProbOfStrictMasks(x, mask.castTo(DataType.FLOAT), pattern);
        x.subi(grad.muli(scale).castTo(DataType.FLOAT));
        x.subiColumnVector(x.max(1).reshape(x.size(0), 1));
        Transforms.max(x, -LOGIT_RANGE, false);
        logits.assign(x);
    }

    /**
     * The fused path, one block of {@value #BLOCK_CHUNKS} kernel chunks at a time: decode the block's logits (and the
     * mask to ascend along) into FLOAT scratch, ascend and/or draw, then encode the logits (or write the drawn mask).
     */
    private void forEachBlock(INDArray mask, double scale, long seed, INDArray drawn) {
        int m = pattern.m();
        long groups = groupCount();
        boolean half = logits.dataType() == DataType.HALF;
        ShortBuffer halves = half ? halves() : null;
        FloatBuffer floats = half ? null : logits.data().asNioFloat();
        ByteBuffer out = drawn == null ? null : drawn.data().asNio();
        INDArray readableMask = mask == null ? null : MaskBits.readable(mask);
        for (long first = 0, block = 0; first < groups; first += BLOCK_GROUPS, block++) {
            int count = (int) Math.min(BLOCK_GROUPS, groups - first);
            Scratch s = scratch(count);
            int n = count * m;
            int at = (int) (first * m);
            readLogits(first, count, s.values, s.halves);
            s.logits.data().asNioFloat().put(0, s.values, 0, n);
            if (mask != null) {
                MaskBits.readRows(readableMask, first, count, s.values);
                s.mask.data().asNioFloat().put(0, s.values, 0, n);
                kernel.ascend(s.logits, s.mask, scale, LOGIT_RANGE);
                s.logits.data().asNioFloat().get(0, s.values, 0, n);
                if (half) {
                    Float16.encode(s.values, s.halves, n);
                    halves.put(at, s.halves, 0, n);
                } else {
                    floats.put(at, s.values, 0, n);
                }
            }
            if (drawn != null) {
                kernel.sample(s.logits, GumbelTopN.derive(seed, block), s.mask);
                s.mask.data().asNioFloat().get(0, s.values, 0, n);
                for (int k = 0; k < n; k++) {
                    s.flags[k] = (byte) (s.values[k] != 0 ? 1 : 0);
                }
                out.put(at, s.flags, 0, n);
            }
        }
    }

    /**
     * The fused path's FLOAT scratch for blocks of {@code count} groups, kept between calls: allocating it per block
     * churned ~150 MB of native memory per step on a 6 M-weight model, which JavaCPP answers with collections.
     */
    private Scratch scratch(int count) {
        Scratch s = count == BLOCK_GROUPS ? fullBlock : lastBlock;
        if (s == null || s.count != count) {
            s = new Scratch(count, pattern.m());
            if (count == BLOCK_GROUPS) {
                fullBlock = s;
            } else {
                lastBlock = s;
            }
        }
        return s;
    }

    /** Kernel-ready FLOAT matrices (they own their buffers) and Java arrays for one block. */
    private static final class Scratch {
        final int count;
        final INDArray logits;
        final INDArray mask;
        final float[] values;
        final short[] halves;
        final byte[] flags;

        Scratch(int count, int m) {
            this.count = count;
            this.logits = Nd4j.createUninitialized(DataType.FLOAT, count, m);
            this.mask = Nd4j.createUninitialized(DataType.FLOAT, count, m);
            this.values = new float[count * m];
            this.halves = new short[count * m];
            this.flags = new byte[count * m];
        }
    }

    /** Share of groups whose mask differs from the prior's. */
    public double changedFromPrior(INDArray mask) {
        return (double) prior.changedGroups(mask) / groupCount();
    }

    /** Share of groups whose mask differs from {@code reference}. */
    public double changedShare(INDArray mask, INDArray reference) {
        INDArray diff = mask.castTo(DataType.FLOAT).sub(reference.castTo(DataType.FLOAT));
        double changed = diff.muli(diff).sum(1).gt(0).castTo(DataType.FLOAT).sumNumber().doubleValue();
        return changed / groupCount();
    }

    /** Makes the model compute with the prior mask m₀ (decoded as BYTEs, a quarter of a FLOAT mask). */
    public void applyPrior() {
        apply(prior.toMask(DataType.BYTE));
    }

    /** Makes the model compute with {@code mask} (all groups). */
    public void apply(INDArray mask) {
        rows.apply(mask);
    }

    /**
     * Hands each weight its logits ({@link MaskableWeight#keepLogits}): the MaskPro wrapper layers keep them in their
     * {@code nmLogits} params, so a model saved now carries its learning state; plain parameters have nowhere to keep
     * them, and checkpoints hold them.
     */
    public void storeLogitsInWrappers() {
        for (int i = 0; i < rows.weights().size(); i++) {
            rows.weights().get(i).keepLogits(slice(logits, i));
        }
    }

    /** Rows of {@code matrix} that belong to weight {@code index}. */
    public INDArray slice(INDArray matrix, int index) {
        return rows.slice(matrix, index);
    }

    /** Per-weight copies of a full mask, keyed by weight name. */
    public Map<String, INDArray> split(INDArray mask) {
        return rows.split(mask);
    }
}
