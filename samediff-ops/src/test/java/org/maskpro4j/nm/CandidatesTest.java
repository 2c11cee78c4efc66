package org.maskpro4j.nm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class CandidatesTest {

    @Test
    void twoFourRowsAreTheOfficialCodeOrder() {
        INDArray s = Candidates.of(NmPattern.of(2, 4));
        assertEquals(DataType.FLOAT, s.dataType());
        assertArrayEquals(new long[] {6, 4}, s.shape());
        float[][] expected = {
                {1, 1, 0, 0}, {1, 0, 1, 0}, {1, 0, 0, 1}, {0, 1, 1, 0}, {0, 1, 0, 1}, {0, 0, 1, 1}};
        for (int k = 0; k < 6; k++) {
            assertArrayEquals(expected[k], s.getRow(k).toFloatVector(), "row " + k);
        }
    }

    @Test
    void largerPatternsHaveEveryStrictMaskOnceInLexicographicOrder() {
        for (NmPattern p : List.of(NmPattern.of(4, 8), NmPattern.of(2, 8), NmPattern.of(1, 4), NmPattern.of(3, 5))) {
            INDArray s = Candidates.of(p);
            long k = Candidates.count(p);
            assertEquals(Combinatorics.binomial(p.m(), p.n()), k);
            assertArrayEquals(new long[] {k, p.m()}, s.shape());
            assertTrue(Strictness.check(s, p).strict(), p + " rows must be strict");
            List<String> keys = new ArrayList<>();
            for (int row = 0; row < k; row++) {
                keys.add(positions(s.getRow(row).toFloatVector()));
            }
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(null);
            assertEquals(sorted, keys, p + ": rows must follow itertools.combinations order");
            assertEquals(k, keys.stream().distinct().count(), p + ": rows must be distinct");
        }
        assertEquals(70, Candidates.count(NmPattern.of(4, 8)));
        assertEquals(28, Candidates.count(NmPattern.of(2, 8)));
        assertEquals("0,1,2,3", positions(Candidates.of(NmPattern.of(4, 8)).getRow(0).toFloatVector()));
        assertEquals("4,5,6,7", positions(Candidates.of(NmPattern.of(4, 8)).getRow(69).toFloatVector()));
    }

    @Test
    void theLargestAcceptedPatternIsAtTheLimit() {
        assertEquals(Candidates.MAX_COUNT, Candidates.count(NmPattern.of(8, 16)));
    }

    /** Kept positions as fixed-width text, so string order is itertools' tuple order. */
    private static String positions(float[] row) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < row.length; j++) {
            if (row[j] == 1f) {
                b.append(b.length() == 0 ? "" : ",").append(j);
            }
        }
        return b.toString();
    }
}
