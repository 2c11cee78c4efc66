package org.maskpro4j.maskllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

class MaskLlmConfigTest {

    @Test
    void defaultsAreTheOfficialLlama2ScriptValues() {
        MaskLlmConfig c = MaskLlmConfig.builder().pattern("2:4").build();
        assertEquals(2000, c.steps());
        assertEquals(5e-4, c.learningRate());
        assertEquals(0.1, c.minLearningRateRatio());
        assertEquals(0.9, c.beta1());
        assertEquals(0.95, c.beta2());
        assertEquals(1e-5, c.epsilon());
        assertEquals(0.1, c.weightDecay());
        assertEquals(1.0, c.gradientClip());
        assertEquals(100, c.kappaStart());
        assertEquals(500, c.kappaEnd());
        assertEquals(4, c.tauStart());
        assertEquals(0.05, c.tauEnd());
        assertEquals(3, c.priorStrength());
        assertEquals(1e-5, c.weightRegularization());
        assertEquals(0.01, c.gateInitStd());
        assertEquals(c.toString(), c.toBuilder().build().toString());
    }

    @Test
    void schedulesRunLinearlyOrCosineOverTheSteps() {
        MaskLlmConfig c = MaskLlmConfig.builder().pattern("2:4").steps(1000).build();
        assertEquals(100, c.kappaAt(0), 1e-12);
        assertEquals(300, c.kappaAt(500), 1e-12);
        assertEquals(500, c.kappaAt(1000), 1e-12);
        assertEquals(4, c.tauAt(0), 1e-12);
        assertEquals(2.025, c.tauAt(500), 1e-12);
        assertEquals(0.05, c.tauAt(1000), 1e-12);
        assertEquals(1e-5, c.weightRegularizationAt(0), 1e-18);
        assertEquals(0.5e-5, c.weightRegularizationAt(500), 1e-18);
        assertEquals(0, c.weightRegularizationAt(1000), 1e-18);
        assertEquals(5e-4, c.learningRateAt(0), 1e-15);
        assertEquals(2.75e-4, c.learningRateAt(500), 1e-15);
        assertEquals(5e-5, c.learningRateAt(1000), 1e-15);
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MaskLlmConfig.builder().build()).getMessage()
                .contains("pattern"));
        Map<String, UnaryOperator<MaskLlmConfig.Builder>> bad = Map.ofEntries(
                Map.entry("steps", b -> b.steps(-1)),
                Map.entry("learningRate", b -> b.learningRate(0)),
                Map.entry("learningRate ", b -> b.learningRate(Double.NaN)),
                Map.entry("minLearningRateRatio", b -> b.minLearningRateRatio(1.5)),
                Map.entry("beta1", b -> b.betas(1.0, 0.95)),
                Map.entry("beta2", b -> b.betas(0.9, -0.1)),
                Map.entry("epsilon", b -> b.epsilon(0)),
                Map.entry("weightDecay", b -> b.weightDecay(-0.1)),
                Map.entry("gradientClip", b -> b.gradientClip(-1)),
                Map.entry("κ", b -> b.kappa(100, 0)),
                Map.entry("τ", b -> b.tau(0, 0.05)),
                Map.entry("priorStrength", b -> b.priorStrength(-3)),
                Map.entry("weightRegularization", b -> b.weightRegularization(Double.POSITIVE_INFINITY)),
                Map.entry("gateInitStd", b -> b.gateInitStd(0)),
                Map.entry("logEvery", b -> b.logEvery(0)));
        bad.forEach((name, edit) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> edit.apply(MaskLlmConfig.builder().pattern("2:4")).build(), name);
            assertTrue(e.getMessage().startsWith("MaskLLM config: ") && e.getMessage().contains(name.trim()),
                    name + " → " + e.getMessage());
        });
    }
}
