package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.SubsetLogProb;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The signs {@link MaskProStep} must get right, on a scripted model whose loss is a function of the mask it
 * computes with (losses chosen per sampled mask). Written against the direction of the update, not its size, so a
 * rescaled advantage keeps these true: a sample better than the prior gains probability (its kept positions' logits
 * rise against the dropped ones), a worse one loses it; with K = 1 the baseline is δ updated before use; with K > 1
 * each sample is compared with the other samples (leave-one-out), not with δ.
 */
class MaskProStepTest {
    private static final NmPattern PATTERN = NmPattern.parse("2:4");
    private static final int GROUPS = 8;

    /** A weight of ones, so the model's live weights are the mask itself; the loss is the script's value of it. */
    private static final class ScriptedModel implements MaskableModel<String> {
        private final MaskableWeight weight;
        private final ToDoubleFunction<INDArray> script;
        final List<INDArray> evaluated = new ArrayList<>();

        ScriptedModel(ToDoubleFunction<INDArray> script) {
            INDArray ones = Nd4j.ones(DataType.FLOAT, GROUPS, PATTERN.m());
            this.weight = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, ones.shape(), PATTERN), ones);
            this.script = script;
        }

        @Override
        public List<MaskableWeight> weights() {
            return List.of(weight);
        }

        @Override
        public double loss(String batch) {
            INDArray mask = weight.live().neq(0).castTo(DataType.FLOAT);
            evaluated.add(mask);
            return script.applyAsDouble(mask);
        }

        @Override
        public INDArray inputRows(MaskableWeight w, String batch) {
            throw new UnsupportedOperationException("MaskPro needs no inputs");
        }

        /** The masks sampled in the last step: all evaluated masks but the prior's own evaluation. */
        List<INDArray> samples(INDArray prior) {
            List<INDArray> samples = new ArrayList<>(evaluated);
            assertTrue(samples.remove(prior), "the step measures the prior mask's loss");
            return samples;
        }
    }

    /** Distinct, mildly uneven logits: samples differ from the prior and from each other. */
    private static INDArray logits() {
        INDArray logits = Nd4j.create(DataType.FLOAT, GROUPS, PATTERN.m());
        for (int g = 0; g < GROUPS; g++) {
            for (int j = 0; j < PATTERN.m(); j++) {
                logits.putScalar(g, j, 0.1 * ((g * 7 + j * 3) % 5) - 0.2);
            }
        }
        return logits;
    }

    private static MaskPolicy policy(ScriptedModel model) {
        INDArray logits = logits();
        return MaskPolicy.restore(PATTERN, model.weights(), logits, TopN.mask(logits, PATTERN));
    }

    private static MaskProConfig config(int samples, double smoothing) {
        return MaskProConfig.builder().pattern(PATTERN).learningRate(0.5).smoothing(smoothing).samplesPerStep(samples)
                .seed(3).build();
    }

    /** Logits with each group's mean removed: what softmax, sampling and top-N see. */
    private static INDArray centred(INDArray logits) {
        INDArray d = logits.castTo(DataType.DOUBLE);
        return d.subColumnVector(d.mean(1).reshape(d.size(0), 1));
    }

    private static double logProb(INDArray logits, INDArray mask) {
        return SubsetLogProb.logProb(logits, mask, PATTERN).sumNumber().doubleValue();
    }

    /** Every kept position of {@code mask} moved up against its group's mean, every dropped one down (or the reverse). */
    private static void assertPositionsMoved(INDArray before, INDArray after, INDArray mask, boolean up) {
        INDArray change = centred(after).sub(centred(before));
        for (int g = 0; g < GROUPS; g++) {
            for (int j = 0; j < PATTERN.m(); j++) {
                boolean kept = mask.getDouble(g, j) == 1;
                double d = change.getDouble(g, j);
                assertTrue(kept == up ? d > 0 : d < 0, "group " + g + " position " + j + (kept ? " (kept)" : " (dropped)")
                        + " moved by " + d + "; expected " + (kept == up ? "up" : "down"));
            }
        }
    }

    private static double cosine(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue() / (a.norm2Number().doubleValue() * b.norm2Number().doubleValue());
    }

    @Test
    void testStep_SampleBetterThanPrior_RaisesItsPositions() {
        runSingleSample(0.25, true);
    }

    @Test
    void testStep_SampleWorseThanPrior_LowersItsPositions() {
        runSingleSample(1.75, false);
    }

    /** Prior loss 1, the sample's loss {@code sampleLoss}; K = 1, δ starts at 0. */
    private static void runSingleSample(double sampleLoss, boolean up) {
        INDArray[] prior = new INDArray[1];
        ScriptedModel model = new ScriptedModel(mask -> mask.equals(prior[0]) ? 1.0 : sampleLoss);
        MaskPolicy policy = policy(model);
        prior[0] = policy.priorMask();
        INDArray before = policy.logits().dup();

        StepRecord record = new MaskProStep(config(1, 0.9), policy).step(model, "batch");

        INDArray sample = model.samples(prior[0]).get(0);
        assertNotEquals(prior[0], sample, "the test needs a sample that differs from the prior");
        assertEquals(sampleLoss - 1.0, record.residual(), 1e-12);
        assertPositionsMoved(before, policy.logits(), sample, up);
        double gain = logProb(policy.logits(), sample) - logProb(before, sample);
        assertTrue(up ? gain > 0 : gain < 0, "log P(sample) changed by " + gain);
    }

    /**
     * K = 1 with α = 0: δ updated before use equals the residual itself, so the advantage is exactly 0 and the logits
     * stay put; a δ read before its update (0 on the first step) would move them.
     */
    @Test
    void testStep_OneSample_BaselineIsDeltaUpdatedBeforeUse() {
        INDArray[] prior = new INDArray[1];
        ScriptedModel model = new ScriptedModel(mask -> mask.equals(prior[0]) ? 1.0 : 0.25);
        MaskPolicy policy = policy(model);
        prior[0] = policy.priorMask();
        INDArray before = policy.logits().dup();
        MaskProStep step = new MaskProStep(config(1, 0.0), policy);

        step.step(model, "batch");
        assertEquals(-0.75, step.delta(), 1e-12);
        assertNotEquals(prior[0], model.samples(prior[0]).get(0));
        assertEquals(0.0, centred(policy.logits()).sub(centred(before)).amaxNumber().doubleValue(), 1e-6,
                "advantage r − δ is 0 when α = 0");
    }

    /**
     * K = 2, both samples better than the prior: leave-one-out compares them with each other, so the better one
     * gains and the worse one loses probability, and the change points along ∇log P(better) − ∇log P(worse). A δ
     * baseline (δ = (1 − α)·mean residual on the first step) would raise both.
     */
    @Test
    void testStep_TwoSamples_LeaveOneOut() {
        INDArray cost = Nd4j.create(DataType.DOUBLE, GROUPS, PATTERN.m());
        for (int g = 0; g < GROUPS; g++) {
            for (int j = 0; j < PATTERN.m(); j++) {
                cost.putScalar(g, j, ((g * 5 + j * 11) % 7) / 7.0);
            }
        }
        INDArray[] prior = new INDArray[1];
        ScriptedModel model = new ScriptedModel(
                mask -> mask.equals(prior[0]) ? 5.0 : mask.castTo(DataType.DOUBLE).mul(cost).sumNumber().doubleValue() / 8);
        MaskPolicy policy = policy(model);
        prior[0] = policy.priorMask();
        INDArray before = policy.logits().dup();

        new MaskProStep(config(2, 0.9), policy).step(model, "batch");

        List<INDArray> samples = model.samples(prior[0]);
        assertEquals(2, samples.size());
        assertNotEquals(samples.get(0), samples.get(1), "the test needs two different samples");
        double loss0 = model.script.applyAsDouble(samples.get(0));
        double loss1 = model.script.applyAsDouble(samples.get(1));
        INDArray better = loss0 < loss1 ? samples.get(0) : samples.get(1);
        INDArray worse = loss0 < loss1 ? samples.get(1) : samples.get(0);
        assertTrue(Math.max(loss0, loss1) < 5.0, "both samples beat the prior");

        INDArray after = policy.logits();
        assertTrue(logProb(after, better) > logProb(before, better), "the better sample gains probability");
        assertTrue(logProb(after, worse) < logProb(before, worse), "the worse sample loses probability");
        INDArray direction = SubsetLogProb.gradLogProb(before, better, PATTERN)
                .sub(SubsetLogProb.gradLogProb(before, worse, PATTERN));
        double cos = cosine(centred(after).sub(centred(before)), centred(direction));
        assertTrue(cos > 0.999, "update along ∇log P(better) − ∇log P(worse): cosine " + cos);
    }

    /** K = 3 samples of equal loss: each equals the mean of the others, so nothing moves, whatever δ is. */
    @Test
    void testStep_EqualLossSamples_LeaveLogitsUnchanged() {
        INDArray[] prior = new INDArray[1];
        ScriptedModel model = new ScriptedModel(mask -> mask.equals(prior[0]) ? 1.0 : 0.5);
        MaskPolicy policy = policy(model);
        prior[0] = policy.priorMask();
        INDArray before = policy.logits().dup();

        new MaskProStep(config(3, 0.9), policy).step(model, "batch");

        List<INDArray> samples = model.samples(prior[0]);
        assertEquals(3, samples.size());
        assertTrue(samples.stream().noneMatch(prior[0]::equals), "every sample differs from the prior");
        assertEquals(0.0, centred(policy.logits()).sub(centred(before)).amaxNumber().doubleValue(), 1e-6);
    }
}
