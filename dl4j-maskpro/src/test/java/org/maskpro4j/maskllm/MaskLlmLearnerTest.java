package org.maskpro4j.maskllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.GumbelTopN;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.SameDiffModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.weightinit.impl.XavierInitScheme;
import org.maskpro4j.testing.SmallMlp;

class MaskLlmLearnerTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private static MultiLayerNetworkModel model(MultiLayerNetwork net, NmPattern pattern) {
        return new MultiLayerNetworkModel(net, pattern, WeightSelection.all());
    }

    private static double mean(List<MaskLlmStepRecord> records) {
        return records.stream().mapToDouble(MaskLlmStepRecord::loss).average().orElseThrow();
    }

    /** Mean loss over the data of {@code draws} uniformly random strict masks. */
    private static double randomMaskLoss(MultiLayerNetworkModel m, List<DataSet> data, int draws) {
        double sum = 0;
        for (int d = 0; d < draws; d++) {
            for (MaskableWeight w : m.weights()) {
                INDArray zeros = Nd4j.zeros(DataType.FLOAT, w.layout().groupCount(), w.layout().pattern().m());
                w.applyMask(GumbelTopN.sample(zeros, w.layout().pattern(), 1000 + d));
            }
            sum += SmallMlp.meanLoss(m, data);
        }
        return sum / draws;
    }

    @Test
    void softMaskLossFallsAtFixedTemperature() {
        MultiLayerNetworkModel m = model(SmallMlp.trainedMlp(7, DataType.FLOAT), P24);
        List<DataSet> data = SmallMlp.data(8, 4, 32, DataType.FLOAT);
        MaskLlmConfig config = MaskLlmConfig.builder().pattern(P24).steps(40).learningRate(5e-3).kappa(100, 100).tau(1, 1)
                .weightRegularization(0).seed(1).logEvery(20).build();
        MaskLlmResult r = new MaskLlmLearner(config).learn(m, data, null);
        assertEquals(40, r.history().size());
        double early = mean(r.history().subList(0, 8));
        double late = mean(r.history().subList(32, 40));
        System.out.println("soft-mask loss, fixed κ=100 τ=1: first 8 steps " + early + " -> last 8 steps " + late);
        assertTrue(late < 0.8 * early, "soft-mask loss did not fall: " + early + " -> " + late);
        double maxEarly = r.history().get(0).meanMaxRelaxed();
        double maxLate = r.history().get(39).meanMaxRelaxed();
        assertTrue(maxLate > maxEarly, "the relaxed choice should sharpen: " + maxEarly + " -> " + maxLate);
    }

    @Test
    void finalMaskIsStrictAppliedAndBeatsRandomMasks() {
        for (NmPattern pattern : List.of(P24, NmPattern.of(4, 8))) {
            MultiLayerNetwork net = SmallMlp.trainedMlp(7, DataType.FLOAT);
            MultiLayerNetworkModel m = model(net, pattern);
            List<DataSet> data = SmallMlp.data(8, 4, 32, DataType.FLOAT);
            double dense = SmallMlp.meanLoss(m, data);
            double random = randomMaskLoss(m, data, 5);
            MaskLlmConfig config = MaskLlmConfig.builder().pattern(pattern).steps(40).learningRate(5e-3).seed(3)
                    .logEvery(20).build();
            MaskLlmResult r = new MaskLlmLearner(config).learn(m, data, null);
            double learned = SmallMlp.meanLoss(m, data);
            long weights = m.weights().stream().mapToLong(w -> w.layout().weightCount()).sum();
            System.out.printf("%s MLP loss: dense %.4f, random strict masks %.4f, MaskLLM (no prior, 40 steps) %.4f;"
                    + " %.2f ms/step; state %d B = %.2f B/weight%n", pattern, dense, random, learned,
                    1e3 * r.seconds() / r.steps(), r.stateBytes(), (double) r.stateBytes() / weights);
            assertTrue(learned < random, pattern + ": learned " + learned + " vs random " + random);
            for (MaskableWeight w : m.weights()) {
                INDArray mask = r.masks().get(w.name());
                assertTrue(Strictness.check(mask, pattern).strict(), w.name() + " mask is not strict " + pattern);
                INDArray expected = w.layout().fromGroups(w.layout().toGroups(w.dense()).mul(mask));
                assertEquals(expected, w.live(), w.name() + ": live weights must be dense ⊙ final mask");
            }
            // gates, two Adam moments and ỹ: K/M floats per weight each; M̃: one float per weight
            double k = pattern.combinations();
            assertEquals(Math.round(weights * 4 * (4 * k / pattern.m() + 1)), r.stateBytes());
        }
    }

    @Test
    void learnerWritesOnlyTheLiveWeights() {
        MultiLayerNetwork net = SmallMlp.trainedMlp(7, DataType.FLOAT);
        MultiLayerNetworkModel m = model(net, P24);
        List<DataSet> data = SmallMlp.data(8, 4, 32, DataType.FLOAT);
        INDArray params = net.params().dup();
        Map<String, INDArray> dense = new HashMap<>();
        for (MaskableWeight w : m.weights()) {
            dense.put(w.name(), w.dense().dup());
        }
        Map<String, INDArray> prior = new MagnitudePrior().masks(m, data);
        Map<String, INDArray> priorCopy = new HashMap<>();
        prior.forEach((k, v) -> priorCopy.put(k, v.dup()));
        List<INDArray> features = data.stream().map(ds -> ds.getFeatures().dup()).toList();

        new MaskLlmLearner(MaskLlmConfig.builder().pattern(P24).steps(10).seed(2).build()).learn(m, data, prior);

        assertNotEquals(params, net.params(), "the final mask was not applied");
        for (MaskableWeight w : m.weights()) {
            assertEquals(dense.get(w.name()), w.dense(), w.name() + ": dense copy changed");
            w.restoreDense();
        }
        assertEquals(params, net.params(), "something besides the masked weights changed");
        assertEquals(priorCopy, prior, "the prior masks were modified");
        for (int i = 0; i < data.size(); i++) {
            assertEquals(features.get(i), data.get(i).getFeatures(), "the data was modified");
        }
    }

    @Test
    void sameSeedGivesSameMasksAndHistory() {
        MultiLayerNetwork original = SmallMlp.trainedMlp(7, DataType.FLOAT);
        List<DataSet> data = SmallMlp.data(8, 4, 32, DataType.FLOAT);
        MaskLlmConfig config = MaskLlmConfig.builder().pattern(P24).steps(15).learningRate(5e-3).seed(11).build();
        MultiLayerNetworkModel a = model(original.clone(), P24);
        MultiLayerNetworkModel b = model(original.clone(), P24);
        MultiLayerNetworkModel c = model(original.clone(), P24);
        Map<String, INDArray> prior = new MagnitudePrior().masks(a, data);
        MaskLlmResult ra = new MaskLlmLearner(config).learn(a, data, prior);
        MaskLlmResult rb = new MaskLlmLearner(config).learn(b, data, prior);
        MaskLlmResult rc = new MaskLlmLearner(config.toBuilder().seed(12).build()).learn(c, data, prior);
        assertEquals(ra.masks(), rb.masks());
        assertEquals(ra.history(), rb.history());
        assertNotEquals(ra.history(), rc.history(), "another seed must draw other noise");
    }

    @Test
    void emptyDataAndMismatchedPatternAreRefused() {
        MultiLayerNetworkModel m = model(SmallMlp.trainedMlp(7, DataType.FLOAT), P24);
        MaskLlmLearner learner = new MaskLlmLearner(MaskLlmConfig.builder().pattern(P24).steps(1).build());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> learner.learn(m, List.of(), null));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        MaskLlmLearner other = new MaskLlmLearner(MaskLlmConfig.builder().pattern("4:8").steps(1).build());
        List<DataSet> data = SmallMlp.data(8, 1, 8, DataType.FLOAT);
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> other.learn(m, data, null));
        assertTrue(mismatch.getMessage().contains("hidden/W") && mismatch.getMessage().contains("4:8"), mismatch.getMessage());
    }

    @Test
    void learnsOnASameDiffGraph() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, 16);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 4);
        SDVariable w0 = sd.var("w0", new XavierInitScheme('c', 16, 32), DataType.FLOAT, 16, 32);
        SDVariable w1 = sd.var("w1", new XavierInitScheme('c', 32, 4), DataType.FLOAT, 32, 4);
        sd.loss.softmaxCrossEntropy("loss", label, sd.nn.relu(in.mmul(w0), 0).mmul(w1), null);
        SameDiffModel m = SameDiffModel.builder(sd).pattern(P24).loss("loss").weight("w0", GroupLayout.Kind.IN_OUT)
                .weight("w1", GroupLayout.Kind.IN_OUT).build();
        List<Map<String, INDArray>> data = SmallMlp.data(8, 4, 32, DataType.FLOAT).stream()
                .map(ds -> Map.of("in", ds.getFeatures(), "label", ds.getLabels())).toList();
        MaskLlmResult r = new MaskLlmLearner(MaskLlmConfig.builder().pattern(P24).steps(12).learningRate(5e-3).seed(4).build())
                .learn(m, data, null);
        assertTrue(r.history().stream().allMatch(s -> Double.isFinite(s.loss()) && Double.isFinite(s.gradientNorm())));
        for (MaskableWeight w : m.weights()) {
            INDArray mask = r.masks().get(w.name());
            assertTrue(Strictness.check(mask, P24).strict(), w.name());
            assertEquals(w.layout().fromGroups(w.layout().toGroups(w.dense()).mul(mask)), w.live(), w.name());
        }
    }
}
