package org.maskpro4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.maskpro4j.nm.Strictness;
import org.maskpro4j.nm.TopN;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Loads a model saved by maskpro4j 0.1.0 and checks it still computes what it did. DL4J stores layer class names
 * and bean property names in the file: renaming a MaskPro layer class, its package or a property fails here.
 * Regenerate only on purpose, for a new fixture version: {@code -Dmaskpro.regenerateGolden=true}.
 */
class SavedModelCompatibilityTest {
    private static final String MODEL = "/saved/maskpro-0.1.0-mln.zip";
    private static final String OUTPUT = "/saved/maskpro-0.1.0-mln-output.csv";

    private static INDArray goldenInput() {
        return Nd4j.linspace(-1, 1, 2 * 4 * 4 * 4, DataType.FLOAT).reshape(2, 4, 4, 4);
    }

    @Test
    void modelSavedBy010LoadsAndComputesTheSameOutput() throws IOException {
        MultiLayerNetwork net;
        try (InputStream in = SavedModelCompatibilityTest.class.getResourceAsStream(MODEL)) {
            assertNotNull(in, MODEL);
            net = ModelSerializer.restoreMultiLayerNetwork(in, false);
        }
        String csv;
        try (InputStream in = SavedModelCompatibilityTest.class.getResourceAsStream(OUTPUT)) {
            assertNotNull(in, OUTPUT);
            csv = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        float[] expected = parse(csv);

        assertSame(MaskProConv2DLayer.class, net.getLayerWiseConfigurations().getConf(0).getLayer().getClass());
        assertSame(MaskProDenseLayer.class, net.getLayerWiseConfigurations().getConf(1).getLayer().getClass());
        MaskProConv2DLayer conv = (MaskProConv2DLayer) net.getLayerWiseConfigurations().getConf(0).getLayer();
        assertArrayEquals(new int[] {2, 2}, conv.getKernelSize());
        assertEquals(4, conv.getNIn());
        assertEquals("2:4", conv.getPattern());
        assertEquals(36, ((MaskProDenseLayer) net.getLayerWiseConfigurations().getConf(1).getLayer()).getNIn());
        assertArrayEquals(expected, TestNets.bits(net.output(goldenInput())), 1e-5f);
        for (int i = 0; i < 2; i++) {
            WrapperWeight w = WrapperWeight.of(ModelSurgery.layerName(net, i), net.getLayer(i));
            assertTrue(Strictness.check(w.groupMask(), TestNets.P24).strict());
            assertEquals(w.groupMask(), TopN.mask(w.groupLogits(), TestNets.P24), "stored logits rank the stored mask");
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "maskpro.regenerateGolden", matches = "true")
    void regenerate() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(2024).updater(new Adam(1e-3)).list()
                .layer(new MaskProConv2DLayer.Builder().kernelSize(2, 2).convolutionMode(ConvolutionMode.Truncate).nOut(4)
                        .activation(Activation.RELU).pattern("2:4").name("conv").build())
                .layer(new MaskProDenseLayer.Builder().nOut(8).activation(Activation.TANH).pattern("2:4").name("dense").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
                .setInputType(InputType.convolutional(4, 4, 4)).build());
        net.init();
        for (int i = 0; i < 2; i++) {
            WrapperWeight w = TestNets.applyRandomMask(ModelSurgery.layerName(net, i), net.getLayer(i), 500 + i);
            w.storeGroupLogits(w.groupMask().mul(2.0).sub(1.0));
        }
        Path dir = Path.of("src", "test", "resources", "saved");
        Files.createDirectories(dir);
        ModelSerializer.writeModel(net, dir.resolve(Path.of(MODEL).getFileName().toString()).toFile(), false);
        String csv = Arrays.stream(box(TestNets.bits(net.output(goldenInput())))).map(String::valueOf).collect(Collectors.joining(","));
        Files.writeString(dir.resolve(Path.of(OUTPUT).getFileName().toString()), csv + "\n");
    }

    private static Float[] box(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    private static float[] parse(String csv) {
        String[] parts = csv.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i]);
        }
        return values;
    }
}
