package org.maskpro4j.samediff;

import java.util.Objects;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;

/**
 * N:M sparsity as SameDiff operations a user puts inside their own graph: the group view of a weight, the top-N
 * mask of a score per group, and the masked weight {@code W ⊙ mask}. Everything is built from standard SameDiff
 * ops (permute, reshape, comparisons, sums, products), so the result serialises with the graph
 * ({@code sd.save} / {@code SameDiff.load}) and runs on any ND4J backend; the values equal the ND4J reference
 * ({@link org.maskpro4j.nm.TopN}, {@link GroupLayout}), ties included.
 *
 * <pre>{@code
 * GroupLayout layout = GroupLayout.of("w", GroupLayout.Kind.IN_OUT, w.getShape(), NmPattern.parse("2:4"));
 * SDVariable mask = sd.constant("w_mask", layout.fromGroups(learnedGroupMask));   // or a placeholder
 * SDVariable out = x.mmul(NmOps.maskedWeight(sd, "w_sparse", w, mask));
 * }</pre>
 */
public final class NmOps {
    private NmOps() {
    }

    /** {@code weight} (shaped as {@code layout}) as its {@code [groups, M]} group matrix, as {@link GroupLayout#toGroups}. */
    public static SDVariable toGroups(SameDiff sd, String name, SDVariable weight, GroupLayout layout) {
        SDVariable permuted = sd.permute(weight, layout.kind().toGroupOrder());
        return sd.reshape(name, permuted, layout.groupCount(), layout.pattern().m());
    }

    /** A {@code [groups, M]} matrix back in the weight's shape, as {@link GroupLayout#fromGroups}. */
    public static SDVariable fromGroups(SameDiff sd, String name, SDVariable groups, GroupLayout layout) {
        int[] order = layout.kind().toGroupOrder();
        long[] shape = layout.shape();
        long[] permutedShape = new long[order.length];
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            permutedShape[i] = shape[order[i]];
            inverse[order[i]] = i;
        }
        return sd.permute(name, sd.reshape(groups, permutedShape), inverse);
    }

    /**
     * The {@code [groups, M]} 0/1 mask (in {@code scores}' type) keeping the N highest scores of each group; ties go
     * to the lower index, as in {@link org.maskpro4j.nm.TopN}. The rank of entry j is the number of entries that beat
     * it, counted with one {@code [groups, M, M]} comparison. A mask has no gradient: the scores pass through a stop
     * gradient, so the op can sit inside a graph that is trained.
     */
    public static SDVariable topNMask(SameDiff sd, String name, SDVariable scores, NmPattern pattern) {
        Objects.requireNonNull(pattern, "pattern");
        int m = pattern.m();
        DataType type = scores.dataType().isFPType() ? scores.dataType() : DataType.FLOAT;
        SDVariable s = new StopGradient(sd, scores).outputVariable();
        SDVariable mine = sd.expandDims(s, 2);   // [G, M, 1]: entry j
        SDVariable others = sd.expandDims(s, 1); // [G, 1, M]: entry k
        float[][] lower = new float[m][m];       // lower[j][k] = 1 when k < j: an equal entry left of j beats it
        for (int j = 0; j < m; j++) {
            for (int k = 0; k < j; k++) {
                lower[j][k] = 1;
            }
        }
        SDVariable leftOf = sd.constant(Nd4j.createFromArray(lower).castTo(type));
        SDVariable beats = others.gt(mine).castTo(type).add(others.eq(mine).castTo(type).mul(leftOf));
        return beats.sum(2).lt(pattern.n()).castTo(name, type);
    }

    /** The weight-shaped top-N mask of weight-shaped {@code scores} (e.g. {@code sd.math().abs(w)} for magnitude). */
    public static SDVariable topNWeightMask(SameDiff sd, String name, SDVariable scores, GroupLayout layout) {
        SDVariable groups = toGroups(sd, null, scores, layout);
        return fromGroups(sd, name, topNMask(sd, null, groups, layout.pattern()), layout);
    }

    /**
     * {@code weight ⊙ mask}, {@code mask} weight-shaped 0/1 (a constant, a placeholder, or {@link #topNWeightMask}).
     * Gradients reach {@code weight} only at kept positions.
     */
    public static SDVariable maskedWeight(SameDiff sd, String name, SDVariable weight, SDVariable mask) {
        return sd.math().mul(name, weight, mask.castTo(weight.dataType()));
    }
}
