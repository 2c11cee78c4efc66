package org.maskpro4j.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.custom.XwPlusB;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the maskable weights of a SameDiff graph the user did not describe: every trainable 2-D variable that is
 * the right operand of a matrix product ({@code mmul}, {@code nn.linear}), grouped along the axis the product
 * reduces over, with the left operand as its input for calibration. Anything else stays dense, with a reason.
 */
public final class SameDiffWeights {
    private static final Logger LOG = LoggerFactory.getLogger(SameDiffWeights.class);

    private SameDiffWeights() {
    }

    /**
     * A model builder holding every selected matrix-product weight of {@code sd} that fits {@code pattern}, in
     * graph order; the caller adds the loss variable.
     *
     * @throws IllegalArgumentException when the selection names unknown variables or no weight fits the pattern
     */
    public static SameDiffModel.Builder discover(SameDiff sd, NmPattern pattern, WeightSelection selection) {
        SameDiffModel.Builder builder = SameDiffModel.builder(sd).pattern(pattern);
        Map<String, String> reasons = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Found> found = new ArrayList<>();
        for (SameDiffOp op : sd.getOps().values()) {
            DifferentialFunction f = op.getOp();
            if (!(f instanceof Mmul) && !(f instanceof XwPlusB)) {
                continue;
            }
            SDVariable[] args = f.args();
            SDVariable w = args[1];
            if (w.getVariableType() != VariableType.VARIABLE || !seen.add(w.name())) {
                continue;
            }
            String reason = reject(f, w, pattern, selection);
            if (reason != null) {
                reasons.put(w.name(), reason);
                continue;
            }
            found.add(new Found(w.name(), kindOf(f), args[0].name()));
        }
        List<String> unknown = selection.unknownNames(seen);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Weight names " + unknown + " do not exist in this SameDiff graph; its"
                    + " matrix-product weights are " + seen);
        }
        if (selection.keepFirstDense() && !found.isEmpty()) {
            reasons.put(found.remove(0).name(), "the first maskable weight is kept dense");
        }
        if (selection.keepLastDense() && !found.isEmpty()) {
            reasons.put(found.remove(found.size() - 1).name(), "the last maskable weight is kept dense");
        }
        reasons.forEach((name, why) -> {
            LOG.info("Kept dense: {}: {}", name, why);
            builder.skipped(name + ": " + why);
        });
        if (found.isEmpty()) {
            throw new IllegalArgumentException("No layer of this model can carry a " + pattern + " mask: " + reasons
                    + ". Choose a pattern whose M divides the layers' fan-in, or include other layers.");
        }
        found.forEach(w -> builder.weight(w.name(), w.kind()).input(w.name(), w.input()));
        return builder;
    }

    private record Found(String name, GroupLayout.Kind kind, String input) {
    }

    private static GroupLayout.Kind kindOf(DifferentialFunction product) {
        return transposed(product, "transposeB") ? GroupLayout.Kind.OUT_IN : GroupLayout.Kind.IN_OUT;
    }

    private static String reject(DifferentialFunction f, SDVariable w, NmPattern pattern,
            WeightSelection selection) {
        String rejection = selection.rejectionReason(w.name(), f.getClass().getSimpleName());
        if (rejection != null) {
            return rejection;
        }
        if (transposed(f, "transposeA") || transposed(f, "transposeResult")) {
            return "its product transposes the input or the result, so its input axis is not known";
        }
        long[] shape = w.getArr().shape();
        if (shape.length != 2) {
            return "rank " + shape.length + " weight; only 2-D matrix-product weights are masked";
        }
        try {
            GroupLayout.of(w.name(), kindOf(f), shape, pattern);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static boolean transposed(DifferentialFunction f, String property) {
        return f instanceof Mmul && Boolean.TRUE.equals(f.propertiesForFunction().get(property));
    }
}
