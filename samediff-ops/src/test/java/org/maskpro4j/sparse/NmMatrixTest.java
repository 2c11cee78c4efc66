package org.maskpro4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.nm.NmPattern;

class NmMatrixTest {

    @ParameterizedTest
    @CsvSource({"2:4, 2", "4:8, 3", "1:4, 2", "8:16, 4", "3:5, 3", "1:2, 1"})
    void roundTripIsLossless(String text, int bits) {
        NmPattern p = NmPattern.parse(text);
        int rows = 37;
        int cols = p.m() * 13;
        float[] dense = RandomNm.dense(rows, cols, p, 7);
        NmMatrix w = NmMatrix.compress("w", dense, rows, cols, p);

        assertArrayEquals(dense, w.toDense(), text);
        assertEquals(bits, w.bitsPerIndex());
        assertEquals((long) rows * cols / p.m() * p.n() * Float.BYTES + (long) rows * ((cols / p.m() * p.n() * bits + 7) / 8),
                w.bytes());
        // the same matrix rebuilt from its parts is equal: nothing else carries state
        assertEquals(w, new NmMatrix(p, rows, cols, w.values().clone(), w.positions().clone()));
    }

    @Test
    void twoFourTakesAtMostFiftyFivePercentOfDenseBytes() {
        NmPattern p = NmPattern.parse("2:4");
        NmMatrix w = NmMatrix.compress("w", RandomNm.dense(64, 256, p, 1), 64, 256, p);
        assertEquals(2.125 / 4, (double) w.bytes() / w.denseBytes(), 1e-12);
    }

    @Test
    void refusesAGroupWithMoreThanNNonZerosNamingIt() {
        NmPattern p = NmPattern.parse("2:4");
        float[] dense = RandomNm.dense(3, 8, p, 2);
        dense[1 * 8 + 4] = 1;
        dense[1 * 8 + 5] = 1;
        dense[1 * 8 + 6] = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NmMatrix.compress("fc1", dense, 3, 8, p));
        assertTrue(e.getMessage().contains("'fc1' is not strictly 2:4: row 1, group 1"), e.getMessage());
    }

    @Test
    void rejectsPositionsOutOfOrderAndWrongSizes() {
        NmPattern p = NmPattern.parse("2:4");
        NmMatrix w = NmMatrix.compress("w", RandomNm.dense(2, 8, p, 3), 2, 8, p);
        byte[] positions = w.positions().clone();
        positions[1] = (byte) 0b0101_0101; // positions 1,1 in both groups of row 1: not ascending
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NmMatrix(p, 2, 8, w.values(), positions));
        assertTrue(e.getMessage().contains("row 1, group 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NmMatrix(p, 2, 8, new float[7], w.positions()));
        assertThrows(IllegalArgumentException.class, () -> new NmMatrix(p, 2, 6, w.values(), w.positions()));
    }
}
