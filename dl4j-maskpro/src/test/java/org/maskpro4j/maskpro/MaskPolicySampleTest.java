package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.FusedGroupKernel;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.KeptSets;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link MaskPolicy#sample} draws exactly what {@link GumbelTopN#sample} draws for the policy's logits and seed on the
 * reference path, and what {@link FusedGroupKernel#sample} draws on the fused CPU path; both paths update alike.
 */
class MaskPolicySampleTest {

    /** A policy on the ND4J reference path (the property is read when a policy is built). */
    private static MaskPolicy referencePolicy(NmPattern pattern, INDArray logits) {
        return withProperty(MaskPolicy.KERNEL_PROPERTY, "reference", () -> policy(pattern, logits));
    }

    /** Builds something with a system property set, restoring it after. */
    static <T> T withProperty(String key, String value, java.util.function.Supplier<T> build) {
        String before = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return build.get();
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    static MaskPolicy policy(NmPattern pattern, INDArray logits) {
        long groups = logits.size(0);
        INDArray weight = Nd4j.ones(DataType.FLOAT, groups, pattern.m());
        MaskableWeight w = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, weight.shape(), pattern), weight);
        INDArray prior = TopN.mask(logits, pattern);
        return MaskPolicy.restore(pattern, List.of(w), logits, prior);
    }

    /** Several sizes per pattern; {@code TopNTest} covers the ranking's chunk borders. */
    @ParameterizedTest
    @CsvSource({"2:4, 60000", "4:8, 20000", "8:16, 5000", "1:4, 3"})
    void testSample_EqualsGumbelTopNSample(String text, long groups) {
        NmPattern pattern = NmPattern.parse(text);
        INDArray logits;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(11)) {
            logits = Nd4j.randn(rng, groups, pattern.m()).muli(3).castTo(DataType.FLOAT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        MaskPolicy policy = referencePolicy(pattern, logits);
        assertFalse(policy.fused());
        // not seed 0: ND4J M2.1's native generator draws differently on every instance created with seed 0
        for (long seed : new long[] {1, -1, GumbelTopN.derive(5, 17, 0)}) {
            INDArray expected = GumbelTopN.sample(policy.logits().castTo(DataType.FLOAT), pattern, seed);
            INDArray actual = policy.sample(seed).castTo(DataType.FLOAT);
            assertEquals(expected, actual, "pattern " + pattern + ", seed " + seed);
        }
    }

    /**
     * Logits far apart beyond any noise: the larger win, on both paths, whatever the seed. Equal logits are no tie for
     * the fused path's exponential race (it draws among them uniformly, as it should), so the all-equal row is only
     * checked for strictness. The values stay inside the halves the policy stores logits in.
     */
    @ParameterizedTest
    @CsvSource({"2:4", "4:8"})
    void testSample_KeepsLogitsFarAboveTheRest(String text) {
        NmPattern pattern = NmPattern.parse(text);
        int m = pattern.m();
        float[][] rows = new float[3][m];
        for (int j = 0; j < m; j++) {
            rows[0][j] = 60f;
            rows[1][j] = j % 2 == 0 ? 60f : -60f;
            rows[2][j] = j >= m / 2 ? 60f : 0f;
        }
        INDArray logits = Nd4j.createFromArray(rows);
        MaskPolicy policy = policy(pattern, logits);
        assertTrue(policy.fused(), "the CPU backend takes the fused path by default");
        INDArray actual = policy.sample(3).castTo(DataType.FLOAT);
        INDArray reference = GumbelTopN.sample(logits, pattern, 3);
        assertEquals(reference.getRow(1), actual.getRow(1));
        assertEquals(reference.getRow(2), actual.getRow(2));
        assertEquals(pattern.n(), actual.getRow(0).sumNumber().intValue(), "all equal: N positions drawn");
    }

    /**
     * The changed share of the applied draw, read from the kept sets of the weights that hold them (groups starting
     * mid-word of the prior's ranks) and ranked from the bits for a weight in dense mode, equals the share ranked from
     * the draw's bits, draw after draw.
     */
    @ParameterizedTest
    @CsvSource({"2:4", "3:4", "4:8"})
    void changedShareOfTheAppliedDrawEqualsTheDrawsOwn(String text) {
        NmPattern pattern = NmPattern.parse(text);
        long[] groups = {100, 1000, 333};
        List<MaskableWeight> weights = new java.util.ArrayList<>();
        for (int i = 0; i < groups.length; i++) {
            INDArray weight = Nd4j.rand(DataType.FLOAT, groups[i], pattern.m());
            weights.add(new ParamWeight("w" + i, GroupLayout.of("w" + i, GroupLayout.Kind.OUT_IN, weight.shape(), pattern),
                    weight));
        }
        weights.get(2).assignLive(weights.get(2).dense()); // a dense copy from now on: it holds no kept sets
        INDArray logits;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(17)) {
            logits = Nd4j.randn(rng, 1433, pattern.m()).muli(2).castTo(DataType.FLOAT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        MaskPolicy policy = MaskPolicy.restore(pattern, weights, logits, TopN.mask(logits.neg(), pattern));
        assertEquals(java.util.OptionalLong.empty(), weights.get(2).groupsChangedFrom(new KeptSets(333, pattern), 0));
        for (long seed = 1; seed <= 3; seed++) {
            org.maskpro4j.weights.MaskBits drawn = policy.draw(seed);
            policy.apply(drawn);
            double share = policy.changedFromPrior(drawn);
            assertTrue(share > 0.2, "the prior is the least likely mask: most groups differ, " + share);
            assertEquals(share, policy.changedFromPriorApplied(drawn), "draw " + seed);
        }
    }

    @ParameterizedTest
    @CsvSource({"2:4", "4:8"})
    void testFusedPath_DrawsTheKernelsMasksAndUpdatesLikeTheReference(String text) {
        NmPattern pattern = NmPattern.parse(text);
        INDArray logits;
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(13)) {
            logits = Nd4j.randn(rng, 9000, pattern.m()).muli(3).castTo(DataType.FLOAT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // halves: Logit8Test compares the paths' byte logits, which round stochastically
        MaskPolicy fused = withProperty(MaskPolicy.LOGITS_PROPERTY, "half", () -> policy(pattern, logits.dup()));
        MaskPolicy reference = withProperty(MaskPolicy.LOGITS_PROPERTY, "half", () -> referencePolicy(pattern, logits.dup()));
        assertTrue(fused.fused());
        INDArray mask = fused.sample(21);
        assertEquals(DataType.BYTE, mask.dataType(), "drawn masks take a byte per position");
        INDArray expected = Nd4j.create(DataType.BYTE, 9000, pattern.m());
        // 9,000 groups are one block of the policy's fused path, drawn with the block's derived seed
        new FusedGroupKernel(pattern, 1).sample(fused.logits().castTo(DataType.FLOAT), GumbelTopN.derive(21, 0), expected);
        assertEquals(expected, mask);
        assertEquals(mask, fused.sample(21), "same seed, same mask");
        assertEquals(reference.changedFromPrior(mask), reference.changedShare(mask, reference.priorMask()), 1e-12);
        assertEquals(reference.changedFromPrior(mask), fused.changedFromPrior(mask), 1e-12);
        assertEquals(reference.changedFromPrior(mask), fused.changedFromPrior(fused.draw(21)), 1e-12, "the draw's bits");
        fused.ascend(mask, 40.0);
        reference.ascend(mask, 40.0);
        // both store halves: the fused float gradient is within 1e-6 of the reference's, which can still land on the
        // other side of a half rounding boundary, one half ulp (at most 2^-5 in [-60, 0]) apart
        INDArray diff = Transforms.abs(fused.logits().castTo(DataType.FLOAT).sub(reference.logits().castTo(DataType.FLOAT)));
        assertTrue(diff.maxNumber().doubleValue() <= 0x1.0p-5, "fused and reference updates differ by " + diff.maxNumber());
        double differing = diff.gt(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
        assertTrue(differing < 0.05, "share of logits where the paths' halves differ: " + differing);
        assertTrue(fused.logits().castTo(DataType.FLOAT).sub(logits).amaxNumber().doubleValue() > 1, "the update moved the logits");
    }
}
