package org.maskpro4j.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.maskpro4j.maskpro.MaskPolicy;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProResult;
import org.maskpro4j.maskpro.MaskProStep;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskBits;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.PackedMasks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** {@code learn_state_bytes_per_weight} of the bench's 6.3 M-weight MLP after a few real MaskPro steps at 2:4. */
class LearningStateTest {
    private static final NmPattern PATTERN = NmPattern.parse("2:4");
    private final Dl4jSubject subject = SyntheticMlp.subject(2, 1, 3);
    private final MaskableModel<DataSet> model = subject.maskable(PATTERN);

    @AfterEach
    void restore() {
        model.weights().forEach(MaskableWeight::restoreDense);
    }

    /**
     * Byte logits 0.8125 + the prior's ranks 3/32 (policy) and two removed floats of four + the applied mask's ranks 3/32
     * (weights): exactly 3 bytes per weight, every weight's groups filling whole words of ranks.
     */
    @Test
    void twoFourStateIsThreeBytesPerWeight() {
        Map<String, INDArray> prior = new MagnitudePrior().masks(model, List.of());
        MaskProConfig config = MaskProConfig.builder().pattern(PATTERN).seed(3).samplesPerStep(1).build();
        MaskPolicy policy = MaskPolicy.fromPrior(PATTERN, model.weights(), prior, config.logitMagnitude());
        MaskProStep step = new MaskProStep(config, policy);
        for (int i = 0; i < 3; i++) {
            step.step(model, subject.batches().get(0));
        }
        StepBenchmark.LearningState state = StepBenchmark.LearningState.of(policy, model.weights());
        assertEquals(0.8125 + 3.0 / 32, state.policy(), 1e-12, "byte logits + prior ranks");
        assertEquals(2 + 3.0 / 32, state.weights(), 1e-12, "removed values + applied ranks");
        assertTrue(state.total() <= 3.0, "learn_state_bytes_per_weight " + state.total());
    }

    /**
     * What a caller holds beside the state is packed: the prior it passes in and the learner's result are bits (1/8 byte
     * per position), not the BYTE masks they read as, which on this MLP would be 6.3 MB each.
     */
    @Test
    void priorAndResultAreHeldAsBits() {
        Map<String, INDArray> prior = new MagnitudePrior().masks(model, List.of());
        assertInstanceOf(PackedMasks.class, prior);
        MaskProConfig config = MaskProConfig.builder().pattern(PATTERN).seed(3).steps(2).logEvery(2).build();
        MaskProResult r = new MaskProLearner(config, null).learn(model, subject.batches(), prior);
        PackedMasks masks = assertInstanceOf(PackedMasks.class, r.masks());
        long bits = 0;
        for (MaskableWeight w : model.weights()) {
            MaskBits kept = masks.bits(w.name());
            assertEquals(masks.get(w.name()), kept.toMask(DataType.BYTE), w.name());
            bits += kept.groups() * kept.m();
        }
        assertEquals(SyntheticMlp.weights(1), bits, "one bit per weight");
    }
}
