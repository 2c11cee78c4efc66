package org.maskpro4j.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.weights.ParamWeight;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class MaskProWrappingTest {
    private static final long[] INPUT = {1, 8, 8};

    /** LeNet-like: conv(1→8) · pool · conv(8→8, Same) · dense(72→12) · dense(12→6, dropout) · output. */
    static MultiLayerNetwork leNetLike() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2).updater(new Adam(3e-3)).l2(1e-4).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).name("conv1").build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).name("pool").build())
                .layer(new ConvolutionLayer.Builder(2, 2).convolutionMode(ConvolutionMode.Same).nOut(8).activation(Activation.LEAKYRELU).name("conv2").build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.TANH).name("dense1").build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.RELU).dropOut(0.8).name("dense2").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
                .setInputType(InputType.convolutional(INPUT[1], INPUT[2], INPUT[0])).build());
        net.init();
        return net;
    }

    private static INDArray input() {
        Nd4j.getRandom().setSeed(77);
        return Nd4j.randn(DataType.FLOAT, 5, INPUT[0], INPUT[1], INPUT[2]);
    }

    @Test
    void wrapsDenseAndConvolutionLayersWhoseFanInFitsAndExplainsTheRest() {
        MultiLayerNetwork net = leNetLike();

        WrapResult<MultiLayerNetwork> result = MaskProWrapping.wrap(net, TestNets.P24);

        assertEquals(List.of("conv2", "dense1"), result.wrapped());
        assertEquals(List.of("conv1", "pool", "dense2", "out"), List.copyOf(result.skipped().keySet()));
        assertTrue(result.skipped().get("conv1").contains("fan-in 1 is not a multiple of M=4"), result.skipped().toString());
        assertTrue(result.skipped().get("pool").contains("SubsamplingLayer"), result.skipped().toString());
        assertTrue(result.skipped().get("dense2").contains("dropout"), result.skipped().toString());
        assertTrue(result.skipped().get("out").contains("OutputLayer"), result.skipped().toString());
        MultiLayerNetwork wrapped = result.network();
        assertNotSame(net, wrapped);
        assertInstanceOf(ConvolutionLayer.class, net.getLayerWiseConfigurations().getConf(2).getLayer());
        MaskProConv2DLayer conv2 = (MaskProConv2DLayer) wrapped.getLayerWiseConfigurations().getConf(2).getLayer();
        assertEquals(ConvolutionMode.Same, conv2.getConvolutionMode());
        assertEquals(Activation.LEAKYRELU, conv2.getActivation());
        assertEquals(new Adam(3e-3), conv2.getUpdaterByParam("W"));
        assertEquals(net.getLayerWiseConfigurations().getConf(3).getLayer().getRegularizationByParam("W"),
                wrapped.getLayerWiseConfigurations().getConf(3).getLayer().getRegularizationByParam("W"));
        assertSame(net.getLayerWiseConfigurations().getInputPreProcess(3).getClass(),
                wrapped.getLayerWiseConfigurations().getInputPreProcess(3).getClass());
    }

    @Test
    void wrappedNetworkComputesExactlyWhatTheOriginalDoes() {
        MultiLayerNetwork net = leNetLike();
        MultiLayerNetwork wrapped = MaskProWrapping.wrap(net, TestNets.P24).network();
        INDArray x = input();
        assertEquals(0.0, net.output(x).sub(wrapped.output(x)).amaxNumber().doubleValue(), 1e-5);
        assertEquals(net.getLayer(2).getParam("W"), wrapped.getLayer(2).getParam("W"));
    }

    @Test
    void aMaskOnTheWrapperEqualsTheSameMaskWrittenIntoTheOriginalWeights() {
        MultiLayerNetwork net = leNetLike();
        MultiLayerNetwork wrapped = MaskProWrapping.wrap(net, TestNets.P24).network();
        for (int i : new int[] {2, 3}) {
            WrapperWeight wrapper = TestNets.applyRandomMask(ModelSurgery.layerName(wrapped, i), wrapped.getLayer(i), 100 + i);
            INDArray original = net.getLayer(i).getParam("W");
            new ParamWeight("orig" + i, GroupLayout.of("orig" + i, wrapper.layout().kind(), original.shape(), TestNets.P24), original)
                    .applyMask(wrapper.groupMask());
        }
        INDArray x = input();
        assertEquals(0.0, net.output(x).sub(wrapped.output(x)).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void wrappedNetworkTrains() {
        MultiLayerNetwork wrapped = MaskProWrapping.wrap(leNetLike(), TestNets.P24).network();
        DataSet data = TestNets.classification(8, 16, INPUT, 3);
        double before = wrapped.score(data);
        for (int i = 0; i < 20; i++) {
            wrapped.fit(data);
        }
        assertTrue(wrapped.score(data) < before, before + " -> " + wrapped.score(data));
    }

    @Test
    void layerFilterKeepsLayersOut() {
        WrapResult<MultiLayerNetwork> result = MaskProWrapping.wrap(leNetLike(), TestNets.P24, name -> !name.equals("dense1"));
        assertEquals(List.of("conv2"), result.wrapped());
        assertEquals("excluded by the layer filter", result.skipped().get("dense1"));
    }

    @Test
    void unnamedLayersAreKnownByIndexAndWrappingTwiceKeepsWrappers() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(8).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder().nIn(4).nOut(2).build()).build());
        net.init();
        WrapResult<MultiLayerNetwork> once = MaskProWrapping.wrap(net, TestNets.P24);
        String first = ModelSurgery.layerName(net, 0);
        assertEquals(List.of(first), once.wrapped());
        WrapResult<MultiLayerNetwork> twice = MaskProWrapping.wrap(once.network(), TestNets.P24);
        assertEquals(List.of(), twice.wrapped());
        assertEquals("already a MaskPro layer", twice.skipped().get(first));
    }

    @Test
    void computationGraphLayerVerticesAreWrapped() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(1e-3)).graphBuilder()
                .addInputs("in")
                .addLayer("d1", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "in")
                .addLayer("d2", new DenseLayer.Builder().nOut(8).activation(new ActivationLReLU(0.3)).build(), "d1")
                .addLayer("d3", new DenseLayer.Builder().nOut(4).activation(Activation.SIGMOID).build(), "d1")
                .addVertex("merge", new org.deeplearning4j.nn.conf.graph.MergeVertex(), "d2", "d3")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out").setInputTypes(InputType.feedForward(12)).build());
        graph.init();

        WrapResult<ComputationGraph> result = MaskProWrapping.wrap(graph, TestNets.P24);

        assertEquals(List.of("d1", "d3"), result.wrapped());
        assertTrue(result.skipped().get("d2").contains("activation"), result.skipped().toString());
        assertInstanceOf(MaskProDenseLayer.class, result.network().getLayer("d1").conf().getLayer());
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 12);
        assertEquals(0.0, graph.outputSingle(x).sub(result.network().outputSingle(x)).amaxNumber().doubleValue(), 1e-5);
    }
}
