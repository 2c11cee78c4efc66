package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Chi-square test of a sampler's set frequencies against the exact probabilities {@link SubsetLogProb} assigns. */
final class SetFrequencies {
    static final int DRAWS = 100_000;

    private SetFrequencies() {
    }

    /**
     * @param sampler draws one mask per row of the {@code [DRAWS, M]} FLOAT logits it is given
     * @param quantile the chi-square 0.999 quantile for C(M,N) - 1 degrees of freedom
     */
    static void assertChiSquareFits(NmPattern p, double[] logits, double quantile, UnaryOperator<INDArray> sampler) {
        int sets = (int) p.combinations();
        INDArray row = Nd4j.createFromArray(logits).reshape(1, p.m());
        INDArray drawnRanks = MaskCode.ranks(sampler.apply(row.repeat(0, DRAWS).castTo(DataType.FLOAT)), p);
        INDArray exact = SubsetLogProb.logProb(row.repeat(0, sets), MaskCode.unrank(Nd4j.arange(0, sets), p), p);
        double chiSquare = 0;
        double minExpected = Double.MAX_VALUE;
        for (int set = 0; set < sets; set++) {
            double observed = drawnRanks.eq(set).castTo(DataType.DOUBLE).sumNumber().doubleValue();
            double expected = DRAWS * Math.exp(exact.getDouble(set));
            minExpected = Math.min(minExpected, expected);
            chiSquare += (observed - expected) * (observed - expected) / expected;
        }
        assertTrue(minExpected >= 5, "chi-square needs >= 5 expected draws per set, got " + minExpected);
        assertTrue(chiSquare < quantile, p + ": chi-square " + chiSquare + " >= 0.999 quantile " + quantile);
    }
}
