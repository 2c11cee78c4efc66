package org.maskpro4j.prior;

import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Keeps the N largest |w| of every group: the one-shot baseline that needs no data. */
public final class MagnitudePrior implements MaskPrior {
    private static final int CHUNK_GROUPS = 1 << 16;

    @Override
    public String name() {
        return "magnitude";
    }

    @Override
    public <B> Map<String, INDArray> masks(MaskableModel<B> model, Iterable<B> calibration) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (MaskableWeight w : model.weights()) {
            out.put(w.name(), of(w));
        }
        return out;
    }

    /**
     * The BYTE 0/1 magnitude mask of one weight, ranked {@value #CHUNK_GROUPS} groups at a time: ranking the whole
     * weight at once took three FLOAT copies of it (its groups, their magnitudes, the FLOAT mask), the peak of a whole
     * MaskPro run on a 6.3 M-weight MLP.
     */
    public static INDArray of(MaskableWeight w) {
        GroupLayout layout = w.layout();
        int m = layout.pattern().m();
        // chunks are read from the buffer: views of a weight that is itself a view of the parameters have no data in M2.1
        INDArray groups = MaskBits.readable(layout.groupsOf(w.dense()));
        long count = groups.size(0);
        INDArray mask = Nd4j.createUninitialized(ByteMasks.TYPE, count, m);
        for (long start = 0; start < count; start += CHUNK_GROUPS) {
            int n = (int) Math.min(CHUNK_GROUPS, count - start);
            float[] values = new float[n * m];
            MaskBits.readRows(groups, start, n, values);
            INDArray magnitudes = Transforms.abs(Nd4j.create(values, new long[] {n, m}, 'c'), false);
            mask.get(NDArrayIndex.interval(start, start + n), NDArrayIndex.all()).assign(TopN.mask(magnitudes,
                    layout.pattern()));
        }
        return mask;
    }
}
