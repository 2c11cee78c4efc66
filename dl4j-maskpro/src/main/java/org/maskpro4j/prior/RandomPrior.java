package org.maskpro4j.prior;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A uniformly random strict mask per group, from a seed: the no-information control for priors. */
public final class RandomPrior implements MaskPrior {
    private final long seed;

    public RandomPrior(long seed) {
        this.seed = seed;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public <B> Map<String, INDArray> masks(MaskableModel<B> model, Iterable<B> calibration) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<MaskableWeight> weights = model.weights();
        for (int i = 0; i < weights.size(); i++) {
            MaskableWeight w = weights.get(i);
            INDArray zeros = Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), w.layout().pattern().m());
            out.put(w.name(), ByteMasks.ofBinary(GumbelTopN.sample(zeros, w.layout().pattern(), GumbelTopN.derive(seed, i))));
        }
        return PackedMasks.of(out);
    }
}
