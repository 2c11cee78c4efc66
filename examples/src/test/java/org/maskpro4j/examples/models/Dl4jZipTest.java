package org.maskpro4j.examples.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** {@link Dl4jZip} loads what DL4J writes, as DL4J does, and refuses what DL4J would not write. */
class Dl4jZipTest {

    private static MultiLayerNetwork net() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().nIn(8).nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        net.fit(new DataSet(Nd4j.rand(16, 8), Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0)));
        return net;
    }

    @Test
    void multiLayerNetworkAndGraphLoadWithTheSameParametersAndUpdaterAsModelSerializer(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = net();
        Path file = dir.resolve("mln.zip");
        ModelSerializer.writeModel(net, file.toFile(), true);
        MultiLayerNetwork read = (MultiLayerNetwork) Dl4jZip.read(file, true).model();
        assertEquals(net.params(), read.params());
        assertEquals(net.getUpdater().getStateViewArray(), read.getUpdater().getStateViewArray());

        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(5).nOut(4).build(), "in")
                .addLayer("out", new OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").build());
        graph.init();
        Path cg = dir.resolve("cg.zip");
        ModelSerializer.writeModel(graph, cg.toFile(), false);
        assertEquals(graph.params(), ((ComputationGraph) Dl4jZip.read(cg, false).model()).params());
        assertTrue(ComputationGraphConfiguration.class.isInstance(((ComputationGraph) Dl4jZip.read(cg, false).model()).getConfiguration()));
    }

    @Test
    void thePreprocessorsNd4jWritesAreAdmitted(@TempDir Path dir) throws IOException {
        DataSet data = new DataSet(Nd4j.rand(20, 8), Nd4j.rand(20, 3));
        NormalizerStandardize standardize = new NormalizerStandardize();
        standardize.fit(data);
        NormalizerMinMaxScaler minMax = new NormalizerMinMaxScaler();
        minMax.fit(data);
        Path plain = dir.resolve("plain.zip");
        ModelSerializer.writeModel(net(), plain.toFile(), false);
        for (Serializable preprocessor : List.of(new ImagePreProcessingScaler(0, 1), standardize, minMax)) {
            Path file = dir.resolve(preprocessor.getClass().getSimpleName() + ".zip");
            withPreprocessor(plain, file, preprocessor);
            Dl4jZip.read(file, false).model();
        }
    }

    @Test
    void coefficientsOfAnotherConfigurationAreRefusedBeforeAllocation(@TempDir Path dir) throws IOException {
        Path small = dir.resolve("small.zip");
        ModelSerializer.writeModel(net(), small.toFile(), false);
        Path mixed = dir.resolve("mixed.zip");
        try (ZipFile in = new ZipFile(small.toFile()); OutputStream os = Files.newOutputStream(mixed);
                ZipOutputStream z = new ZipOutputStream(os)) {
            copy(in, z, "configuration.json");
            z.putNextEntry(new ZipEntry("coefficients.bin"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
                Nd4j.write(Nd4j.rand(1, 40), out);
            }
            z.write(bytes.toByteArray());
            z.closeEntry();
        }
        String message = assertThrows(IllegalArgumentException.class, () -> Dl4jZip.read(mixed, false)).getMessage();
        assertTrue(message.contains("has 40 values in coefficients.bin but its configuration has 75 parameters"), message);
    }

    private static void withPreprocessor(Path zip, Path out, Serializable preprocessor) throws IOException {
        try (ZipFile in = new ZipFile(zip.toFile()); OutputStream os = Files.newOutputStream(out);
                ZipOutputStream z = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                copy(in, z, e.getName());
            }
            z.putNextEntry(new ZipEntry("preprocessor.bin"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                o.writeObject(preprocessor);
            }
            z.write(bytes.toByteArray());
            z.closeEntry();
        }
    }

    private static void copy(ZipFile in, ZipOutputStream z, String name) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        try (InputStream is = in.getInputStream(in.getEntry(name))) {
            is.transferTo(z);
        }
        z.closeEntry();
    }
}
