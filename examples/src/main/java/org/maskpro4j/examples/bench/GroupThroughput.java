package org.maskpro4j.examples.bench;

import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.SubsetLogProb;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code groups_per_s}: how many groups per second one policy step's per-group math handles, i.e.
 * {@link GumbelTopN#sample} followed by {@link SubsetLogProb#gradLogProb} on FLOAT logits in MaskPro's regime
 * (C·m₀ with C = 10, plus small noise so no two logits tie).
 */
public final class GroupThroughput {
    private static final double LOGIT_MAGNITUDE = 10;
    private static final double NOISE_SCALE = 0.1;

    /** Throughput (groups per second) and the seconds per sample + gradient it comes from. */
    public record Result(long groups, Spread groupsPerSecond, Spread seconds) {
    }

    private GroupThroughput() {
    }

    public static Result run(NmPattern pattern, long groups, long seed, Timing timing) {
        if (groups < 1) {
            throw new IllegalArgumentException("Group throughput needs at least one group, got " + groups);
        }
        INDArray noise = GumbelTopN.gumbel(GumbelTopN.derive(seed, pattern.n(), pattern.m()), groups, pattern.m())
                .muli(NOISE_SCALE);
        INDArray logits = TopN.mask(noise, pattern).castTo(DataType.DOUBLE).muli(LOGIT_MAGNITUDE).addi(noise)
                .castTo(DataType.FLOAT);
        long[] draw = {0};
        Spread seconds = timing.measure(() -> {
            INDArray mask = GumbelTopN.sample(logits, pattern, GumbelTopN.derive(seed, draw[0]++));
            SubsetLogProb.gradLogProb(logits, mask, pattern);
        });
        return new Result(groups, seconds.reciprocal(groups), seconds);
    }
}
