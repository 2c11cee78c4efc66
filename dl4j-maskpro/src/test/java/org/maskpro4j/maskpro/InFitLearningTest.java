package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * MaskPro inside a real {@code fit()} that keeps training the weights (Adam, non-zero learning rate): what training
 * does after the step budget must not be lost, and the prior's loss must be measured on the current weights.
 */
class InFitLearningTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    @Test
    void afterTheBudgetTrainingContinuesUnderTheFinalMaskAndFinishKeepsIt() {
        MultiLayerNetwork net = SmallMlp.trainedMlp(7);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        List<DataSet> data = SmallMlp.data(3, 20, 32);
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(5).seed(2).build();
        MaskProTrainingListener listener = new MaskProTrainingListener(model, config, new MagnitudePrior().masks(model, data));
        net.setListeners(listener);
        Map<String, INDArray> atBudget = new HashMap<>();
        net.fit(new ListDataSetIterator<>(data.subList(0, 5), 1), 1);
        model.weights().forEach(w -> atBudget.put(w.name(), w.live().dup()));
        net.fit(new ListDataSetIterator<>(data, 1), 1);

        // fifteen more iterations trained the weights, and every one of them kept the final mask
        assertTrue(NmVerifier.verify(model.weights(), model.skipped(), P24).strict(),
                "the model trained dense after the step budget");
        Map<String, INDArray> trained = new HashMap<>();
        for (MaskableWeight w : model.weights()) {
            trained.put(w.name(), w.live().dup());
            assertTrue(w.live().sub(atBudget.get(w.name())).norm2Number().doubleValue() > 1e-4,
                    "weights of " + w.name() + " did not train after the budget");
        }
        MaskProResult result = listener.finish();
        assertEquals(5, result.steps());
        assertTrue(result.seconds() > 0, "seconds not set: " + result.seconds());
        for (MaskableWeight w : model.weights()) {
            assertEquals(trained.get(w.name()), w.live(), "finish() discarded the training of " + w.name());
        }
    }

    @Test
    void thePriorLossIsMeasuredOnTheWeightsOfEachIteration() {
        MultiLayerNetwork net = SmallMlp.trainedMlp(7);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        DataSet batch = SmallMlp.data(3, 1, 32).get(0);
        MaskProConfig config = MaskProConfig.builder().pattern(P24).steps(6).seed(2).build();
        MaskProTrainingListener listener = new MaskProTrainingListener(model, config,
                new MagnitudePrior().masks(model, List.of(batch)));
        net.setListeners(listener);
        net.fit(new ListDataSetIterator<>(Collections.nCopies(6, batch), 1), 1);
        List<Double> priorLosses = listener.finish().history().stream().map(StepRecord::priorLoss).toList();
        assertEquals(6, priorLosses.size());
        assertEquals(6, priorLosses.stream().distinct().count(),
                "the same batch's prior loss was reused although training changed the weights: " + priorLosses);
    }
}
