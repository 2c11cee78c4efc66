package org.maskpro4j.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learning-rate schedules, the distillation weight's range and the one text form of the config. */
class FineTuneConfigTest {

    @Test
    void cosineWarmsUpLinearlyThenFallsToZeroAtTheLastStep() {
        FineTuneConfig c = FineTuneConfig.builder().steps(110).learningRate(2e-3).schedule(LrSchedule.COSINE)
                .warmupSteps(10).build();
        assertEquals(2e-4, c.learningRateAt(1), 1e-15);
        assertEquals(1e-3, c.learningRateAt(5), 1e-15);
        assertEquals(2e-3, c.learningRateAt(10), 1e-15);
        // 100 decay steps: half-way (step 60) is half the peak, a quarter of the way (35) is (1 + cos(π/4))/2 of it
        assertEquals(1e-3, c.learningRateAt(60), 1e-15);
        assertEquals(2e-3 * (1 + Math.cos(Math.PI / 4)) / 2, c.learningRateAt(35), 1e-15);
        assertEquals(0, c.learningRateAt(110), 1e-15);
        for (long s = 11; s < 110; s++) {
            assertTrue(c.learningRateAt(s + 1) < c.learningRateAt(s), "decreasing after warmup at step " + s);
        }
    }

    @Test
    void constantKeepsThePeakAfterWarmup() {
        FineTuneConfig c = FineTuneConfig.builder().steps(50).learningRate(1e-3).warmupSteps(4).build();
        assertEquals(LrSchedule.CONSTANT, c.schedule());
        assertEquals(5e-4, c.learningRateAt(2), 1e-15);
        assertEquals(1e-3, c.learningRateAt(4), 1e-15);
        assertEquals(1e-3, c.learningRateAt(50), 1e-15);
        assertEquals(1e-3, FineTuneConfig.builder().steps(3).build().learningRateAt(1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> c.learningRateAt(0));
    }

    @Test
    void rejectsWeightsAndWarmupsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.builder().distillation(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.builder().distillation(-0.1).build());
        assertThrows(IllegalArgumentException.class, () -> FineTuneConfig.builder().steps(10).warmupSteps(10).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("linear"));
        assertTrue(e.getMessage().contains("cosine"), e.getMessage());
    }

    @Test
    void textFormRoundTripsAndCosineRunsResumeOnlyAtTheirLength() {
        FineTuneConfig c = FineTuneConfig.builder().steps(300).learningRate(3e-3).schedule(LrSchedule.COSINE).warmupSteps(15)
                .distillation(0.75).build();
        FineTuneConfig back = FineTuneConfig.CODEC.read(FineTuneConfig.CODEC.toProperties(c));
        assertEquals(c.toString(), back.toString());
        assertTrue(c.sameRunAs(back));
        FineTuneConfig longer = FineTuneConfig.builder().steps(600).learningRate(3e-3).schedule(LrSchedule.COSINE)
                .warmupSteps(15).distillation(0.75).build();
        assertFalse(c.sameRunAs(longer), "a cosine schedule depends on the run's length");
        FineTuneConfig constant = FineTuneConfig.builder().steps(300).learningRate(3e-3).build();
        assertTrue(constant.sameRunAs(FineTuneConfig.builder().steps(600).learningRate(3e-3).build()));
        assertFalse(constant.sameRunAs(FineTuneConfig.builder().steps(300).learningRate(3e-3).distillation(0.5).build()));
    }
}
