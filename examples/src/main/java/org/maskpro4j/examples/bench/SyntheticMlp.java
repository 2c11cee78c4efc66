package org.maskpro4j.examples.bench;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.maskpro4j.nm.GumbelTopN;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A wide MLP, 1024·w → 2048·w → 2048·w → 16 for a width factor w (w = 1: 6.3 M weights, 2: 25 M, 4: 101 M), with
 * random weights on seeded random data: a model whose weights, not its activations, dominate memory, and whose
 * per-group math dominates a MaskPro step, unlike the Fashion-MNIST CNN and stories260K. Time and memory do not depend
 * on the values, so nothing is trained or read.
 */
public final class SyntheticMlp {
    public static final String NAME = name(1);
    private static final int INPUTS = 1024;
    private static final int HIDDEN = 2048;
    private static final int CLASSES = 16;

    private SyntheticMlp() {
    }

    /** The 6.3 M-weight MLP (width factor 1). */
    public static Dl4jSubject subject(int batchSize, int batches, long seed) {
        return subject(1, batchSize, batches, seed);
    }

    /** The weight matrices' entries (biases left out: they are not masked) at width factor {@code width}. */
    public static long weights(int width) {
        long inputs = (long) INPUTS * width;
        long hidden = (long) HIDDEN * width;
        return inputs * hidden + hidden * hidden + hidden * CLASSES;
    }

    public static String name(int width) {
        return "mlp-" + INPUTS * width + "-" + HIDDEN * width + "-" + HIDDEN * width + "-" + CLASSES + " (random)";
    }

    public static Dl4jSubject subject(int width, int batchSize, int batches, long seed) {
        if (width < 1 || width > 16) {
            throw new IllegalArgumentException("The synthetic MLP's width factor must be 1..16, got " + width);
        }
        if (batchSize < 1 || batches < 1) {
            throw new IllegalArgumentException("The synthetic MLP needs a positive batch size and batch count, got "
                    + batchSize + " x " + batches);
        }
        int inputs = INPUTS * width;
        int hidden = HIDDEN * width;
        // ND4J M2.1's generator is not reproducible with seed 0, so every seed goes through a mix first
        long mixed = GumbelTopN.derive(seed, 1);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(mixed).list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(inputs).nOut(hidden).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(hidden).nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(hidden).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        List<DataSet> data = new ArrayList<>();
        try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(GumbelTopN.derive(seed, 2))) {
            for (int b = 0; b < batches; b++) {
                INDArray labels = Nd4j.zeros(DataType.FLOAT, batchSize, CLASSES);
                for (int i = 0; i < batchSize; i++) {
                    labels.putScalar(i, (b * batchSize + i) % CLASSES, 1.0);
                }
                data.add(new DataSet(Nd4j.rand(rng, batchSize, inputs), labels));
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not release the ND4J random generator", e);
        }
        return new Dl4jSubject(name(width), net, data);
    }
}
