package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.SameDiffModel;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;
import org.maskpro4j.testing.SmallMlp;
import org.nd4j.linalg.factory.Nd4j;

@Tag("slow")
class SameDiffMaskProTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    private static SameDiff trainedGraph() {
        Nd4j.getRandom().setSeed(7);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, 16);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 4);
        SDVariable w0 = sd.var("w0", new XavierInitScheme('c', 16, 32), DataType.FLOAT, 16, 32);
        SDVariable b0 = sd.zero("b0", DataType.FLOAT, 1, 32);
        SDVariable w1 = sd.var("w1", new XavierInitScheme('c', 32, 4), DataType.FLOAT, 32, 4);
        SDVariable h = sd.nn.relu("h", in.mmul(w0).add(b0), 0);
        SDVariable logits = h.mmul("logits", w1);
        sd.loss.softmaxCrossEntropy("loss", label, logits, null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(1e-2)).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        sd.fit(new ListDataSetIterator<>(SmallMlp.data(7, 20, 32), 1), 3);
        return sd;
    }

    private static SameDiffModel model(SameDiff sd) {
        return SameDiffModel.builder(sd).pattern(P24).loss("loss").weight("w0", GroupLayout.Kind.IN_OUT)
                .weight("w1", GroupLayout.Kind.IN_OUT).input("w0", "in").input("w1", "h").build();
    }

    private static List<Map<String, INDArray>> batches() {
        List<Map<String, INDArray>> out = new ArrayList<>();
        for (DataSet ds : SmallMlp.data(3, 6, 32)) {
            out.add(Map.of("in", ds.getFeatures(), "label", ds.getLabels()));
        }
        return out;
    }

    @Test
    void forwardOnlyLearnerWorksOnASameDiffGraphAndImprovesOnTheMagnitudeMask() {
        SameDiffModel m = model(trainedGraph());
        List<Map<String, INDArray>> data = batches();
        Map<String, INDArray> prior = new MagnitudePrior().masks(m, data);
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(60).updateRule(UpdateRule.RAW).learningRate(300).logitMagnitude(5).samplesPerStep(4)
                .seed(5).logEvery(20).build();
        new MaskPolicyApplier(m, prior).apply();
        double priorLoss = mean(m, data);
        MaskProResult r = new MaskProLearner(config, null).learn(m, data, prior);
        double learnedLoss = mean(m, data);
        assertTrue(NmVerifier.verify(m.weights(), List.of(), P24).strict());
        System.out.println("SameDiff MLP 2:4 training loss: magnitude prior " + priorLoss + " -> MaskPro " + learnedLoss);
        assertTrue(learnedLoss < priorLoss, "learned " + learnedLoss + " vs prior " + priorLoss);
        assertEquals(60, r.steps());
        INDArray rows = m.inputRows(m.weights().get(1), data.get(0));
        assertEquals(32, rows.size(0));
        assertEquals(32, rows.size(1));
    }

    @Test
    void sameDiffListenerStepsOncePerFitIteration() {
        SameDiff sd = trainedGraph();
        SameDiffModel m = model(sd);
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(100).updateRule(UpdateRule.RAW).learningRate(300).logitMagnitude(3)
                .seed(5).build();
        MaskProSameDiffListener listener = new MaskProSameDiffListener(m, config, new MagnitudePrior().masks(m, List.of()));
        sd.setListeners(listener);
        sd.fit(new ListDataSetIterator<>(SmallMlp.data(3, 5, 32), 1), 2);
        assertEquals(10, listener.state().step());
        listener.finish();
        assertTrue(NmVerifier.verify(m.weights(), List.of(), P24).strict());
    }

    private static double mean(SameDiffModel m, List<Map<String, INDArray>> data) {
        return data.stream().mapToDouble(m::loss).average().orElseThrow();
    }

    /** Applies a per-weight mask map to the model. */
    private record MaskPolicyApplier(SameDiffModel model, Map<String, INDArray> masks) {
        void apply() {
            model.weights().forEach(w -> w.applyMask(masks.get(w.name())));
        }
    }
}
