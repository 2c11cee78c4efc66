package org.maskpro4j.weights;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * All groups of several weights as the rows of one {@code [groups, ·]} matrix, so that a learner's per-group state is a
 * few ND4J ops per step whatever the number of layers: each weight owns a contiguous block of rows, in list order.
 */
public final class GroupRows {
    private final List<MaskableWeight> weights;
    private final long[] offsets;

    /**
     * @param pattern  the pattern every weight must be laid out for
     * @param expected how the error names the owner's pattern, e.g. "the policy uses"
     */
    public GroupRows(NmPattern pattern, List<MaskableWeight> weights, String expected) {
        this.weights = List.copyOf(weights);
        this.offsets = new long[this.weights.size() + 1];
        for (int i = 0; i < this.weights.size(); i++) {
            MaskableWeight w = this.weights.get(i);
            if (!w.layout().pattern().equals(pattern)) {
                throw new IllegalArgumentException("Weight '" + w.name() + "' is laid out for " + w.layout().pattern()
                        + " but " + expected + " " + pattern);
            }
            offsets[i + 1] = offsets[i] + w.layout().groupCount();
        }
    }

    public List<MaskableWeight> weights() {
        return weights;
    }

    /** Groups of all weights: the matrix's rows. */
    public long count() {
        return offsets[weights.size()];
    }

    /** The first row of weight {@code index}. */
    public long first(int index) {
        return offsets[index];
    }

    /** Groups of weight {@code index}. */
    public long count(int index) {
        return offsets[index + 1] - offsets[index];
    }

    /** Rows of {@code matrix} that belong to weight {@code index} (a view). */
    public INDArray slice(INDArray matrix, int index) {
        return matrix.get(NDArrayIndex.interval(offsets[index], offsets[index + 1]), NDArrayIndex.all());
    }

    /** Per-weight copies of a full {@code [groups, ·]} matrix, keyed by weight name. */
    public Map<String, INDArray> split(INDArray matrix) {
        return split(matrix, matrix.dataType());
    }

    /**
     * Per-weight copies of a full {@code [groups, ·]} matrix in {@code type}, keyed by weight name: each weight's rows
     * are cast on their own, so no matrix of all weights in {@code type} is ever made.
     */
    public Map<String, INDArray> split(INDArray matrix, DataType type) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < weights.size(); i++) {
            INDArray rows = slice(matrix, i);
            out.put(weights.get(i).name(), rows.dataType() == type ? rows.dup() : rows.castTo(type));
        }
        return out;
    }

    /** Makes every weight compute with {@code dense ⊙ mask}; {@code mask} is {@code [groups, M]}. */
    public void apply(INDArray mask) {
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).applyMask(slice(mask, i));
        }
    }

    /** Makes every weight compute with {@code dense ⊙ mask}, {@code mask} holding all groups as bits. */
    public void apply(MaskBits mask) {
        if (mask.groups() != count()) {
            throw new IllegalArgumentException("Mask bits of " + mask.groups() + " groups, expected " + count());
        }
        for (int i = 0; i < weights.size(); i++) {
            weights.get(i).applyMask(mask.range(first(i), count(i)));
        }
    }

    /** Makes every weight compute with its own mask from {@code masks}, keyed by weight name (as {@link #split} gives). */
    public void apply(Map<String, INDArray> masks) {
        for (MaskableWeight w : weights) {
            PackedMasks.applyTo(w, masks);
        }
    }

    /** Weight {@code w}'s mask in {@code masks}. */
    public static INDArray of(Map<String, INDArray> masks, MaskableWeight w) {
        INDArray mask = masks.get(w.name());
        if (mask == null) {
            throw new IllegalArgumentException("No mask for weight '" + w.name() + "'; the masks cover " + masks.keySet());
        }
        return mask;
    }
}
