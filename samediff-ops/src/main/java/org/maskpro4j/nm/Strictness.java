package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Checks that a {@code [groups, M]} mask keeps exactly N entries, all 0 or 1, in every group. */
public final class Strictness {

    /** Outcome of one check; {@code firstViolation} is -1 when the mask is strict. */
    public record Report(long groups, long violations, long firstViolation, double keptInFirstViolation) {
        public boolean strict() {
            return violations == 0;
        }

        public String describe(String owner, NmPattern pattern) {
            if (strict()) {
                return owner + ": all " + groups + " groups are strictly " + pattern;
            }
            return owner + ": " + violations + " of " + groups + " groups violate " + pattern + "; first is group "
                    + firstViolation + " with " + keptInFirstViolation + " kept";
        }
    }

    private Strictness() {
    }

    public static Report check(INDArray mask, NmPattern pattern) {
        TopN.requireGroups(mask, pattern);
        INDArray m = mask.castTo(DataType.DOUBLE);
        // a group is good iff it holds only 0/1 values and sums to N
        INDArray nonBinary = Transforms.abs(m.mul(m.rsub(1.0))).sum(1);
        INDArray kept = m.sum(1);
        INDArray bad = kept.neq(pattern.n()).castTo(DataType.DOUBLE).addi(nonBinary.gt(0).castTo(DataType.DOUBLE)).gt(0)
                .castTo(DataType.DOUBLE);
        long violations = (long) bad.sumNumber().doubleValue();
        if (violations == 0) {
            return new Report(mask.size(0), 0, -1, pattern.n());
        }
        long first = Nd4j.argMax(bad).getLong(0);
        return new Report(mask.size(0), violations, first, kept.getDouble(first));
    }
}
