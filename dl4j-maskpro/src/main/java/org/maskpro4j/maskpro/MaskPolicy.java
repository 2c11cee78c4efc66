package org.maskpro4j.maskpro;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.SubsetLogProb;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.GroupRows;
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
 */
public final class MaskPolicy {
    /** Logits are clamped at minus this after each update (see {@link #ascend}). */
    public static final double LOGIT_RANGE = 60;
    /** System property choosing the per-group math: {@code fused} (the default on the CPU backend) or {@code reference}. */
    public static final String KERNEL_PROPERTY = "maskpro.policy.kernel";
    /** System property: threads of the fused kernel (default: all processors). Masks do not depend on it. */
    public static final String THREADS_PROPERTY = "maskpro.policy.threads";

    private final NmPattern pattern;
    private final GroupRows rows;
    private final INDArray logits;
    private final INDArray prior;
    /** The CPU fast path, or null where the ND4J ops run. */
    private final FusedGroupKernel kernel;

    private MaskPolicy(NmPattern pattern, List<MaskableWeight> weights, INDArray logits, INDArray prior) {
        this.pattern = pattern;
        this.rows = new GroupRows(pattern, weights, "the policy uses");
        requireShape(logits, "logits");
        requireShape(prior, "prior mask");
        this.logits = logits;
        this.prior = prior;
        this.kernel = fusedKernel(pattern);
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
        return kernel != null && kernel.supports(logits);
    }

    /** Logits C·m₀: the prior's kept positions get C, the others 0 (maskpro-spec §1.7). */
    public static MaskPolicy fromPrior(NmPattern pattern, List<MaskableWeight> weights, Map<String, INDArray> priorMasks,
            double logitMagnitude) {
        List<INDArray> blocks = new ArrayList<>();
        for (MaskableWeight w : weights) {
            INDArray mask = priorMasks.get(w.name());
            if (mask == null) {
                throw new IllegalArgumentException("The prior has no mask for weight '" + w.name() + "'; it covers "
                        + priorMasks.keySet());
            }
            blocks.add(mask.castTo(DataType.FLOAT));
        }
        INDArray prior = concat(blocks);
        return new MaskPolicy(pattern, weights, prior.mul(logitMagnitude), prior);
    }

    /** Restores a policy from checkpointed arrays. */
    static MaskPolicy restore(NmPattern pattern, List<MaskableWeight> weights, INDArray logits, INDArray prior) {
        return new MaskPolicy(pattern, weights, logits.castTo(DataType.FLOAT), prior.castTo(DataType.FLOAT));
    }

    private static INDArray concat(List<INDArray> blocks) {
        return blocks.size() == 1 ? blocks.get(0).dup() : Nd4j.concat(0, blocks.toArray(new INDArray[0]));
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

    public INDArray priorMask() {
        return prior;
    }

    /** A mask drawn from the policy (Gumbel-top-N); the same seed gives the same mask. */
    public INDArray sample(long seed) {
        if (!fused()) {
            return GumbelTopN.sample(logits, pattern, seed);
        }
        INDArray mask = Nd4j.createUninitialized(DataType.FLOAT, groupCount(), pattern.m()); // the kernel writes all
        kernel.sample(logits, seed, mask);
        return mask;
    }

    /** The final mask: the top-N logits of every group. */
    public INDArray mode() {
        return TopN.mask(logits, pattern);
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
        if (fused() && kernel.supports(mask)) {
            kernel.ascend(logits, mask, scale, LOGIT_RANGE);
            return;
        }
        INDArray grad = SubsetLogProb.gradLogProbOfStrictMasks(logits, mask, pattern);
        logits.subi(grad.muli(scale).castTo(logits.dataType()));
        logits.subiColumnVector(logits.max(1).reshape(logits.size(0), 1));
        Transforms.max(logits, -LOGIT_RANGE, false);
    }

    /** Share of groups whose mask differs from {@code reference} (e.g. the prior). */
    public double changedShare(INDArray mask, INDArray reference) {
        if (fused() && kernel.supports(mask) && kernel.supports(reference)) {
            return (double) kernel.changedGroups(mask, reference) / groupCount();
        }
        INDArray diff = mask.castTo(DataType.FLOAT).sub(reference.castTo(DataType.FLOAT));
        double changed = diff.muli(diff).sum(1).gt(0).castTo(DataType.FLOAT).sumNumber().doubleValue();
        return changed / groupCount();
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
