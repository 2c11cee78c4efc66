package org.maskpro4j.arbiter;

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

/** A small MLP trained for real on a seeded 4-class problem (as dl4j-maskpro's SmallNets), for sweep tests. */
final class SmallMlp {
    private SmallMlp() {
    }

    /** Balanced batches around 4 seeded class centres in 16 dimensions. */
    static List<DataSet> data(long seed, int batches, int batchSize) {
        Nd4j.getRandom().setSeed(seed);
        INDArray centers = Nd4j.randn(DataType.FLOAT, 4, 16).muli(1.5);
        List<DataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            INDArray labels = Nd4j.zeros(DataType.FLOAT, batchSize, 4);
            INDArray x = Nd4j.randn(DataType.FLOAT, batchSize, 16);
            for (int i = 0; i < batchSize; i++) {
                int c = (i * 7 + b) % 4;
                labels.putScalar(i, c, 1);
                x.getRow(i).addi(centers.getRow(c));
            }
            out.add(new DataSet(x, labels));
        }
        return out;
    }

    /** 16 → 32 (ReLU) → 4 (softmax), three epochs of Adam on {@code train}. */
    static MultiLayerNetwork trained(long seed, List<DataSet> train) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(16).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(32).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        net.fit(new ListDataSetIterator<>(train, 1), 3);
        return net;
    }
}
