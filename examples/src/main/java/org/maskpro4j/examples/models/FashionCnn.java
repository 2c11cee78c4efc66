package org.maskpro4j.examples.models;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.maskpro4j.examples.data.FashionMnist;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small CNN for Fashion-MNIST ({@code [n,1,28,28]} input) shaped for N:M pruning:
 * conv 5x5 1→c1, maxpool 2, conv 5x5 c1→c2, maxpool 2, dense (c2·4·4)→hidden, softmax output hidden→10.
 * The first conv has one input channel, so it has no N:M groups and stays dense. Every other layer's input axis
 * (conv2: c1 channels at each kernel tap; dense: c2·4·4; output: hidden) is a multiple of 8, so 2:4, 1:4 and 4:8
 * groups all tile it.
 */
public final class FashionCnn {
    /** Input axes divisible by 8 are tiled by 2:4, 1:4 and 4:8 groups. */
    private static final int FAN_IN_MULTIPLE = 8;
    private static final int KERNEL = 5;
    private static final int POOL = 2;
    /** Spatial size after conv5 → pool2 → conv5 → pool2 on 28x28: 28-4=24 → 12 → 8 → 4. */
    private static final int FINAL_SIDE = 4;

    private static final Logger LOG = LoggerFactory.getLogger(FashionCnn.class);

    private final long seed;
    private final int conv1Channels;
    private final int conv2Channels;
    private final int hidden;
    private final double learningRate;

    private FashionCnn(Builder b) {
        requireMultiple("conv1Channels (the input channels of conv2)", b.conv1Channels);
        requireMultiple("conv2Channels", b.conv2Channels);
        requireMultiple("hidden (the fan-in of the output layer)", b.hidden);
        if (!(b.learningRate > 0) || Double.isInfinite(b.learningRate)) {
            throw new IllegalArgumentException("FashionCnn learning rate must be positive and finite, got "
                    + b.learningRate);
        }
        this.seed = b.seed;
        this.conv1Channels = b.conv1Channels;
        this.conv2Channels = b.conv2Channels;
        this.hidden = b.hidden;
        this.learningRate = b.learningRate;
    }

    private static void requireMultiple(String what, int value) {
        if (value < FAN_IN_MULTIPLE || value % FAN_IN_MULTIPLE != 0) {
            throw new IllegalArgumentException("FashionCnn " + what + " = " + value + " must be a positive multiple of "
                    + FAN_IN_MULTIPLE + " so that N:M groups tile the next layer's fan-in");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default architecture (16, 32, 128, Adam 1e-3) with the given seed. */
    public static FashionCnn withSeed(long seed) {
        return builder().seed(seed).build();
    }

    public long seed() {
        return seed;
    }

    /** Fan-in of the dense layer: conv2's channels times the 4x4 map left after two poolings. */
    public int denseFanIn() {
        return conv2Channels * FINAL_SIDE * FINAL_SIDE;
    }

    public MultiLayerConfiguration configuration() {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU)
                .list()
                .layer(new ConvolutionLayer.Builder(KERNEL, KERNEL).name("conv1")
                        .nIn(FashionMnist.CHANNELS).nOut(conv1Channels).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool1")
                        .kernelSize(POOL, POOL).stride(POOL, POOL).build())
                .layer(new ConvolutionLayer.Builder(KERNEL, KERNEL).name("conv2")
                        .nOut(conv2Channels).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool2")
                        .kernelSize(POOL, POOL).stride(POOL, POOL).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("output")
                        .nOut(FashionMnist.NUM_CLASSES).activation(Activation.SOFTMAX)
                        .weightInit(WeightInit.XAVIER).build())
                .setInputType(InputType.convolutional(FashionMnist.HEIGHT, FashionMnist.WIDTH, FashionMnist.CHANNELS))
                .build();
    }

    /** A freshly initialised network. */
    public MultiLayerNetwork newNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration());
        net.init();
        return net;
    }

    /** One pass over {@code train} (reset first if it was used); returns the score of the last minibatch. */
    public static double trainOneEpoch(MultiLayerNetwork net, DataSetIterator train) {
        if (!train.hasNext()) {
            train.reset();
        }
        long start = System.nanoTime();
        net.fit(train);
        LOG.info("FashionCnn epoch done in {} ms, last minibatch score {}",
                (System.nanoTime() - start) / 1_000_000, net.score());
        return net.score();
    }

    /** Accuracy and the rest of DL4J's classification metrics on {@code data}. */
    public static Evaluation evaluate(MultiLayerNetwork net, DataSetIterator data) {
        data.reset();
        return net.evaluate(data);
    }

    /** Names every setting, so a cached model's provenance can be compared with a requested one. */
    @Override
    public String toString() {
        return "FashionCnn{seed=" + seed + ", conv=" + conv1Channels + "/" + conv2Channels + ", hidden=" + hidden
                + ", adam=" + learningRate + "}";
    }

    public static final class Builder {
        private long seed = 42;
        private int conv1Channels = 16;
        private int conv2Channels = 32;
        private int hidden = 128;
        private double learningRate = 1e-3;

        private Builder() {
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder conv1Channels(int channels) {
            this.conv1Channels = channels;
            return this;
        }

        public Builder conv2Channels(int channels) {
            this.conv2Channels = channels;
            return this;
        }

        public Builder hidden(int units) {
            this.hidden = units;
            return this;
        }

        public Builder learningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public FashionCnn build() {
            return new FashionCnn(this);
        }
    }
}
