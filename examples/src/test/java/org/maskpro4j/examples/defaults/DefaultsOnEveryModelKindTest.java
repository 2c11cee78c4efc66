package org.maskpro4j.examples.defaults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.maskpro4j.examples.data.FashionMnist;
import org.maskpro4j.maskpro.MaskProConfig;
import org.maskpro4j.maskpro.MaskProLearner;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.prior.MagnitudePrior;
import org.maskpro4j.testing.RequiredData;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.MultiLayerNetworkModel;
import org.maskpro4j.weights.MultiOutputGraphModel;
import org.maskpro4j.weights.SameDiffModel;
import org.maskpro4j.weights.SameDiffWeights;
import org.maskpro4j.weights.WeightSelection;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.weightinit.impl.XavierInitScheme;

/**
 * Issue 16's acceptance: on kinds of model whose losses differ by orders of magnitude (a SameDiff MLP's MSE ≈ 0.03,
 * a char-LSTM's cross-entropy summed over 100 time steps ≈ 250, two output heads' summed cross-entropy ≈ 0.8; the CNN
 * kind, mean cross-entropy ≈ 0.5, is {@code FashionMaskProAcceptanceTest}), MaskPro with the library's defaults only (pattern and step count given)
 * learns a 2:4 mask whose held-out data loss is at least {@value #MARGIN} (relative) below its magnitude prior's.
 * Every model is trained here on real data (Fashion-MNIST, tinyshakespeare), briefly, and held-out data is never
 * learned on.
 */
class DefaultsOnEveryModelKindTest {
    private static final NmPattern P24 = NmPattern.of(2, 4);
    /** Held-out loss must fall at least this share below the magnitude prior's. */
    private static final double MARGIN = 0.01;
    private static final long STEPS = 300;

    private static DataSet fashionTrain;
    private static DataSet fashionTest;

    @BeforeAll
    static void data() {
        RequiredData.require(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIRECTORY),
                "Fashion-MNIST (apt-get install dataset-fashion-mnist)");
        FashionMnist fm = FashionMnist.atDefaultDirectory();
        fashionTrain = fm.load(FashionMnist.Split.TRAIN, 2048);
        fashionTest = fm.load(FashionMnist.Split.TEST, 1000);
    }

    private static MaskProConfig defaults() {
        return MaskProConfig.builder().pattern(P24).steps(STEPS).build();
    }

    /** Learns with the defaults from the magnitude prior and checks the held-out data loss against the prior's. */
    private static <B> void assertDefaultsBeatMagnitude(String what, MaskableModel<B> model, List<B> train, List<B> heldOut) {
        double dense = meanLoss(model, heldOut);
        Map<String, INDArray> prior = new MagnitudePrior().masks(model, train);
        model.weights().forEach(w -> w.applyMask(prior.get(w.name())));
        double priorLoss = meanLoss(model, heldOut);
        new MaskProLearner(defaults(), null).learn(model, train, prior);
        double learned = meanLoss(model, heldOut);
        System.out.printf("%s: held-out data loss, dense %.5f, magnitude 2:4 %.5f -> MaskPro defaults %.5f (%.2f%%)%n", what,
                dense, priorLoss, learned, 100 * (learned / priorLoss - 1));
        assertTrue(NmVerifier.verify(model.weights(), model.skipped(), P24).strict());
        assertTrue(learned < priorLoss * (1 - MARGIN), what + ": MaskPro " + learned + " vs magnitude " + priorLoss);
    }

    private static <B> double meanLoss(MaskableModel<B> model, List<B> batches) {
        return batches.stream().mapToDouble(model::loss).average().orElseThrow();
    }

    private static DataSet flat(DataSet images) {
        return new DataSet(images.getFeatures().reshape(images.getFeatures().size(0), 784), images.getLabels());
    }

    @Test
    void sameDiffMlpWithMseLoss() {
        Nd4j.getRandom().setSeed(3);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, 784);
        SDVariable label = sd.placeHolder("label", DataType.FLOAT, -1, 10);
        SDVariable w0 = sd.var("w0", new XavierInitScheme('c', 784, 64), DataType.FLOAT, 784, 64);
        SDVariable b0 = sd.zero("b0", DataType.FLOAT, 64);
        SDVariable w1 = sd.var("w1", new XavierInitScheme('c', 64, 10), DataType.FLOAT, 64, 10);
        SDVariable b1 = sd.zero("b1", DataType.FLOAT, 10);
        SDVariable h = sd.nn.relu(in.mmul(w0).add(b0), 0);
        SDVariable out = sd.nn.softmax("out", h.mmul(w1).add(b1), 1);
        sd.loss.meanSquaredError("loss", label, out, null);
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(2e-3)).dataSetFeatureMapping("in")
                .dataSetLabelMapping("label").build());
        List<DataSet> train = flat(fashionTrain).batchBy(64);
        sd.fit(new ListDataSetIterator<>(train, 1), 3);
        SameDiffModel model = SameDiffWeights.discover(sd, P24, WeightSelection.all()).build();
        List<Map<String, INDArray>> trainMaps = train.stream().map(d -> Map.of("in", d.getFeatures(), "label", d.getLabels())).toList();
        List<Map<String, INDArray>> testMaps = flat(fashionTest).batchBy(250).stream()
                .map(d -> Map.of("in", d.getFeatures(), "label", d.getLabels())).toList();
        assertDefaultsBeatMagnitude("SameDiff MLP (sd.fit, MSE loss)", model, trainMaps, testMaps);
    }

    @Test
    void charLstmWithSummedRnnLoss() throws IOException {
        Path text = RequiredData.shared("text/tinyshakespeare.txt");
        String all = Files.readString(text, StandardCharsets.UTF_8);
        List<Character> vocab = new ArrayList<>(new TreeSet<>(all.chars().mapToObj(c -> (char) c).toList()));
        int split = (int) (all.length() * 0.9);
        int len = 50;
        List<DataSet> train = charBatches(all.substring(0, 640 * len + 1), vocab, len, 32);
        List<DataSet> heldOut = charBatches(all.substring(split, split + 64 * len + 1), vocab, len, 32);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).list()
                .layer(new LSTM.Builder().nIn(vocab.size()).nOut(96).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(96).nOut(vocab.size()).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.fit(new ListDataSetIterator<>(train, 1), 3);
        MultiLayerNetworkModel model = new MultiLayerNetworkModel(net, P24, WeightSelection.all());
        assertDefaultsBeatMagnitude("char-LSTM (MLN, RnnOutputLayer loss summed over " + len + " steps)", model, train,
                heldOut);
    }

    /** One-hot windows of {@code len} characters, the next character as label, {@code batch} windows per DataSet. */
    private static List<DataSet> charBatches(String text, List<Character> vocab, int len, int batch) {
        int windows = (text.length() - 1) / len;
        List<DataSet> out = new ArrayList<>();
        for (int start = 0; start + batch <= windows; start += batch) {
            INDArray f = Nd4j.zeros(DataType.FLOAT, batch, vocab.size(), len);
            INDArray l = Nd4j.zeros(DataType.FLOAT, batch, vocab.size(), len);
            for (int b = 0; b < batch; b++) {
                int offset = (start + b) * len;
                for (int t = 0; t < len; t++) {
                    f.putScalar(b, vocab.indexOf(text.charAt(offset + t)), t, 1);
                    l.putScalar(b, vocab.indexOf(text.charAt(offset + t + 1)), t, 1);
                }
            }
            out.add(new DataSet(f, l));
        }
        return out;
    }

    @Test
    void twoOutputComputationGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).updater(new Adam(2e-3))
                .graphBuilder().addInputs("in")
                .addLayer("trunk", new DenseLayer.Builder().nIn(784).nOut(128).activation(Activation.RELU).build(), "in")
                .addLayer("classes", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(128).nOut(10).build(), "trunk")
                .addLayer("tops", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(128).nOut(2).build(), "trunk")
                .setOutputs("classes", "tops").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        List<org.nd4j.linalg.dataset.api.MultiDataSet> train = twoHeads(flat(fashionTrain).batchBy(64));
        for (int epoch = 0; epoch < 3; epoch++) {
            train.forEach(graph::fit);
        }
        MultiOutputGraphModel model = new MultiOutputGraphModel(graph, P24, WeightSelection.all());
        assertDefaultsBeatMagnitude("two-output ComputationGraph (class + upper-body heads)", model, train,
                twoHeads(flat(fashionTest).batchBy(250)));
    }

    /** Labels of both heads: the class, and whether the garment is worn on the upper body (top, pullover, coat, shirt). */
    private static List<org.nd4j.linalg.dataset.api.MultiDataSet> twoHeads(List<DataSet> batches) {
        INDArray upper = Nd4j.createFromArray(new float[] {1, 0, 1, 0, 1, 0, 1, 0, 0, 0}).reshape(10, 1);
        List<org.nd4j.linalg.dataset.api.MultiDataSet> out = new ArrayList<>();
        for (DataSet d : batches) {
            INDArray isUpper = d.getLabels().mmul(upper);
            INDArray tops = Nd4j.hstack(isUpper, isUpper.rsub(1));
            out.add(new MultiDataSet(new INDArray[] {d.getFeatures()}, new INDArray[] {d.getLabels(), tops}));
        }
        return out;
    }
}
