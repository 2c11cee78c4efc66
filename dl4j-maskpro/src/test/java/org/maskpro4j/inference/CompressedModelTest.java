package org.maskpro4j.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.maskpro4j.nm.GroupLayout;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.nm.TopN;
import org.maskpro4j.sparse.NmKernel;
import org.maskpro4j.sparse.NmModelFile;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/** A pruned graph and network through the file and back: the kernel's outputs and loss are DL4J's. */
class CompressedModelTest {
    private static final NmPattern TWO_FOUR = NmPattern.of(2, 4);

    @Test
    void graphWithAMergeVertexAndAPreprocessorRunsOnTheKernel(@TempDir Path dir) throws IOException {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .l2(1e-3).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(8, 8, 1))
                .addLayer("a", new DenseLayer.Builder().nOut(24).activation(Activation.RELU).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nOut(16).activation(Activation.TANH).build(), "in")
                .addVertex("ab", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "ab")
                .setOutputs("out").build());
        graph.init();
        prune(graph.getLayers());
        DataSet data = data(8, 8);
        CompressedGraph compressed = (CompressedGraph) roundTrip(graph, dir);
        assertEquals(Set.of("a", "b", "out"), compressed.kernelLayers());
        assertTrue(graph.outputSingle(false, data.getFeatures()).equalsWithEps(compressed.output(data.getFeatures()), 1e-5));
        assertEquals(graph.score(data, false), compressed.score(data), 1e-5);
    }

    @Test
    void networkWithADenseOutputLayerKeptDense(@TempDir Path dir) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(32).nOut(20).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(20).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        prune(new Layer[] {net.getLayer(0)});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CompressedModel.compress(net, TWO_FOUR, List.of()));
        assertTrue(e.getMessage().contains("'out' is not strictly 2:4"), e.getMessage());

        NmModelFile file = CompressedModel.compress(net, TWO_FOUR, List.of("out"));
        file.write(dir.resolve("net.nmz"));
        CompressedNetwork compressed = (CompressedNetwork) CompressedModel.load(NmModelFile.read(dir.resolve("net.nmz")),
                NmKernel.best(2));
        assertEquals(Set.of(0), compressed.kernelLayers());
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 9, 32), Nd4j.eye(4).repeat(0, 3).get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 9), org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.FLOAT));
        assertTrue(net.output(data.getFeatures(), false).equalsWithEps(compressed.output(data.getFeatures()), 1e-5));
        assertEquals(net.score(data, false), compressed.score(data), 1e-5);
    }

    private static CompressedModel roundTrip(Model model, Path dir) throws IOException {
        Path file = dir.resolve("model.nmz");
        CompressedModel.compress(model, TWO_FOUR, List.of()).write(file);
        return CompressedModel.load(NmModelFile.read(file), NmKernel.best(2));
    }

    /** Magnitude 2:4 along each weight's input axis. */
    private static void prune(Layer[] layers) {
        for (Layer layer : layers) {
            INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            GroupLayout layout = GroupLayout.of("w", GroupLayout.Kind.IN_OUT, w.shape(), TWO_FOUR);
            INDArray groups = layout.toGroups(w);
            w.assign(layout.fromGroups(groups.mul(TopN.mask(Transforms.abs(groups), TWO_FOUR))));
        }
    }

    private static DataSet data(int h, int w) {
        INDArray features = Nd4j.rand(DataType.FLOAT, 12, 1, h, w);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 12, 5);
        for (int i = 0; i < 12; i++) {
            labels.putScalar(i, i % 5, 1);
        }
        return new DataSet(features, labels);
    }
}
