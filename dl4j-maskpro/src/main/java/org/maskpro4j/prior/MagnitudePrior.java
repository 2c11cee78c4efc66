package org.maskpro4j.prior;

import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.KeptSets;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Keeps the N largest |w| of every group: the one-shot baseline that needs no data. */
public final class MagnitudePrior implements MaskPrior {
    private static final int CHUNK_GROUPS = 1 << 16;

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
     * The magnitude mask of one weight as bits, ranked in plain Java {@value #CHUNK_GROUPS} groups at a time from the
     * weight's buffer (in place where its memory runs in group order): no array is allocated and freed per chunk, whose
     * native memory the allocator would keep resident through the learning run that follows.
     */
    public static MaskBits bits(MaskableWeight w) {
        GroupLayout layout = w.layout();
        int m = layout.pattern().m();
        int n = layout.pattern().n();
        // read from the buffer: views of a weight that is itself a view of the parameters have no data in M2.1
        INDArray groups = MaskBits.readable(layout.groupsOf(w.dense()));
        long count = groups.size(0);
        MaskBits mask = new MaskBits(count, m);
        float[] values = new float[(int) Math.min(CHUNK_GROUPS, count) * m];
        for (long start = 0; start < count; start += CHUNK_GROUPS) {
            int c = (int) Math.min(CHUNK_GROUPS, count - start);
            MaskBits.readRows(groups, start, c, values);
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
