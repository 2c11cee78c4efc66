package org.maskpro4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LogLogFitTest {

    @Test
    void testOf_PowerLawRecoversExponentAndFactor() {
        double[] x = {6e6, 2.5e7, 1e8, 4e8};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 3 * Math.pow(x[i], 1.5);
        }
        LogLogFit fit = LogLogFit.of(x, y);
        assertEquals(1.5, fit.slope(), 1e-12);
        assertEquals(Math.log(3), fit.intercept(), 1e-9);
        assertEquals(1.0, fit.r2(), 1e-12);
        assertEquals(3 * Math.pow(7e9, 1.5), fit.predict(7e9), 3 * Math.pow(7e9, 1.5) * 1e-9);
    }

    /** ln y = 0, 2, 3 at ln x = 0, 1, 2: slope 3/2, intercept 5/3 − 3/2, r² = 3² / (2 · 42/9), worked by hand. */
    @Test
    void testOf_ScatteredPointsGiveTheLeastSquaresLine() {
        double e = Math.E;
        LogLogFit fit = LogLogFit.of(new double[] {1, e, e * e}, new double[] {1, e * e, e * e * e});
        assertEquals(1.5, fit.slope(), 1e-12);
        assertEquals(1.0 / 6, fit.intercept(), 1e-12);
        assertEquals(81.0 / 84, fit.r2(), 1e-12);
        assertEquals(3, fit.points());
    }

    @Test
    void testOf_RejectsWhatHasNoLogOrNoSpread() {
        assertThrows(IllegalArgumentException.class, () -> LogLogFit.of(new double[] {1, 2}, new double[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> LogLogFit.of(new double[] {-1, 2}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> LogLogFit.of(new double[] {5, 5}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> LogLogFit.of(new double[] {5}, new double[] {1}));
    }
}
