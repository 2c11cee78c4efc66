package org.maskpro4j.prior;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.maskpro4j.nm.Strictness;
import org.maskpro4j.weights.ByteMasks;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Masks the user already has (e.g. from another tool or an earlier run), of any numeric 0/1 type, checked for shape and
 * strictness and handed on as BYTE masks like every prior's.
 */
public final class GivenPrior implements MaskPrior {
    private final String name;
    private final Map<String, INDArray> masks;

    public GivenPrior(Map<String, INDArray> masks) {
        this("given", masks);
    }

    /** @param name what the masks are, in reports (e.g. the method that computed them) */
    public GivenPrior(String name, Map<String, INDArray> masks) {
        this.name = Objects.requireNonNull(name, "name");
        this.masks = Map.copyOf(masks);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public <B> Map<String, INDArray> masks(MaskableModel<B> model, Iterable<B> calibration) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (MaskableWeight w : model.weights()) {
            INDArray m = masks.get(w.name());
            if (m == null) {
                throw new IllegalArgumentException("The given masks have none for weight '" + w.name() + "'; they cover "
                        + masks.keySet());
            }
            long[] expected = {w.layout().groupCount(), w.layout().pattern().m()};
            if (!Arrays.equals(m.shape(), expected)) {
                throw new IllegalArgumentException("Given mask for '" + w.name() + "' has shape " + Arrays.toString(m.shape())
                        + ", expected " + Arrays.toString(expected));
            }
            Strictness.Report r = Strictness.check(m, w.layout().pattern());
            if (!r.strict()) {
                throw new IllegalArgumentException("Given mask is not strict: " + r.describe(w.name(), w.layout().pattern()));
            }
            out.put(w.name(), ByteMasks.ofBinary(m)); // strict, so 0/1
        }
        return PackedMasks.of(out);
    }
}
