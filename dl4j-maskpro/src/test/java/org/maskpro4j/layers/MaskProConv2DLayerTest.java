package org.maskpro4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.Strictness;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class MaskProConv2DLayerTest {
    private static final int CHANNELS = 8;
    private static final int SIZE = 7;

    /** kernel, stride, padding, dilation, mode. */
    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, ConvolutionMode.Truncate),
                Arguments.of(new int[] {3, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, ConvolutionMode.Same),
                Arguments.of(new int[] {2, 2}, new int[] {2, 1}, new int[] {0, 1}, new int[] {2, 2}, ConvolutionMode.Truncate),
                Arguments.of(new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, ConvolutionMode.Strict));
    }

    private static MultiLayerNetwork net(Layer conv) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-2)).list()
                .layer(conv)
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, CHANNELS)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    private static MultiLayerNetwork maskProNet(int[] k, int[] s, int[] p, int[] d, ConvolutionMode mode) {
        return net(new MaskProConv2DLayer.Builder().kernelSize(k).stride(s).padding(p).dilation(d).convolutionMode(mode)
                .nOut(5).activation(Activation.RELU).pattern("2:4").name("conv").build());
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void computesWhatConvolutionLayerComputesWithMaskedWeights(int[] k, int[] s, int[] p, int[] d, ConvolutionMode mode) {
        MultiLayerNetwork maskPro = maskProNet(k, s, p, d, mode);
        MultiLayerNetwork plain = net(new ConvolutionLayer.Builder().kernelSize(k).stride(s).padding(p).dilation(d)
                .convolutionMode(mode).nOut(5).activation(Activation.RELU).build());
        // same output type after the conv: the dense layer got the same nIn through the same preprocessor
        assertEquals(((DenseLayer) plain.getLayerWiseConfigurations().getConf(1).getLayer()).getNIn(),
                ((DenseLayer) maskPro.getLayerWiseConfigurations().getConf(1).getLayer()).getNIn());
        assertEquals(plain.getLayerWiseConfigurations().getInputPreProcess(1),
                maskPro.getLayerWiseConfigurations().getInputPreProcess(1));

        WrapperWeight weight = TestNets.applyRandomMask("conv", maskPro.getLayer(0), 21);
        Nd4j.getRandom().setSeed(22);
        maskPro.getLayer(0).getParam("b").assign(Nd4j.randn(DataType.FLOAT, 1, 5));
        plain.getLayer(0).getParam("W").assign(weight.live());
        plain.getLayer(0).getParam("b").assign(maskPro.getLayer(0).getParam("b"));
        for (int i = 1; i < 3; i++) {
            ModelSurgery.copySharedParams(maskPro.getLayer(i), plain.getLayer(i));
        }
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, CHANNELS, SIZE, SIZE);

        INDArray expected = plain.feedForward(x, false).get(1);
        INDArray actual = maskPro.feedForward(x, false).get(1);

        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(0.0, expected.sub(actual).amaxNumber().doubleValue(), 1e-5);
        assertEquals(0.0, plain.output(x).sub(maskPro.output(x)).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void weightUsesDl4jLayoutAndConvLayoutGroups() {
        MultiLayerNetwork net = maskProNet(new int[] {3, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1},
                ConvolutionMode.Truncate);
        WrapperWeight weight = WrapperWeight.of("conv", net.getLayer(0));
        assertArrayEquals(new long[] {5, CHANNELS, 3, 2}, weight.dense().shape());
        assertEquals(GroupLayout.Kind.CONV2D_OIHW, weight.layout().kind());
        assertEquals(5L * 3 * 2 * CHANNELS / 4, weight.layout().groupCount());
    }

    @Test
    void fitTrainsWeightsButLeavesMaskAndLogitsBitIdentical() {
        MultiLayerNetwork net = maskProNet(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1},
                ConvolutionMode.Same);
        WrapperWeight weight = TestNets.applyRandomMask("conv", net.getLayer(0), 31);
        Nd4j.getRandom().setSeed(32);
        weight.storeGroupLogits(Nd4j.randn(DataType.FLOAT, weight.layout().groupCount(), 4));
        float[] maskBefore = TestNets.bits(weight.maskParam());
        float[] logitsBefore = TestNets.bits(weight.logitsParam());
        INDArray wBefore = weight.dense().dup();
        DataSet data = TestNets.classification(4, 16, new long[] {CHANNELS, SIZE, SIZE}, 3);

        for (int i = 0; i < 5; i++) {
            net.fit(data);
        }

        assertArrayEquals(maskBefore, TestNets.bits(weight.maskParam()));
        assertArrayEquals(logitsBefore, TestNets.bits(weight.logitsParam()));
        assertTrue(weight.dense().sub(wBefore).norm2Number().doubleValue() > 1e-3, "W must train");
        assertTrue(Strictness.check(weight.groupMask(), TestNets.P24).strict());
    }

    @Test
    void inputChannelsNotMultipleOfMAreRejectedWithShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskProConv2DLayer.Builder().name("c1").kernelSize(3, 3).nIn(6).nOut(5).pattern("2:4").build());
        assertTrue(e.getMessage().contains("MaskProConv2DLayer 'c1'"), e.getMessage());
        assertTrue(e.getMessage().contains("[5, 6, 3, 3]") && e.getMessage().contains("M=4"), e.getMessage());

        IllegalArgumentException inferred = assertThrows(IllegalArgumentException.class,
                () -> new NeuralNetConfiguration.Builder().list()
                        .layer(new MaskProConv2DLayer.Builder().name("c2").kernelSize(3, 3).nOut(5).pattern("2:8").build())
                        .layer(new OutputLayer.Builder().nOut(2).build())
                        .setInputType(InputType.convolutional(SIZE, SIZE, 4)).build());
        assertTrue(inferred.getMessage().contains("'c2'") && inferred.getMessage().contains("[5, 4, 3, 3]")
                && inferred.getMessage().contains("M=8"), inferred.getMessage());
    }

    @Test
    void channelsLastInputIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NeuralNetConfiguration.Builder().list()
                        .layer(new MaskProConv2DLayer.Builder().name("c3").kernelSize(3, 3).nOut(4).pattern("2:4").build())
                        .layer(new OutputLayer.Builder().nOut(2).build())
                        .setInputType(InputType.convolutional(SIZE, SIZE, 4, CNN2DFormat.NHWC)).build());
        assertTrue(e.getMessage().contains("'c3'") && e.getMessage().contains("NCHW"), e.getMessage());
    }

    @Test
    void badGeometryIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaskProConv2DLayer.Builder().name("c4").kernelSize(3).nIn(4).nOut(4).pattern("2:4").build());
        assertTrue(e.getMessage().contains("'c4'") && e.getMessage().contains("kernelSize"), e.getMessage());
        IllegalArgumentException causal = assertThrows(IllegalArgumentException.class,
                () -> new MaskProConv2DLayer.Builder().name("c5").convolutionMode(ConvolutionMode.Causal).nIn(4).nOut(4)
                        .pattern("2:4").build());
        assertTrue(causal.getMessage().contains("Causal"), causal.getMessage());
        IllegalArgumentException padded = assertThrows(IllegalArgumentException.class,
                () -> new MaskProConv2DLayer.Builder().name("c6").convolutionMode(ConvolutionMode.Same).padding(1, 1)
                        .nIn(4).nOut(4).pattern("2:4").build());
        assertTrue(padded.getMessage().contains("'c6'") && padded.getMessage().contains("same"), padded.getMessage());
    }

    @Test
    void configJsonRoundTripKeepsGeometry() {
        MultiLayerNetwork net = maskProNet(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2},
                ConvolutionMode.Truncate);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        MaskProConv2DLayer layer = (MaskProConv2DLayer) back.getConf(0).getLayer();
        assertEquals(net.getLayerWiseConfigurations().getConf(0).getLayer(), layer);
        assertArrayEquals(new int[] {3, 2}, layer.getKernelSize());
        assertArrayEquals(new int[] {2, 1}, layer.getStride());
        assertArrayEquals(new int[] {1, 0}, layer.getPadding());
        assertArrayEquals(new int[] {1, 2}, layer.getDilation());
        assertEquals(CHANNELS, layer.getNIn());
    }
}
