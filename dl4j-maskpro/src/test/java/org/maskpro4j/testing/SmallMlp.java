package org.maskpro4j.testing;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small 16→32→4 MLP trained for real on a 4-class gaussian problem, in float or double, for fast learner tests.
 * The class centres are fixed, so every seed draws samples of the one problem the network was trained on.
 */
public final class SmallMlp {
    private SmallMlp() {
    }

    private static final long PROBLEM_SEED = 42;

    public static List<DataSet> data(long seed, int batches, int batchSize) {
        return data(seed, batches, batchSize, DataType.FLOAT);
    }

    public static List<DataSet> data(long seed, int batches, int batchSize, DataType type) {
        Nd4j.getRandom().setSeed(PROBLEM_SEED);
        INDArray centers = Nd4j.randn(DataType.FLOAT, 4, 16).muli(1.5);
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            INDArray labels = Nd4j.zeros(DataType.FLOAT, batchSize, 4);
            INDArray x = Nd4j.randn(DataType.FLOAT, batchSize, 16);
            for (int i = 0; i < batchSize; i++) {
                int c = (i * 7 + b) % 4;
                labels.putScalar(i, c, 1);
                x.getRow(i).addi(centers.getRow(c));
            }
            out.add(new DataSet(x.castTo(type), labels.castTo(type)));
        }
        return out;
    }

    private static final java.util.Map<String, MultiLayerNetwork> TRAINED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fresh copy of the network trained with {@code seed}; each is trained once per JVM. */
    public static MultiLayerNetwork trainedMlp(long seed) {
        return trainedMlp(seed, DataType.FLOAT);
    }

    public static MultiLayerNetwork trainedMlp(long seed, DataType type) {
        return TRAINED.computeIfAbsent(seed + "/" + type, k -> train(seed, type)).clone();
    }

    private static MultiLayerNetwork train(long seed, DataType type) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(16).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(32).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        net.fit(new ListDataSetIterator<>(data(seed, 20, 32, type), 1), 3);
        return net;
    }

    public static double meanLoss(org.maskpro4j.weights.MaskableModel<DataSet> model, List<DataSet> data) {
        double sum = 0;
        for (DataSet ds : data) {
            sum += model.loss(ds);
        }
        return sum / data.size();
    }
}
