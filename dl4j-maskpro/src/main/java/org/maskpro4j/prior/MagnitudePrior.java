package org.maskpro4j.prior;

import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Keeps the N largest |w| of every group: the one-shot baseline that needs no data. */
public final class MagnitudePrior implements MaskPrior {

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

    /** The BYTE 0/1 magnitude mask of one weight. */
    public static INDArray of(MaskableWeight w) {
        return ByteMasks.ofBinary(TopN.mask(Transforms.abs(w.layout().toGroups(w.dense()), false), w.layout().pattern()));
    }
}
