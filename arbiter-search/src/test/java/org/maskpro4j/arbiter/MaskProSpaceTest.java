package org.maskpro4j.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.arbiter.optimize.api.Candidate;
import org.deeplearning4j.arbiter.optimize.generator.GridSearchCandidateGenerator;
import org.deeplearning4j.arbiter.optimize.generator.RandomSearchGenerator;
import org.junit.jupiter.api.Test;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.method.MethodSettings;

class MaskProSpaceTest {

    @Test
    void gridVisitsEveryCombinationWhateverTheFixedLeavesBetweenThem() {
        // fixed leaves sit between the swept ones: a collected FixedValue would shift K onto α's grid axis
        MaskProSpace space = MaskProSpace.builder().learningRate(50).smoothing(Spaces.choices(0.9, 0.95))
                .logitMagnitude(5).samplesPerStep(Spaces.choices(1, 2)).steps(10).examples(64).prior("magnitude")
                .pattern("2:4").build();
        GridSearchCandidateGenerator grid = new GridSearchCandidateGenerator(space, 3,
                GridSearchCandidateGenerator.Mode.Sequential, null);
        assertEquals(4, grid.getTotalNumCandidates());
        Set<List<Object>> seen = new HashSet<>();
        while (grid.hasMoreCandidates()) {
            Candidate<?> c = grid.getCandidate();
            MaskProConfig config = ((MaskProCandidate) c.getValue()).config();
            assertEquals(50, config.learningRate());
            assertEquals(5, config.logitMagnitude());
            seen.add(List.of(config.smoothing(), config.samplesPerStep()));
        }
        assertEquals(Set.of(List.of(0.9, 1), List.of(0.9, 2), List.of(0.95, 1), List.of(0.95, 2)), seen);
    }

    @Test
    void defaultSpaceDrawsWithinTheDocumentedRanges() {
        RandomSearchGenerator random = new RandomSearchGenerator(MaskProSpace.builder().build(), null);
        random.setRngSeed(5);
        Set<String> priors = new HashSet<>();
        Set<Integer> ks = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            MaskProCandidate c = (MaskProCandidate) random.getCandidate().getValue();
            MaskProConfig m = c.config();
            assertTrue(m.learningRate() >= 1 && m.learningRate() <= 300 * (1 + 1e-12), "η " + m.learningRate());
            assertTrue(m.smoothing() >= 0.9 && m.smoothing() <= 0.999, "α " + m.smoothing());
            assertTrue(m.logitMagnitude() >= 3 && m.logitMagnitude() <= 10, "C " + m.logitMagnitude());
            assertEquals("2:4", m.pattern().toString());
            priors.add(c.prior());
            ks.add(m.samplesPerStep());
        }
        assertEquals(Set.of("magnitude", "wanda"), priors);
        assertEquals(Set.of(1, 2, 4), ks);
    }

    @Test
    void candidateRoundTripsThroughJsonAndProperties() {
        MaskProConfig config = MaskProConfig.builder().pattern("4:8").learningRate(0.1 + 0.2).smoothing(0.987654321)
                .logitMagnitude(7.25).samplesPerStep(4).steps(123).seed(99).build();
        MaskProCandidate c = new MaskProCandidate(config, "sparsegpt-mask", 384);
        assertEquals(c, MaskProCandidate.fromJson(c.toJson()));
        assertEquals(c, MaskProCandidate.fromProperties(c.toProperties()));
        assertEquals(0.1 + 0.2, MaskProCandidate.fromJson(c.toJson()).config().learningRate());
        // what prune --config reads: the method settings plus the candidate's own keys; a plain config refuses those
        assertEquals(config.toProperties(), MethodSettings.fromProperties(c.toProperties(), Set.of("prior", "examples"))
                .maskPro().toProperties());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MaskProConfig.fromProperties(c.toProperties()))
                .getMessage().contains("unknown key 'examples'"));
    }

    @Test
    void badSpacesAndCandidatesAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Spaces.logUniform(0, 10)).getMessage()
                .contains("0 < min < max"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Spaces.uniform(1, 1)).getMessage()
                .contains("Spaces.fixed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MaskProSpace.builder().prior("magnitud"))
                .getMessage().contains("wanda"));
        assertThrows(IllegalArgumentException.class, () -> MaskProSpace.builder().pattern("2-4"));
        MaskProConfig config = MaskProConfig.builder().pattern("2:4").build();
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MaskProCandidate.fromProperties(config.toProperties())).getMessage().contains("prior"));
        assertThrows(IllegalArgumentException.class, () -> new MaskProCandidate(config, "magnitude", 0));
    }
}
