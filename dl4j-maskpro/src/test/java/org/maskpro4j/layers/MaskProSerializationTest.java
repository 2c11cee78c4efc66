package org.maskpro4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class MaskProSerializationTest {
    private static final long[] INPUT = {4, 6, 6};

    @TempDir
    Path dir;

    private static MaskProConv2DLayer conv() {
        return new MaskProConv2DLayer.Builder().kernelSize(3, 3).convolutionMode(ConvolutionMode.Same).nOut(8)
                .activation(Activation.RELU).pattern("2:4").name("conv").build();
    }

    private static MaskProDenseLayer dense() {
        return new MaskProDenseLayer.Builder().nOut(8).activation(Activation.TANH).pattern("2:4").name("dense").build();
    }

    private static OutputLayer output() {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build();
    }

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-2));
    }

    /** Random strict masks and logits on both MaskPro layers, then a few fit steps so that updater state exists. */
    private static void prepare(org.deeplearning4j.nn.api.Layer conv, org.deeplearning4j.nn.api.Layer dense,
                                Consumer<DataSet> fit, DataSet data) {
        for (WrapperWeight w : new WrapperWeight[] {TestNets.applyRandomMask("conv", conv, 41), TestNets.applyRandomMask("dense", dense, 42)}) {
            w.storeGroupLogits(Nd4j.randn(DataType.FLOAT, w.layout().groupCount(), 4));
        }
        for (int i = 0; i < 3; i++) {
            fit.accept(data);
        }
    }

    @Test
    void multiLayerNetworkRoundTripKeepsParamsUpdaterAndOutputAndContinuesTraining() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(base().list().layer(conv()).layer(dense()).layer(output())
                .setInputType(InputType.convolutional(INPUT[1], INPUT[2], INPUT[0])).build());
        net.init();
        DataSet data = TestNets.classification(5, 8, INPUT, 3);
        prepare(net.getLayer(0), net.getLayer(1), net::fit, data);
        File file = dir.resolve("mln.zip").toFile();

        ModelSerializer.writeModel(net, file, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file, true);

        assertInstanceOf(MaskProConv2DLayer.class, restored.getLayerWiseConfigurations().getConf(0).getLayer());
        assertInstanceOf(MaskProDenseLayer.class, restored.getLayerWiseConfigurations().getConf(1).getLayer());
        assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
        assertArrayEquals(TestNets.bits(net.params()), TestNets.bits(restored.params()));
        assertArrayEquals(TestNets.bits(net.getUpdater().getStateViewArray()), TestNets.bits(restored.getUpdater().getStateViewArray()));
        assertEquals(net.output(data.getFeatures()), restored.output(data.getFeatures()));

        float[] masks = TestNets.bits(restored.getLayer(1).getParam(MaskProParams.MASK));
        INDArray before = restored.params().dup();
        net.fit(data);
        restored.fit(data);
        assertNotEquals(before, restored.params());
        assertEquals(0.0, net.params().sub(restored.params()).amaxNumber().doubleValue(), 1e-6);
        assertArrayEquals(masks, TestNets.bits(restored.getLayer(1).getParam(MaskProParams.MASK)));
    }

    @Test
    void computationGraphRoundTripKeepsParamsUpdaterAndOutputAndContinuesTraining() throws IOException {
        ComputationGraph graph = new ComputationGraph(base().graphBuilder().addInputs("in")
                .addLayer("conv", conv(), "in").addLayer("dense", dense(), "conv").addLayer("out", output(), "dense")
                .setOutputs("out").setInputTypes(InputType.convolutional(INPUT[1], INPUT[2], INPUT[0])).build());
        graph.init();
        DataSet data = TestNets.classification(6, 8, INPUT, 3);
        prepare(graph.getLayer("conv"), graph.getLayer("dense"), graph::fit, data);
        File file = dir.resolve("cg.zip").toFile();

        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertInstanceOf(MaskProConv2DLayer.class, restored.getLayer("conv").conf().getLayer());
        assertInstanceOf(MaskProDenseLayer.class, restored.getLayer("dense").conf().getLayer());
        assertEquals(graph.getConfiguration(), restored.getConfiguration());
        assertArrayEquals(TestNets.bits(graph.params()), TestNets.bits(restored.params()));
        assertArrayEquals(TestNets.bits(graph.getUpdater().getStateViewArray()), TestNets.bits(restored.getUpdater().getStateViewArray()));
        assertEquals(graph.outputSingle(data.getFeatures()), restored.outputSingle(data.getFeatures()));

        float[] masks = TestNets.bits(restored.getLayer("conv").getParam(MaskProParams.MASK));
        INDArray before = restored.params().dup();
        graph.fit(data);
        restored.fit(data);
        assertNotEquals(before, restored.params());
        assertEquals(0.0, graph.params().sub(restored.params()).amaxNumber().doubleValue(), 1e-6);
        assertArrayEquals(masks, TestNets.bits(restored.getLayer("conv").getParam(MaskProParams.MASK)));
    }
}
