package org.maskpro4j.examples.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.maskpro4j.examples.data.DataSetBatches;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FashionCnnTest {
    @Test
    void layersHaveThePrunableFanIns() {
        MultiLayerNetwork net = FashionCnn.withSeed(42).newNetwork();
        assertArrayEquals(new long[] {16, 1, 5, 5}, net.getLayer(0).getParam("W").shape());
        assertArrayEquals(new long[] {32, 16, 5, 5}, net.getLayer(2).getParam("W").shape());
        assertArrayEquals(new long[] {512, 128}, net.getLayer(4).getParam("W").shape());
        assertArrayEquals(new long[] {128, 10}, net.getLayer(5).getParam("W").shape());
        assertEquals(512, FashionCnn.withSeed(42).denseFanIn());
        INDArray out = net.output(Nd4j.rand(Nd4j.create(DataType.FLOAT, 3, 1, 28, 28), 1));
        assertArrayEquals(new long[] {3, 10}, out.shape());
        assertEquals(Nd4j.ones(DataType.FLOAT, 3), out.sum(1).castTo(DataType.FLOAT));
    }

    @Test
    void seedDecidesTheInitialWeights() {
        assertEquals(FashionCnn.withSeed(7).newNetwork().params(), FashionCnn.withSeed(7).newNetwork().params());
        assertNotEquals(FashionCnn.withSeed(7).newNetwork().params(), FashionCnn.withSeed(8).newNetwork().params());
    }

    @Test
    void channelCountsMustTileNmGroups() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FashionCnn.builder().conv1Channels(12).build());
        assertTrue(e.getMessage().contains("conv1Channels") && e.getMessage().contains("8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FashionCnn.builder().hidden(100).build());
        assertThrows(IllegalArgumentException.class, () -> FashionCnn.builder().learningRate(0).build());
        MultiLayerNetwork small = FashionCnn.builder().conv1Channels(8).conv2Channels(16).hidden(64).build()
                .newNetwork();
        assertArrayEquals(new long[] {256, 64}, small.getLayer(4).getParam("W").shape());
    }

    @Test
    void oneEpochOnSyntheticDataLowersTheLoss() {
        // Two trivially separable classes: bright top half vs bright bottom half.
        int n = 64;
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            int cls = i % 2;
            x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(cls * 14, cls * 14 + 14),
                    NDArrayIndex.all()).assign(1);
            y.putScalar(i, cls, 1);
        }
        DataSet data = new DataSet(x, y);
        MultiLayerNetwork net = FashionCnn.withSeed(3).newNetwork();
        double before = net.score(data);
        for (int epoch = 0; epoch < 3; epoch++) {
            FashionCnn.trainOneEpoch(net, DataSetBatches.builder().batchSize(32).shuffle(epoch).build().iterator(data));
        }
        double after = net.score(data);
        assertTrue(after < before / 2, "loss " + before + " -> " + after);
        assertEquals(1.0, FashionCnn.evaluate(net, DataSetBatches.ofSize(64).iterator(data)).accuracy());
    }
}
