package org.maskpro4j.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ProgressMeterTest {
    @Test
    void barShareRateAndTimeLeft() {
        ProgressMeter meter = new ProgressMeter(0, 200);
        assertEquals("[######..............]  30%  2.00 steps/s  ETA 1m10s", meter.format(60, 2.0));
        assertEquals("[####################] 100%  4.00 steps/s  ETA 0m00s", meter.format(200, 4.0));
        assertEquals("[....................]   0%  0.00 steps/s  ETA ?", meter.format(0, 0));
        assertEquals("2h05m", ProgressMeter.duration(7500));
    }

    @Test
    void refusesImpossibleRuns() {
        assertThrows(IllegalArgumentException.class, () -> new ProgressMeter(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new ProgressMeter(0, 0));
    }
}
