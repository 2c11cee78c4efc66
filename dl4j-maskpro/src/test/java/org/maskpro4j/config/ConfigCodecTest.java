package org.maskpro4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.maskpro4j.maskllm.MaskLlmConfig;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.MethodSettings;
import org.maskpro4j.method.OneShotOptions;
import org.maskpro4j.nm.NmPattern;

/** Every config's one text form: exact round trips through a stored file, defaults for left-out keys, unknown keys refused. */
class ConfigCodecTest {
    private static final MaskProConfig MASKPRO = MaskProConfig.builder().pattern("4:8").learningRate(0.1 + 0.2)
            .smoothing(0.95).logitMagnitude(6.5).samplesPerStep(3).steps(77).seed(-5).logEvery(7).checkpointEvery(11).build();
    private static final MaskLlmConfig MASKLLM = MaskLlmConfig.builder().pattern("4:8").steps(12).learningRate(1e-3)
            .minLearningRateRatio(0.2).betas(0.8, 0.9).epsilon(1e-7).weightDecay(0.05).gradientClip(2).kappa(50, 400)
            .tau(3, 0.1).priorStrength(2.5).weightRegularization(3e-6).gateInitStd(0.02).seed(9).logEvery(4).build();

    /** Through the text a file holds, not just the Properties object. */
    private static Properties stored(Properties p) throws Exception {
        StringWriter w = new StringWriter();
        p.store(w, "test");
        Properties back = new Properties();
        back.load(new StringReader(w.toString()));
        return back;
    }

    @Test
    void everyConfigSurvivesAStoredFileExactly() throws Exception {
        MaskProConfig maskPro = MaskProConfig.fromProperties(stored(MASKPRO.toProperties()));
        assertEquals(MASKPRO.toProperties(), maskPro.toProperties());
        assertEquals(0.1 + 0.2, maskPro.learningRate(), 0.0, "doubles keep their exact value");
        assertEquals(NmPattern.of(4, 8), maskPro.pattern());

        MaskLlmConfig maskLlm = MaskLlmConfig.CODEC.read(stored(MaskLlmConfig.CODEC.toProperties(MASKLLM)));
        assertEquals(MaskLlmConfig.CODEC.toMap(MASKLLM), MaskLlmConfig.CODEC.toMap(maskLlm));
        assertEquals(0.8, maskLlm.beta1(), 0.0);
        assertEquals(0.1, maskLlm.tauEnd(), 0.0);
        assertEquals(18, MaskLlmConfig.CODEC.keys().size(), "every field of the config has a key");

        OneShotOptions oneShot = new OneShotOptions(64, 0.05, false);
        assertEquals(oneShot, OneShotOptions.CODEC.read(stored(OneShotOptions.CODEC.toProperties(oneShot))));

        MethodSettings settings = MethodSettings.builder(MASKPRO).maskLlm(MASKLLM).oneShot(oneShot).build();
        MethodSettings back = MethodSettings.fromProperties(stored(settings.toProperties()), Set.of());
        assertEquals(settings.toProperties(), back.toProperties());
        assertTrue(settings.toProperties().containsKey("maskllm.kappaEnd") && settings.toProperties().containsKey("oneshot.calibration"));
    }

    @Test
    void leftOutKeysKeepTheirDefaultsAndMaskLlmFollowsMaskPro() {
        Properties p = new Properties();
        p.setProperty("pattern", "2:4");
        p.setProperty("steps", "40");
        p.setProperty("maskllm.tauEnd", "0.5");
        MethodSettings s = MethodSettings.fromProperties(p, Set.of());
        assertEquals(MaskProConfig.builder().pattern("2:4").steps(40).build().toProperties(), s.maskPro().toProperties());
        assertEquals(40, s.maskLlm().steps(), "MaskLLM takes MaskPro's steps unless told otherwise");
        assertEquals(NmPattern.of(2, 4), s.maskLlm().pattern());
        assertEquals(0.5, s.maskLlm().tauEnd(), 0.0);
        assertEquals(5e-4, s.maskLlm().learningRate(), 0.0);
        assertEquals(OneShotOptions.DEFAULTS, s.oneShot());
    }

    @Test
    void unknownKeysAndBadValuesAreRefusedWithOneClearLine() {
        Properties misspelt = MASKPRO.toProperties();
        misspelt.setProperty("learningrate", "10");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskProConfig.fromProperties(misspelt));
        assertEquals("MaskPro config: unknown key 'learningrate'; known keys: " + MaskProConfig.CODEC.keys(), e.getMessage());

        Properties extra = new Properties();
        extra.setProperty("pattern", "2:4");
        extra.setProperty("maskllm.kapa", "3");
        e = assertThrows(IllegalArgumentException.class, () -> MethodSettings.fromProperties(extra, Set.of("prior")));
        assertTrue(e.getMessage().startsWith("Method settings: unknown key 'maskllm.kapa'; known keys: ["), e.getMessage());
        extra.remove("maskllm.kapa");
        extra.setProperty("prior", "wanda");
        assertEquals(NmPattern.of(2, 4), MethodSettings.fromProperties(extra, Set.of("prior")).pattern(), "caller's keys pass");

        e = assertThrows(IllegalArgumentException.class, () -> MaskProConfig.CODEC.read(Map.of("pattern", "2:4", "steps", "many")));
        assertEquals("MaskPro config: steps=many is not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OneShotOptions.CODEC.read(Map.of("calibration", "layer")));
        assertTrue(e.getMessage().contains("calibration must be block or matrix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskProConfig.CODEC.read(Map.of("pattern", "2:4", "smoothing", "1.5")));
        assertTrue(e.getMessage().contains("smoothing α must be in [0, 1)"), "the builder's own validation: " + e.getMessage());
    }
}
