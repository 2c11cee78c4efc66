package org.maskpro4j.prior;

import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.GroupChunks;
import org.maskpro4j.weights.KeptSets;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Keeps the N largest |w| of every group: the one-shot baseline that needs no data. */
public final class MagnitudePrior implements MaskPrior {
    @Override
    public String name() {
        return "magnitude";
    }

    @Override
    public <B> Map<String, INDArray> masks(MaskableModel<B> model, Iterable<B> calibration) {
        Map<String, MaskBits> out = new LinkedHashMap<>();
        for (MaskableWeight w : model.weights()) {
            out.put(w.name(), bits(w));
        }
        return PackedMasks.ofBits(out);
    }

    /** The BYTE 0/1 magnitude mask of one weight: {@link #bits} as an array. */
    public static INDArray of(MaskableWeight w) {
        return bits(w).toMask(ByteMasks.TYPE);
    }

    /**
     * The magnitude mask of one weight as bits, ranked in plain Java a chunk of groups at a time from the weight's buffer
     * (in place where its memory runs in group order): no array is allocated and freed per chunk, whose native memory
     * the allocator would keep resident through the learning run that follows.
     */
    public static MaskBits bits(MaskableWeight w) {
        return bits(w.layout().groupsOf(w.dense()), w.layout().pattern());
    }

    /**
     * The N largest |value| of each group of a {@code [groups, M]} matrix as bits, ties to the lower index as
     * {@link org.maskpro4j.nm.TopN}; DOUBLE values are ranked as doubles. The one magnitude ranking: the prior, the
     * one-shot magnitude pruner and the pipeline's {@code magnitude} prior all use it.
     */
    public static MaskBits bits(INDArray groupMatrix, NmPattern pattern) {
        int m = pattern.m();
        int n = pattern.n();
        GroupChunks chunks = new GroupChunks(groupMatrix);
        long count = chunks.groups();
        MaskBits mask = new MaskBits(count, m);
        for (long start = 0; start < count; start += GroupChunks.CHUNK_GROUPS) {
            int c = (int) Math.min(GroupChunks.CHUNK_GROUPS, count - start);
            double[] values = chunks.read(start);
            for (int i = 0; i < c * m; i++) {
                values[i] = Math.abs(values[i]);
            }
            for (int g = 0; g < c; g++) {
                mask.set(start + g, KeptSets.largest(values, g * m, m, n));
            }
        }
        return mask;
    }
}
