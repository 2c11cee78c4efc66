package org.maskpro4j.examples.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.examples.data.InstalledFashionMnist;
import org.maskpro4j.examples.models.TrainedFashionCnn;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.maskpro.MaskProTrainingListener;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Issue acceptance: a CNN trained for one epoch on real Fashion-MNIST, masked 2:4 by MaskPro from the magnitude
 * prior with the library's default settings, beats its magnitude 2:4 mask on held-out data loss and accuracy, through
 * the forward-only learner and through the listener inside {@code fit()} (weights frozen with a zero learning rate, so
 * only the mask changes). This is issue 16's "MLN CNN" model kind.
 */
@Tag("slow")
class FashionMaskProAcceptanceTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    /** The library's defaults: nothing tuned for this model (before the normalized update it needed η = 400, C = 6, K = 4). */
    private static final MaskProConfig CONFIG = MaskProConfig.builder().pattern(P24).steps(150).seed(1).logEvery(25).build();

    private static List<DataSet> train;
    private static DataSet test;

    @BeforeAll
    static void data() {
        FashionMnist fm = InstalledFashionMnist.get();
        DataSet all = fm.load(FashionMnist.Split.TRAIN, 1024);
        train = all.batchBy(64);
        test = fm.load(FashionMnist.Split.TEST, 2000);
    }

    private static MultiLayerNetwork trainedCnn() {
        return TrainedFashionCnn.getOrTrain(Path.of("target/fashion-cnn-seed42.zip"), 42, 1);
    }

    private record Quality(double loss, double accuracy) {
    }

    private static Quality heldOut(MultiLayerNetwork net) {
        Evaluation e = new Evaluation();
        e.eval(test.getLabels(), net.output(test.getFeatures(), false));
        return new Quality(net.score(test, false) - net.calcRegularizationScore(true), e.accuracy());
    }

    private static Quality magnitude(MultiLayerNetwork net, MultiLayerNetworkModel model, Map<String, INDArray> prior) {
        model.weights().forEach(w -> w.applyMask(prior.get(w.name())));
        return heldOut(net);
    }

    private static void assertBeats(Quality learned, Quality magnitude) {
        System.out.println("Fashion CNN 2:4 held-out: magnitude " + magnitude + " -> MaskPro " + learned);
        assertTrue(learned.loss() < magnitude.loss() - 0.005, "loss " + learned + " vs magnitude " + magnitude);
        assertTrue(learned.accuracy() > magnitude.accuracy() + 0.01, "accuracy " + learned + " vs magnitude " + magnitude);
    }

    @Test
    void forwardOnlyMaskProBeatsTheMagnitudeMask() {
        MultiLayerNetwork net = trainedCnn();
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        Map<String, INDArray> prior = new MagnitudePrior().masks(model, train);
        Quality mag = magnitude(net, model, prior);
        new MaskProLearner(CONFIG, null).learn(model, train, prior);
        assertBeats(heldOut(net), mag);
        assertTrue(NmVerifier.verify(model.weights(), model.skipped(), P24).strict());
    }

    @Test
    void maskProInsideFitBeatsTheMagnitudeMask() {
        MultiLayerNetwork net = trainedCnn();
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        Map<String, INDArray> prior = new MagnitudePrior().masks(model, train);
        Quality mag = magnitude(net, model, prior);
        MaskProTrainingListener listener = new MaskProTrainingListener(model, CONFIG, prior);
        net.setLearningRate(0.0);
        net.setListeners(listener);
        int epochs = (int) Math.ceil(CONFIG.steps() / (double) train.size());
        net.fit(new ListDataSetIterator<>(train, 1), epochs);
        listener.finish();
        assertEquals(CONFIG.steps(), listener.state().step());
        assertBeats(heldOut(net), mag);
        assertTrue(NmVerifier.verify(model.weights(), model.skipped(), P24).strict());
    }
}
