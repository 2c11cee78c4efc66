package org.maskpro4j.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.layers.MaskProConv2DLayer;
import org.maskpro4j.layers.MaskProDenseLayer;
import org.maskpro4j.layers.MaskProLayer;
import org.maskpro4j.layers.MaskProParams;
import org.maskpro4j.layers.MaskProWrapping;
import org.maskpro4j.layers.TestNets;
import org.maskpro4j.layers.WrapperWeight;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class PlainModelExportTest {
    private static final long[] INPUT = {1, 8, 8};

    @TempDir
    Path dir;

    /** A wrapped LeNet-like network with random strict masks, trained a little with the masks in place. */
    private static MultiLayerNetwork maskedNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(12).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).name("conv1").build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).name("pool").build())
                .layer(new ConvolutionLayer.Builder(2, 2).convolutionMode(ConvolutionMode.Same).nOut(8).activation(Activation.LEAKYRELU).name("conv2").build())
                .layer(new DenseLayer.Builder().nOut(12).activation(Activation.TANH).name("dense").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).name("out").build())
                .setInputType(InputType.convolutional(INPUT[1], INPUT[2], INPUT[0])).build());
        net.init();
        MultiLayerNetwork wrapped = MaskProWrapping.wrap(net, TestNets.P24).network();
        TestNets.applyRandomMask("conv2", wrapped.getLayer(2), 1);
        TestNets.applyRandomMask("dense", wrapped.getLayer(3), 2);
        DataSet data = TestNets.classification(3, 16, INPUT, 3);
        for (int i = 0; i < 3; i++) {
            wrapped.fit(data);
        }
        return wrapped;
    }

    private static ComputationGraph maskedGraph() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(13).graphBuilder().addInputs("in")
                .addLayer("conv", new MaskProConv2DLayer.Builder().kernelSize(3, 3).nOut(4).activation(Activation.RELU).pattern("2:4").build(), "in")
                .addLayer("dense", new MaskProDenseLayer.Builder().nOut(8).activation(Activation.SIGMOID).pattern("1:4").build(), "conv")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").setInputTypes(InputType.convolutional(6, 6, 4)).build());
        graph.init();
        TestNets.applyRandomMask("conv", graph.getLayer("conv"), 3);
        TestNets.applyRandomMask("dense", graph.getLayer("dense"), 4);
        return graph;
    }

    private static INDArray input(long... shape) {
        Nd4j.getRandom().setSeed(99);
        return Nd4j.randn(DataType.FLOAT, shape);
    }

    @Test
    void plainNetworkHasOnlyDl4jLayersWithMaskedWeightsAndTheSameOutput() {
        MultiLayerNetwork wrapped = maskedNetwork();

        MultiLayerNetwork plain = PlainModelExport.toPlain(wrapped);

        assertSame(ConvolutionLayer.class, plain.getLayerWiseConfigurations().getConf(2).getLayer().getClass());
        assertSame(DenseLayer.class, plain.getLayerWiseConfigurations().getConf(3).getLayer().getClass());
        for (int i : new int[] {2, 3}) {
            INDArray mask = wrapped.getLayer(i).getParam(MaskProParams.MASK);
            INDArray w = wrapped.getLayer(i).getParam(MaskProParams.WEIGHT);
            assertEquals(w.mul(mask), plain.getLayer(i).getParam("W"));
            INDArray plainBias = plain.getLayer(i).getParam("b");
            assertEquals(wrapped.getLayer(i).getParam("b").reshape(plainBias.shape()), plainBias);
            assertEquals(0.0, plain.getLayer(i).getParam("W").mul(mask.rsub(1.0)).amaxNumber().doubleValue(), 0.0);
        }
        assertEquals(wrapped.getLayer(0).getParam("W"), plain.getLayer(0).getParam("W"));
        assertFalse(plain.getLayerWiseConfigurations().toJson().contains("maskpro4j"));
        INDArray x = input(4, INPUT[0], INPUT[1], INPUT[2]);
        assertEquals(0.0, wrapped.output(x).sub(plain.output(x)).amaxNumber().doubleValue(), 1e-5);
        // the wrapped network is untouched and keeps its MaskPro layers
        assertTrue(wrapped.getLayerWiseConfigurations().getConf(2).getLayer() instanceof MaskProLayer);
    }

    @Test
    void plainGraphHasOnlyDl4jLayersAndTheSameOutput() {
        ComputationGraph wrapped = maskedGraph();

        ComputationGraph plain = PlainModelExport.toPlain(wrapped);

        assertSame(ConvolutionLayer.class, plain.getLayer("conv").conf().getLayer().getClass());
        assertSame(DenseLayer.class, plain.getLayer("dense").conf().getLayer().getClass());
        assertEquals(WrapperWeight.of("dense", wrapped.getLayer("dense")).live(), plain.getLayer("dense").getParam("W"));
        assertFalse(plain.getConfiguration().toJson().contains("maskpro4j"));
        INDArray x = input(3, 4, 6, 6);
        assertEquals(0.0, wrapped.outputSingle(x).sub(plain.outputSingle(x)).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void plainNetworkTrains() {
        MultiLayerNetwork plain = PlainModelExport.toPlain(maskedNetwork());
        DataSet data = TestNets.classification(4, 16, INPUT, 3);
        double before = plain.score(data);
        for (int i = 0; i < 10; i++) {
            plain.fit(data);
        }
        assertTrue(plain.score(data) < before, before + " -> " + plain.score(data));
    }

    @Test
    void exportedFilesLoadInAJvmWithoutMaskpro4j() throws Exception {
        MultiLayerNetwork wrapped = maskedNetwork();
        ComputationGraph wrappedGraph = maskedGraph();
        INDArray x = input(4, INPUT[0], INPUT[1], INPUT[2]);
        INDArray xg = input(3, 4, 6, 6);
        File mln = dir.resolve("plain-mln.zip").toFile();
        File cg = dir.resolve("plain-cg.zip").toFile();
        ModelSerializer.writeModel(PlainModelExport.toPlain(wrapped), mln, false);
        ModelSerializer.writeModel(PlainModelExport.toPlain(wrappedGraph), cg, false);
        assertFalse(zipText(mln).contains("maskpro4j"));
        assertFalse(zipText(cg).contains("maskpro4j"));
        File xFile = dir.resolve("x.bin").toFile();
        File xgFile = dir.resolve("xg.bin").toFile();
        Nd4j.saveBinary(x, xFile);
        Nd4j.saveBinary(xg, xgFile);
        File out = dir.resolve("out.bin").toFile();
        File outg = dir.resolve("outg.bin").toFile();

        String log = runWithoutMaskpro4j("mln", mln.getPath(), xFile.getPath(), out.getPath(),
                "cg", cg.getPath(), xgFile.getPath(), outg.getPath());

        assertTrue(log.contains("maskpro4j absent"), log);
        assertEquals(0.0, wrapped.output(x).sub(Nd4j.readBinary(out)).amaxNumber().doubleValue(), 1e-5, log);
        assertEquals(0.0, wrappedGraph.outputSingle(xg).sub(Nd4j.readBinary(outg)).amaxNumber().doubleValue(), 1e-5, log);
    }

    /** All text entries of a model zip (configuration JSON and the like). */
    private static String zipText(File zip) throws IOException {
        StringBuilder text = new StringBuilder();
        try (ZipFile z = new ZipFile(zip)) {
            var entries = z.entries();
            while (entries.hasMoreElements()) {
                var e = entries.nextElement();
                if (e.getName().endsWith(".json")) {
                    try (InputStream in = z.getInputStream(e)) {
                        text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        assertTrue(text.length() > 0, "no JSON entry in " + zip);
        return text.toString();
    }

    /**
     * Runs {@link PlainModelLoaderMain} in a child JVM whose classpath is this JVM's without any maskpro4j entry
     * (the modules' classes and test classes), plus a directory holding only the loader class.
     */
    private String runWithoutMaskpro4j(String... args) throws Exception {
        String loaderPath = PlainModelLoaderMain.class.getName().replace('.', '/') + ".class";
        Path loaderRoot = dir.resolve("loader");
        Path loaderFile = loaderRoot.resolve(loaderPath);
        Files.createDirectories(loaderFile.getParent());
        try (InputStream in = PlainModelLoaderMain.class.getClassLoader().getResourceAsStream(loaderPath)) {
            Files.copy(in, loaderFile);
        }
        List<String> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("dl4j-maskpro") && !entry.contains("samediff-ops") && !entry.contains("maskpro4j")) {
                classpath.add(entry);
            }
        }
        assertTrue(classpath.stream().anyMatch(e -> e.contains("deeplearning4j-nn")),
                "the test JVM's classpath should list DL4J jars: " + classpath);
        classpath.add(loaderRoot.toString());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", String.join(File.pathSeparator, classpath), PlainModelLoaderMain.class.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM timed out: " + log);
        assertEquals(0, child.exitValue(), log);
        return log;
    }
}
