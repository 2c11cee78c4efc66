package org.maskpro4j.nm;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Draws N distinct positions per group without replacement from softmax(logits): adding i.i.d. Gumbel noise
 * and keeping the top N keys is the same distribution as sequential sampling without replacement
 * (maskpro-spec §1.3), and it runs as a handful of ND4J ops over all groups at once.
 */
public final class GumbelTopN {
    /** Keeps -log(-log u) finite; the clamp only touches draws of probability ~1e-12. */
    static final double U_EPS = 1e-12;

    private GumbelTopN() {
    }

    /**
     * @param logits {@code [groups, M]} logits
     * @param seed   every draw flows from this seed: the same seed gives the same mask on the same backend
     * @return a {@code [groups, M]} 0/1 mask in the logits' floating type, exactly N ones per group
     */
    public static INDArray sample(INDArray logits, NmPattern pattern, long seed) {
        TopN.requireGroups(logits, pattern);
        INDArray keys = logits.castTo(DataType.DOUBLE).addi(gumbel(seed, logits.shape()));
        return TopN.mask(keys, pattern, TopN.floatingType(logits));
    }

    /** Standard Gumbel noise of the given shape, from a private generator so global ND4J RNG use cannot shift it. */
    public static INDArray gumbel(long seed, long... shape) {
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed)) {
            INDArray u = Nd4j.rand(rng, shape).castTo(DataType.DOUBLE);
            u = Transforms.max(Transforms.min(u, 1.0 - U_EPS, false), U_EPS, false);
            return Transforms.log(Transforms.log(u, false).negi(), false).negi();
        } catch (Exception e) {
            throw new IllegalStateException("Could not release the ND4J random generator", e);
        }
    }

    /** Mixes a base seed with step and stream indices (SplitMix64), so each draw of a run has its own seed. */
    public static long derive(long seed, long... streams) {
        long z = seed;
        for (long s : streams) {
            z = mix(z + 0x9E3779B97F4A7C15L * (s + 1));
        }
        return z;
    }

    /** SplitMix64's finaliser: also the step function of the fused kernel's per-chunk generators. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
