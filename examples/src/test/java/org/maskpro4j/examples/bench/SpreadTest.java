package org.maskpro4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void testOf_MedianAndQuartilesInterpolate() {
        Spread s = Spread.of(4, 1, 3, 2);
        assertEquals(2.5, s.median(), 1e-12);
        assertEquals(1.75, s.q1(), 1e-12);
        assertEquals(3.25, s.q3(), 1e-12);
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(3 / 2.5, s.relativeRange(), 1e-12);
        assertEquals(1.5 / 2.5, s.relativeIqr(), 1e-12);
    }

    @Test
    void testReciprocal_TurnsSecondsIntoRatesWithMinAndMaxSwapped() {
        Spread rate = Spread.of(0.5, 1.0, 2.0).reciprocal(100);
        assertEquals(100, rate.median(), 1e-12);
        assertEquals(50, rate.min(), 1e-12);
        assertEquals(200, rate.max(), 1e-12);
    }

    @Test
    void testOf_RefusesNoSamplesAndNonFiniteOnes() {
        assertThrows(IllegalArgumentException.class, Spread::of);
        assertThrows(IllegalArgumentException.class, () -> Spread.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Spread.of(1, Double.POSITIVE_INFINITY));
    }
}
