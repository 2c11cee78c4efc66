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

    /**
     * A weight of ones, so the model's live weights are the mask itself. The prior mask (top-2 of {@link #logits()})
     * scores {@code priorLoss}; every other mask what the script gives it.
     */
    private static final class ScriptedModel implements MaskableModel<String> {
        private final MaskableWeight weight;
        private final double priorLoss;
        private final ToDoubleFunction<INDArray> sampleLoss;
        final MaskPolicy policy;
        final INDArray prior;
        final INDArray before;
        final List<INDArray> evaluated = new ArrayList<>();

        ScriptedModel(double priorLoss, ToDoubleFunction<INDArray> sampleLoss) {
            INDArray ones = Nd4j.ones(DataType.FLOAT, GROUPS, PATTERN.m());
            this.weight = new ParamWeight("w", GroupLayout.of("w", GroupLayout.Kind.OUT_IN, ones.shape(), PATTERN), ones);
            this.priorLoss = priorLoss;
            this.sampleLoss = sampleLoss;
            INDArray logits = logits();
            this.prior = TopN.mask(logits, PATTERN);
            this.policy = MaskPolicy.restore(PATTERN, List.of(weight), logits, prior);
            this.before = policy.logits().castTo(DataType.FLOAT); // as stored: halves or bytes round the scripted logits
        }

        @Override
        public List<MaskableWeight> weights() {
            return List.of(weight);
        }

        double lossOf(INDArray mask) {
            return mask.equals(prior) ? priorLoss : sampleLoss.applyAsDouble(mask);
        }

        @Override
        public double loss(String batch) {
            INDArray mask = weight.live().neq(0).castTo(DataType.FLOAT);
            evaluated.add(mask);
            return lossOf(mask);
        }

        @Override
        public INDArray inputRows(MaskableWeight w, String batch) {
            throw new UnsupportedOperationException("MaskPro needs no inputs");
        }

        /** One step; returns the masks it sampled (all evaluated masks but the prior's own evaluation). */
        List<INDArray> step(MaskProStep step) {
            StepRecord record = step.step(this, "batch");
            List<INDArray> samples = new ArrayList<>(evaluated);
            assertTrue(samples.remove(prior), "the step measures the prior mask's loss");
            assertEquals(step.config().samplesPerStep(), samples.size());
            double meanLoss = samples.stream().mapToDouble(this::lossOf).average().orElseThrow();
            assertEquals(meanLoss - priorLoss, record.residual(), 1e-9, "residual: mean sample loss − prior loss");
            return samples;
        }

        /** How far the logits moved, each group's mean change removed (softmax cannot see it). */
        INDArray change() {
            return centred(policy.logits()).sub(centred(before));
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
    private static void assertPositionsMoved(INDArray change, INDArray mask, boolean up) {
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
        ScriptedModel model = new ScriptedModel(1.0, mask -> sampleLoss);
        INDArray sample = model.step(new MaskProStep(config(1, 0.9), model.policy)).get(0);

        assertNotEquals(model.prior, sample, "the test needs a sample that differs from the prior");
        assertPositionsMoved(model.change(), sample, up);
        double gain = logProb(model.policy.logits(), sample) - logProb(model.before, sample);
        assertTrue(up ? gain > 0 : gain < 0, "log P(sample) changed by " + gain);
    }

    /**
     * K = 1 with α = 0: δ updated before use equals the residual itself, so the advantage is exactly 0 and the logits
     * stay put; a δ read before its update (0 on the first step) would move them.
     */
    @Test
    void testStep_OneSample_BaselineIsDeltaUpdatedBeforeUse() {
        ScriptedModel model = new ScriptedModel(1.0, mask -> 0.25);
        MaskProStep step = new MaskProStep(config(1, 0.0), model.policy);

        assertNotEquals(model.prior, model.step(step).get(0));
        assertEquals(-0.75, step.delta(), 1e-12);
        assertEquals(0.0, model.change().amaxNumber().doubleValue(), 1e-6, "advantage r − δ is 0 when α = 0");
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
        ScriptedModel model = new ScriptedModel(5.0,
                mask -> mask.castTo(DataType.DOUBLE).mul(cost).sumNumber().doubleValue() / 8);
        List<INDArray> samples = model.step(new MaskProStep(config(2, 0.9), model.policy));

        assertNotEquals(samples.get(0), samples.get(1), "the test needs two different samples");
        double loss0 = model.lossOf(samples.get(0));
        double loss1 = model.lossOf(samples.get(1));
        INDArray better = loss0 < loss1 ? samples.get(0) : samples.get(1);
        INDArray worse = loss0 < loss1 ? samples.get(1) : samples.get(0);
        assertTrue(Math.max(loss0, loss1) < 5.0, "both samples beat the prior");

        INDArray after = model.policy.logits();
        assertTrue(logProb(after, better) > logProb(model.before, better), "the better sample gains probability");
        assertTrue(logProb(after, worse) < logProb(model.before, worse), "the worse sample loses probability");
        INDArray direction = SubsetLogProb.gradLogProb(model.before, better, PATTERN)
                .sub(SubsetLogProb.gradLogProb(model.before, worse, PATTERN));
        double cos = cosine(model.change(), centred(direction));
        // the logits are stored rounded: halves by up to 2^-12 per moved position (|logit| < 0.5 here), bytes
        // stochastically by up to a level step (1/32 near 0), unbiased, so the direction holds over all groups
        assertTrue(cos > 0.99, "update along ∇log P(better) − ∇log P(worse): cosine " + cos);
    }

    /** K = 3 samples of equal loss: each equals the mean of the others, so nothing moves, whatever δ is. */
    @Test
    void testStep_EqualLossSamples_LeaveLogitsUnchanged() {
        ScriptedModel model = new ScriptedModel(1.0, mask -> 0.5);
        List<INDArray> samples = model.step(new MaskProStep(config(3, 0.9), model.policy));

        assertTrue(samples.stream().noneMatch(model.prior::equals), "every sample differs from the prior");
        assertEquals(0.0, model.change().amaxNumber().doubleValue(), 1e-6);
    }
    /**
     * A local step draws into one reused buffer and ascends along each draw's bits; a cluster samples all K masks, then
     * advances with their losses. Both must learn the same logits and records, step after step.
     */
    @Test
    void testStep_LocalStepEqualsSampleThenAdvance() {
        ToDoubleFunction<INDArray> script = mask -> 0.3 + 0.01 * mask.mul(logits()).sumNumber().doubleValue();
        ScriptedModel local = new ScriptedModel(1.0, script);
        ScriptedModel shards = new ScriptedModel(1.0, script);
        MaskProStep a = new MaskProStep(config(2, 0.9), local.policy);
        MaskProStep b = new MaskProStep(config(2, 0.9), shards.policy);
        for (int step = 0; step < 4; step++) {
            StepRecord expected = a.step(local, "batch");
            INDArray[] masks = b.sampleMasks();
            double[] losses = new double[masks.length];
            for (int k = 0; k < masks.length; k++) {
                losses[k] = shards.lossOf(masks[k].castTo(DataType.FLOAT));
            }
            StepRecord actual = b.advance(masks, 1.0, losses).record();
            assertEquals(expected, actual, "step " + step);
            assertEquals(local.policy.logits(), shards.policy.logits(), "logits after step " + step);
        }
        assertTrue(local.change().amaxNumber().doubleValue() > 0, "the steps moved the logits");
    }
}
