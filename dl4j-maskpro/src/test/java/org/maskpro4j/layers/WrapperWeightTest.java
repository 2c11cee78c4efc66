package org.maskpro4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WrapperWeightTest {
    private MultiLayerNetwork net;
    private WrapperWeight weight;

    @BeforeEach
    void setUp() {
        net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(9).list()
                .layer(new MaskProDenseLayer.Builder().nIn(8).nOut(3).activation(Activation.IDENTITY).pattern("2:4").build())
                .layer(new DenseLayer.Builder().nIn(3).nOut(2).name("plain").build())
                .layer(new OutputLayer.Builder().nIn(2).nOut(2).build()).build());
        net.init();
        weight = WrapperWeight.of("fc", net.getLayer(0));
    }

    private INDArray randomGroupMask(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return TopN.mask(Nd4j.rand(DataType.FLOAT, weight.layout().groupCount(), 4), TestNets.P24);
    }

    @Test
    void layoutCoversTheWeightAlongItsInputAxis() {
        assertEquals("fc", weight.name());
        assertEquals(GroupLayout.Kind.IN_OUT, weight.layout().kind());
        assertArrayEquals(new long[] {8, 3}, weight.layout().shape());
        assertEquals(TestNets.P24, weight.layout().pattern());
        assertEquals(6, weight.layout().groupCount());
    }

    @Test
    void denseIsTheLiveWeightParameter() {
        net.getLayer(0).getParam(MaskProParams.WEIGHT).addi(1.0);
        assertEquals(net.getLayer(0).getParam(MaskProParams.WEIGHT), weight.dense());
        weight.dense().muli(2.0);
        assertEquals(weight.dense(), net.getLayer(0).getParam(MaskProParams.WEIGHT));
    }

    @Test
    void applyMaskWritesOnlyTheMaskAndLiveIsTheMaskedWeight() {
        INDArray w = weight.dense().dup();
        INDArray groupMask = randomGroupMask(1);

        weight.applyMask(groupMask);

        assertEquals(w, weight.dense());
        assertEquals(weight.layout().fromGroups(groupMask), net.getLayer(0).getParam(MaskProParams.MASK));
        assertEquals(groupMask, weight.groupMask());
        INDArray expectedLive = weight.layout().fromGroups(weight.layout().toGroups(w).mul(groupMask));
        assertEquals(expectedLive, weight.live());
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 8);
        assertEquals(0.0, net.feedForward(x, false).get(1).sub(x.mmul(expectedLive)
                .addRowVector(net.getLayer(0).getParam(MaskProParams.BIAS))).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void liveIsAFreshArray() {
        weight.applyMask(randomGroupMask(2));
        INDArray w = weight.dense().dup();
        weight.live().assign(7.0);
        assertEquals(w, weight.dense());
    }

    @Test
    void assignLiveSetsWeightsAndClearsTheMask() {
        weight.applyMask(randomGroupMask(3));
        INDArray given = Nd4j.randn(DataType.FLOAT, 8, 3);

        weight.assignLive(given);

        assertEquals(given, weight.dense());
        assertEquals(given, weight.live());
        assertEquals(24.0, weight.maskParam().sumNumber().doubleValue(), 0.0);
    }

    @Test
    void restoreDenseClearsTheMaskAndKeepsWeights() {
        INDArray w = weight.dense().dup();
        weight.applyMask(randomGroupMask(4));
        weight.restoreDense();
        assertEquals(w, weight.live());
        assertEquals(w, weight.dense());
    }

    @Test
    void logitsRoundTripThroughTheLayerParameter() {
        Nd4j.getRandom().setSeed(5);
        INDArray logits = Nd4j.randn(DataType.FLOAT, 6, 4);
        weight.storeGroupLogits(logits);
        assertEquals(logits, weight.groupLogits());
        assertEquals(weight.layout().fromGroups(logits), net.getLayer(0).getParam(MaskProParams.LOGITS));
        weight.logitsParam().assign(0.0);
        assertEquals(0.0, net.getLayer(0).getParam(MaskProParams.LOGITS).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void onlyMaskProLayersAreWrappers() {
        assertTrue(WrapperWeight.isWrapper(net.getLayer(0)));
        assertTrue(WrapperWeight.isWrapper(net.getLayerWiseConfigurations().getConf(0).getLayer()));
        assertFalse(WrapperWeight.isWrapper(net.getLayer(1)));
        assertFalse(WrapperWeight.isWrapper(net.getLayerWiseConfigurations().getConf(1).getLayer()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WrapperWeight.of("plain", net.getLayer(1)));
        assertTrue(e.getMessage().contains("'plain'") && e.getMessage().contains("DenseLayer")
                && e.getMessage().contains("MaskProWrapping"), e.getMessage());
    }

    @Test
    void twoViewsOfOneLayerShareState() {
        WrapperWeight other = WrapperWeight.of("fc", net.getLayer(0));
        weight.applyMask(randomGroupMask(6));
        assertEquals(weight.groupMask(), other.groupMask());
        assertNotEquals(24.0, other.maskParam().sumNumber().doubleValue());
    }
}
