package org.maskpro4j.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.OneShotPruner;
import org.maskpro4j.prior.PruneMethod;
import org.maskpro4j.testing.SmallMlp;
import org.maskpro4j.weights.MaskableWeight;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** The one registry: every method by name, the priors, and the messages of unknown names. */
class MaskMethodsTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    private static final List<DataSet> TRAIN = SmallMlp.data(3, 4, 32);

    private static MultiLayerNetworkModel model() {
        return new MultiLayerNetworkModel(SmallMlp.trainedMlp(7), P24, WeightSelection.all());
    }

    @Test
    void everyMethodIsCreatedByItsNameAndProducesStrictMasks() {
        assertEquals(List.of("magnitude", "wanda", "sparsegpt", "sparsegpt-mask", "maskpro", "maskllm"), MaskMethods.names());
        MethodSettings settings = MethodSettings.builder(MaskProConfig.builder().pattern(P24).steps(3).logEvery(1).build())
                .build();
        for (String name : MaskMethods.names()) {
            MaskMethod method = MaskMethods.create(" " + name.toUpperCase() + " ", settings);
            assertEquals(name, method.name());
            assertEquals(name.startsWith("mask"), method.usesPrior(), name);
            assertEquals(method.usesPrior(), MaskMethods.usesPrior(name));
            MultiLayerNetworkModel model = model();
            Map<String, INDArray> prior = method.usesPrior()
                    ? MaskMethods.prior("magnitude", OneShotOptions.DEFAULTS).masks(model, TRAIN) : null;
            model.weights().forEach(MaskableWeight::restoreDense);
            MaskResult result = method.run(model, TRAIN, prior);
            assertEquals(name.equals("sparsegpt"), result.weightsUpdated(), name);
            assertEquals(name.startsWith("mask") ? 3 : 0, result.steps(), name);
            assertEquals(List.of("hidden/W", "out/W"), List.copyOf(result.masks().keySet()));
        }
    }

    @Test
    void unknownNamesAreRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskMethods.requireMethod("obs"));
        assertEquals("Unknown method \"obs\": choose one of " + MaskMethods.names(), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskMethods.requirePrior("maskpro"));
        assertTrue(e.getMessage().contains("Unknown prior \"maskpro\"") && e.getMessage().contains("sparsegpt-mask"));
        assertFalse(MaskMethods.priorNames().contains("maskpro"));
    }

    /** The sweep always accepted a sparsegpt prior; the CLI's prior refused it. Now both mean the same thing. */
    @Test
    void aSparseGptPriorIsTheMaskOfTheUpdateRunOnTheDenseWeights() {
        MultiLayerNetworkModel model = model();
        Map<String, INDArray> prior = MaskMethods.prior("sparsegpt", OneShotOptions.DEFAULTS).masks(model, TRAIN);
        MultiLayerNetworkModel reference = model();
        Map<String, INDArray> updateRun = OneShotPruner.builder(PruneMethod.SPARSEGPT).build().prune(reference, TRAIN).masks();
        assertEquals(updateRun, prior);
        // a prior only computes masks: the update is dropped and the model keeps computing with its dense weights
        for (MaskableWeight w : model.weights()) {
            assertEquals(w.dense(), w.live(), "the prior modified " + w.name());
        }
    }
}
