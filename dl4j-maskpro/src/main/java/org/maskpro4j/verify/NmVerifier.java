package org.maskpro4j.verify;

import java.util.ArrayList;
import java.util.List;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.weights.GroupChunks;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.api.ndarray.INDArray;

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
            layers.add(check(w.name(), w.layout().groupsOf(w.live()), pattern));
        }
        return new Report(pattern, List.copyOf(layers), List.copyOf(skipped));
    }

    /**
     * Counts a chunk of groups at a time from the weight's buffer (in place where it runs in group order), so a check
     * holds one chunk, not copies of the weight: verify runs on the model being written, at its full size.
     */
    static LayerReport check(String name, INDArray groups, NmPattern pattern) {
        GroupChunks chunks = new GroupChunks(groups);
        long count = chunks.groups();
        int m = chunks.m();
        long violations = 0;
        long first = -1;
        for (long start = 0; start < count; start += GroupChunks.CHUNK_GROUPS) {
            int c = (int) Math.min(GroupChunks.CHUNK_GROUPS, count - start);
            double[] values = chunks.read(start);
            for (int g = 0, o = 0; g < c; g++) {
                int nonZero = 0;
                for (int j = 0; j < m; j++, o++) {
                    nonZero += values[o] != 0 ? 1 : 0; // NaN counts as a value, as it does on hardware
                }
                if (nonZero > pattern.n()) {
                    first = violations++ == 0 ? start + g : first;
                }
            }
        }
        return new LayerReport(name, count, violations, first);
    }
}
