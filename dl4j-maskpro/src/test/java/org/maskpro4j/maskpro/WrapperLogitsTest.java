package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.maskpro4j.layers.MaskProDenseLayer;
import org.maskpro4j.layers.WrapperWeight;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.weights.MaskableWeight;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link MaskPolicy#storeLogitsInWrappers} and {@link MaskPolicy#modeMasks} read each weight's own rows of the policy:
 * {@link MaskPolicy#storeLogitsInWrappers} hands each MaskPro wrapper layer exactly its rows of the policy's logits,
 * decoded per weight, also for a weight whose first group is not a multiple of 4 (byte codes pack the maxima's
 * positions 4 groups to a byte at 2:4).
 */
class WrapperLogitsTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);

    @ParameterizedTest
    @ValueSource(strings = {"byte", "half", "float"})
    void wrappersReceiveTheirOwnRowsOfTheLearnedLogits(String logitType) {
        MaskPolicySampleTest.withProperty(MaskPolicy.LOGITS_PROPERTY, logitType, () -> {
            List<WrapperWeight> wrappers = wrappers();
            MaskPolicy policy = learned(wrappers, 7, 1);

            policy.storeLogitsInWrappers();

            INDArray all = policy.logits().castTo(DataType.FLOAT);
            assertEquals(21, all.size(0));
            for (int i = 0; i < wrappers.size(); i++) {
                float[] expected = policy.slice(all, i).dup('c').data().asFloat();
                float[] kept = wrappers.get(i).groupLogits().castTo(DataType.FLOAT).dup('c').data().asFloat();
                assertArrayEquals(expected, kept, wrappers.get(i).name());
            }
            return null;
        });
    }

    /** The final masks a run hands out are ranked per weight from the same rows, with the same changed share. */
    @ParameterizedTest
    @ValueSource(strings = {"byte", "half", "float"})
    void modeMasksAreEachWeightsRowsOfTheMode(String logitType) {
        MaskPolicySampleTest.withProperty(MaskPolicy.LOGITS_PROPERTY, logitType, () -> {
            MaskPolicy policy = learned(wrappers(), 0.5, 4); // logits close enough for the ascents to move the mode
            INDArray mode = policy.mode();
            Map<String, INDArray> perWeight = policy.modeMasks();

            assertEquals(policy.split(mode), perWeight);
            assertEquals(policy.changedFromPrior(mode), policy.changedFromPrior(perWeight), 0.0);
            assertTrue(policy.changedFromPrior(perWeight) > 0, "the ascents moved the mode away from the prior");
            return null;
        });
    }

    /** 12·3/4 = 9 groups, a plain layer, then 8·6/4 = 12: the second weight starts at group 9. */
    private static List<WrapperWeight> wrappers() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new MaskProDenseLayer.Builder().nOut(3).activation(Activation.RELU).pattern("2:4")
                        .name("a").build())
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build())
                .layer(new MaskProDenseLayer.Builder().nOut(6).activation(Activation.RELU).pattern("2:4")
                        .name("b").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.feedForward(12)).build());
        net.init();
        return List.of(WrapperWeight.of("a", net.getLayer(0)), WrapperWeight.of("b", net.getLayer(2)));
    }

    /** A policy over the wrappers from a random prior (logits C·m₀), after five ascents of both signs, {@code size} large. */
    private static MaskPolicy learned(List<WrapperWeight> wrappers, double c, double size) {
        Map<String, INDArray> prior = new HashMap<>();
        Nd4j.getRandom().setSeed(5);
        for (WrapperWeight w : wrappers) {
            prior.put(w.name(), TopN.mask(Nd4j.rand(DataType.FLOAT, w.layout().groupCount(), 4), P24));
        }
        MaskPolicy policy = MaskPolicy.fromPrior(P24, List.<MaskableWeight>copyOf(wrappers), prior, c);
        for (int step = 0; step < 5; step++) {
            INDArray mask = policy.sample(100 + step);
            policy.ascend(mask, size * (step % 2 == 0 ? 0.7 : -0.4));
        }
        return policy;
    }
}
