package org.maskpro4j.verify;

import java.util.ArrayList;
import java.util.List;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks the weights a model computes with: a group complies with N:M when at most N of its M weights are
 * non-zero (a weight that happens to be exactly zero is allowed; hardware needs at most N values per group).
 */
public final class NmVerifier {
    private NmVerifier() {
    }

    /** One weight's outcome; {@code firstViolation} is -1 when it complies. */
    public record LayerReport(String name, long groups, long violations, long firstViolation) {
        public boolean strict() {
            return violations == 0;
        }
    }

    /** All weights' outcomes plus the layers that were not checked and why. */
    public record Report(NmPattern pattern, List<LayerReport> layers, List<String> skipped) {
        public boolean strict() {
            return layers.stream().allMatch(LayerReport::strict);
        }

        public long groups() {
            return layers.stream().mapToLong(LayerReport::groups).sum();
        }

        public long violations() {
            return layers.stream().mapToLong(LayerReport::violations).sum();
        }
    }

    public static Report verify(List<MaskableWeight> weights, List<String> skipped, NmPattern pattern) {
        List<LayerReport> layers = new ArrayList<>();
        for (MaskableWeight w : weights) {
            layers.add(check(w.name(), w.layout().toGroups(w.live()), pattern));
        }
        return new Report(pattern, List.copyOf(layers), List.copyOf(skipped));
    }

    static LayerReport check(String name, INDArray groups, NmPattern pattern) {
        INDArray nonZero = groups.neq(0).castTo(DataType.FLOAT).sum(1);
        INDArray bad = nonZero.gt(pattern.n()).castTo(DataType.FLOAT);
        long violations = (long) bad.sumNumber().doubleValue();
        long first = violations == 0 ? -1 : Nd4j.argMax(bad).getLong(0);
        return new LayerReport(name, groups.size(0), violations, first);
    }
}
