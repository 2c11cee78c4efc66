package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link TopN} ranks exactly as its definition says, ties to the lower index, on inputs full of ties. */
class TopNTest {

    /** Group counts cross the ranking chunk (95,325 groups at M=4, 32,768 at M=8, 10,082 at M=16). */
    @ParameterizedTest
    @CsvSource({"2:4, 100000, FLOAT", "1:4, 5000, DOUBLE", "3:5, 777, DOUBLE", "4:8, 35000, DOUBLE",
            "8:16, 11000, FLOAT", "3:16, 500, INT"})
    void ranksAndMaskMatchTheDefinitionWithTies(String text, int groups, DataType type) {
        NmPattern p = NmPattern.parse(text);
        double[][] values = scoresWithTies(new Random(groups), groups, p.m(), type != DataType.INT);
        INDArray scores = Nd4j.createFromArray(values).castTo(type);
        double[][] expected = referenceRanks(values);
        INDArray expectedRanks = Nd4j.createFromArray(expected)
                .castTo(type.isFPType() ? type : DataType.DOUBLE);
        INDArray expectedMask = expectedRanks.lt(p.n()).castTo(type.isFPType() ? type : DataType.FLOAT);

        assertEquals(expectedRanks, TopN.ranks(scores), p + " " + type + " ranks");
        assertEquals(expectedMask, TopN.mask(scores, p), p + " " + type + " mask");
        // column-major input takes the same path through views
        assertEquals(expectedMask, TopN.mask(scores.dup('f'), p), p + " " + type + " mask of an f-order copy");
    }

    /** The ranking arena is freed when a call returns, so no caller holds its 16 MB for the rest of the process. */
    @org.junit.jupiter.api.Test
    void scratchIsReleasedAfterEachCall() {
        INDArray scores = Nd4j.rand(DataType.FLOAT, 200_000, 4);
        TopN.mask(scores, NmPattern.of(2, 4));
        assertEquals(false, Nd4j.getWorkspaceManager().checkIfWorkspaceExists("maskpro4j-top-n"));
        TopN.ranks(scores);
        assertEquals(false, Nd4j.getWorkspaceManager().checkIfWorkspaceExists("maskpro4j-top-n"));
    }

    /** GumbelTopN ranks its keys with TopN, so exact ties in the logits (noise cannot split 1e20) go low index first. */
    @ParameterizedTest
    @CsvSource({"2:4", "4:8"})
    void gumbelTopNBreaksExactTiesTowardsTheLowerIndex(String text) {
        NmPattern p = NmPattern.parse(text);
        INDArray logits = Nd4j.valueArrayOf(new long[] {3, p.m()}, 1e20f, DataType.FLOAT);
        INDArray mask = GumbelTopN.sample(logits, p, 3);
        for (int j = 0; j < p.m(); j++) {
            assertEquals(j < p.n() ? 1.0 : 0.0, mask.getDouble(0, j), "all tied: the first N positions win");
        }
    }

    /** Few distinct values so most groups hold ties, plus infinities where floating types allow them. */
    private static double[][] scoresWithTies(Random rng, int groups, int m, boolean infinities) {
        double[][] values = new double[groups][m];
        for (double[] row : values) {
            for (int j = 0; j < m; j++) {
                int pick = rng.nextInt(infinities ? 7 : 5);
                row[j] = switch (pick) {
                    case 5 -> Double.POSITIVE_INFINITY;
                    case 6 -> Double.NEGATIVE_INFINITY;
                    default -> pick - 2;
                };
            }
        }
        return values;
    }

    /** Rank of j = how many entries beat it: larger, or equal at a lower index. */
    private static double[][] referenceRanks(double[][] values) {
        double[][] ranks = new double[values.length][];
        for (int g = 0; g < values.length; g++) {
            double[] row = values[g];
            ranks[g] = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                for (int k = 0; k < row.length; k++) {
                    if (row[k] > row[j] || (row[k] == row[j] && k < j)) {
                        ranks[g][j]++;
                    }
                }
            }
        }
        return ranks;
    }
}
