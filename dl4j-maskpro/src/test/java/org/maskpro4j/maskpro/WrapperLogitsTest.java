package org.maskpro4j.maskpro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
            // 12·3/4 = 9 groups, a plain layer, then 8·6/4 = 12: the second weight starts at group 9
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
            List<WrapperWeight> wrappers = List.of(WrapperWeight.of("a", net.getLayer(0)),
                    WrapperWeight.of("b", net.getLayer(2)));
            Map<String, INDArray> prior = new HashMap<>();
            Nd4j.getRandom().setSeed(5);
            for (WrapperWeight w : wrappers) {
                INDArray groupMask = TopN.mask(Nd4j.rand(DataType.FLOAT, w.layout().groupCount(), 4), P24);
                prior.put(w.name(), groupMask);
            }
            MaskPolicy policy = MaskPolicy.fromPrior(P24, List.<MaskableWeight>copyOf(wrappers), prior, 7);
            for (int step = 0; step < 5; step++) {
                INDArray mask = policy.sample(100 + step);
                policy.ascend(mask, step % 2 == 0 ? 0.7 : -0.4);
            }

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
}
