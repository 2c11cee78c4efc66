package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Gumbel-top-N draws sets with exactly the probabilities {@link SubsetLogProb} assigns, and always strict masks. */
class GumbelTopNSamplingTest {
    @Test
    void setFrequenciesFitExactProbabilitiesFor2of4() {
        // 6 sets, 5 degrees of freedom; chi-square 0.999 quantile (scipy.stats.chi2.ppf(0.999, 5)) = 20.515
        SetFrequencies.assertChiSquareFits(NmPattern.of(2, 4), new double[] {0.3, -0.5, 1.0, 0.1}, 20.515,
                rows -> GumbelTopN.sample(rows, NmPattern.of(2, 4), 101));
    }

    @Test
    void setFrequenciesFitExactProbabilitiesFor4of8() {
        // 70 sets, 69 degrees of freedom; chi-square 0.999 quantile (scipy.stats.chi2.ppf(0.999, 69)) = 111.055
        SetFrequencies.assertChiSquareFits(NmPattern.of(4, 8), new double[] {0.4, -0.3, 0.0, 0.8, -0.6, 0.2, 0.5, -0.1},
                111.055, rows -> GumbelTopN.sample(rows, NmPattern.of(4, 8), 202));
    }

    @Test
    void sameSeedSameMaskDifferentSeedDifferentMask() {
        NmPattern p = NmPattern.of(2, 4);
        INDArray logits = Nd4j.zeros(DataType.FLOAT, 1000, 4);
        INDArray a = GumbelTopN.sample(logits, p, 7);
        assertEquals(a, GumbelTopN.sample(logits, p, 7));
        assertNotEquals(a, GumbelTopN.sample(logits, p, 8));
        assertNotEquals(a, GumbelTopN.sample(logits, p, GumbelTopN.derive(7, 1)));
    }

    @Test
    void sampledAndTopNMasksAreStrictForEveryLayoutKind() {
        Random rng = new Random(3);
        NmPattern[] patterns = {NmPattern.of(2, 4), NmPattern.of(1, 4), NmPattern.of(4, 8), NmPattern.of(8, 16),
                NmPattern.of(3, 16)};
        for (GroupLayout.Kind kind : GroupLayout.Kind.values()) {
            for (NmPattern p : patterns) {
                long fanIn = (long) p.m() * (1 + rng.nextInt(4));
                long other = 1 + rng.nextInt(9);
                long[] shape = switch (kind) {
                    case IN_OUT -> new long[] {fanIn, other};
                    case OUT_IN -> new long[] {other, fanIn};
                    case CONV2D_OIHW -> new long[] {other, fanIn, 1 + rng.nextInt(3), 1 + rng.nextInt(3)};
                };
                GroupLayout layout = GroupLayout.of("w", kind, shape, p);
                INDArray weight = Nd4j.createFromArray(gaussians(rng, layout.weightCount())).reshape(shape);
                INDArray groups = layout.toGroups(weight);
                String where = kind + " " + java.util.Arrays.toString(shape) + " @" + p;
                INDArray top = TopN.mask(Transforms.abs(groups), p);
                INDArray sampled = GumbelTopN.sample(groups, p, rng.nextLong());
                assertTrue(Strictness.check(top, p).strict(), "TopN " + where);
                assertTrue(Strictness.check(sampled, p).strict(), "GumbelTopN " + where);
                assertArrayEquals(shape, layout.fromGroups(sampled).shape(), where);
            }
        }
    }

    private static double[] gaussians(Random rng, long count) {
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextGaussian();
        }
        return values;
    }
}
