package org.maskpro4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.Strictness;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

class MaskProDenseLayerTest {

    private static MultiLayerConfiguration conf(int nIn, MaskProDenseLayer.Builder hidden) {
        return new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(1e-2)).l2(1e-3).list()
                .layer(hidden.nOut(16).activation(Activation.RELU).pattern("2:4").name("hidden").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(nIn)).build();
    }

    private static MultiLayerNetwork net(int nIn) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(nIn, new MaskProDenseLayer.Builder()));
        net.init();
        return net;
    }

    @Test
    void fitTrainsWeightsButLeavesMaskAndLogitsBitIdentical() {
        MultiLayerNetwork net = net(8);
        WrapperWeight weight = TestNets.applyRandomMask("hidden", net.getLayer(0), 11);
        Nd4j.getRandom().setSeed(12);
        weight.storeGroupLogits(Nd4j.randn(DataType.FLOAT, weight.layout().groupCount(), 4));
        float[] maskBefore = TestNets.bits(weight.maskParam());
        float[] logitsBefore = TestNets.bits(weight.logitsParam());
        INDArray wBefore = weight.dense().dup();
        DataSet data = TestNets.classification(3, 64, new long[] {8}, 3);
        double scoreBefore = net.score(data);

        for (int i = 0; i < 30; i++) {
            net.fit(data);
        }

        assertArrayEquals(maskBefore, TestNets.bits(weight.maskParam()));
        assertArrayEquals(logitsBefore, TestNets.bits(weight.logitsParam()));
        assertTrue(weight.dense().sub(wBefore).norm2Number().doubleValue() > 1e-2, "W must train");
        assertTrue(net.score(data) < scoreBefore, "loss must fall: " + scoreBefore + " -> " + net.score(data));
        assertTrue(Strictness.check(weight.groupMask(), TestNets.P24).strict());
    }

    @Test
    void outputIsActivationOfInputTimesMaskedWeightsPlusBias() {
        MultiLayerNetwork net = net(8);
        WrapperWeight weight = TestNets.applyRandomMask("hidden", net.getLayer(0), 5);
        Nd4j.getRandom().setSeed(6);
        net.getLayer(0).getParam(MaskProParams.BIAS).assign(Nd4j.randn(DataType.FLOAT, 1, 16));
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 8);

        INDArray hidden = net.feedForward(x, false).get(1);

        INDArray expected = Transforms.relu(x.mmul(weight.dense().mul(weight.maskParam()))
                .addRowVector(net.getLayer(0).getParam(MaskProParams.BIAS)));
        assertEquals(0.0, hidden.sub(expected).amaxNumber().doubleValue(), 1e-5);
        // the mask really matters: half of every group is gone
        assertEquals(0.5, weight.maskParam().sumNumber().doubleValue() / weight.maskParam().length(), 1e-9);
    }

    @Test
    void withoutBiasThereIsNoBiasParameter() {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(8, new MaskProDenseLayer.Builder().hasBias(false)));
        net.init();
        assertNull(net.getLayer(0).getParam(MaskProParams.BIAS));
        assertEquals(List.of("W", "nmMask", "nmLogits"), List.copyOf(net.getLayer(0).paramTable().keySet()));
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 8);
        INDArray expected = Transforms.relu(x.mmul(net.getLayer(0).getParam("W")));
        assertEquals(expected, net.feedForward(x, false).get(1));
    }

    @Test
    void newLayerIsDenseXavierWithZeroBias() {
        MultiLayerNetwork net = net(8);
        assertEquals(8 * 16, net.getLayer(0).getParam(MaskProParams.MASK).sumNumber().doubleValue(), 0.0);
        assertEquals(0.0, net.getLayer(0).getParam(MaskProParams.LOGITS).amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, net.getLayer(0).getParam(MaskProParams.BIAS).amaxNumber().doubleValue(), 0.0);
        double std = net.getLayer(0).getParam(MaskProParams.WEIGHT).stdNumber().doubleValue();
        assertEquals(Math.sqrt(2.0 / (8 + 16)), std, 0.1);
    }

    @Test
    void networkDefaultsApply() {
        MultiLayerConfiguration c = new NeuralNetConfiguration.Builder().updater(new Adam(0.5)).activation(Activation.TANH).list()
                .layer(new MaskProDenseLayer.Builder().nIn(4).nOut(4).pattern("1:2").build())
                .layer(new OutputLayer.Builder().nIn(4).nOut(2).build()).build();
        MaskProDenseLayer layer = (MaskProDenseLayer) c.getConf(0).getLayer();
        assertEquals(Activation.TANH, layer.getActivation());
        assertEquals(new Adam(0.5), layer.getUpdaterByParam("W"));
        assertEquals("NoOp", layer.getUpdaterByParam("nmMask").getClass().getSimpleName());
    }

    @Test
    void configJsonRoundTripKeepsClassAndFields() {
        MultiLayerConfiguration c = conf(8, new MaskProDenseLayer.Builder().hasBias(false));
        String json = c.toJson();
        assertTrue(json.contains("org.maskpro4j.layers.MaskProDenseLayer"), json);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        MaskProDenseLayer layer = (MaskProDenseLayer) back.getConf(0).getLayer();
        assertEquals(c.getConf(0).getLayer(), layer);
        assertEquals("2:4", layer.getPattern());
        assertEquals(8, layer.getNIn());
        assertEquals(false, layer.isHasBias());
    }

    @Test
    void malformedPatternIsRejectedNamingTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskProDenseLayer.Builder().name("fc1").nIn(8).nOut(4).pattern("2-4").build());
        assertTrue(e.getMessage().contains("MaskProDenseLayer 'fc1'"), e.getMessage());
        assertTrue(e.getMessage().contains("\"2-4\"") && e.getMessage().contains("\"2:4\""), e.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new MaskProDenseLayer.Builder().name("fc1").nIn(8).nOut(4).build());
        assertTrue(missing.getMessage().contains("fc1") && missing.getMessage().contains("missing"), missing.getMessage());

        IllegalArgumentException impossible = assertThrows(IllegalArgumentException.class,
                () -> new MaskProDenseLayer.Builder().name("fc1").nIn(8).nOut(4).pattern("4:4").build());
        assertTrue(impossible.getMessage().contains("N must satisfy"), impossible.getMessage());
    }

    @Test
    void fanInNotMultipleOfMIsRejectedWithShapeMAndFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskProDenseLayer.Builder().name("fc1").nIn(10).nOut(16).pattern("2:4").build());
        assertTrue(e.getMessage().contains("MaskProDenseLayer 'fc1'"), e.getMessage());
        assertTrue(e.getMessage().contains("[10, 16]"), e.getMessage());
        assertTrue(e.getMessage().contains("M=4"), e.getMessage());
        assertTrue(e.getMessage().contains("make nIn a multiple of 4"), e.getMessage());
    }

    @Test
    void inferredFanInNotMultipleOfMIsRejectedToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conf(6, new MaskProDenseLayer.Builder()));
        assertTrue(e.getMessage().contains("MaskProDenseLayer 'hidden'"), e.getMessage());
        assertTrue(e.getMessage().contains("[6, 16]") && e.getMessage().contains("M=4"), e.getMessage());
    }

    @Test
    void leakyReluUsesDl4jAlphaNotSameDiffsZero() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new MaskProDenseLayer.Builder().nIn(4).nOut(4).hasBias(false).activation(Activation.LEAKYRELU).pattern("2:4").build())
                .layer(new OutputLayer.Builder().nIn(4).nOut(2).build()).build());
        net.init();
        net.getLayer(0).getParam(MaskProParams.WEIGHT).assign(Nd4j.eye(4));
        INDArray x = Nd4j.createFromArray(new float[][] {{-1f, -2f, 3f, -4f}});
        assertEquals(Nd4j.createFromArray(new float[][] {{-0.01f, -0.02f, 3f, -0.04f}}), net.feedForward(x, false).get(1));
    }

    @Test
    void activationMissingFromSameDiffIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskProDenseLayer.Builder().name("fc2").nIn(8).nOut(4).activation(Activation.RELU6).pattern("2:4").build());
        assertTrue(e.getMessage().contains("'fc2'") && e.getMessage().contains("RELU6"), e.getMessage());
    }

    @Test
    void dropoutIsRejectedBecauseSameDiffLayersIgnoreIt() {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(8, new MaskProDenseLayer.Builder().dropOut(0.5)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, net::init);
        assertTrue(e.getMessage().contains("'hidden'") && e.getMessage().contains("DropoutLayer"), e.getMessage());
    }
}
